// Small DOM helpers: elements are built with h(), never from HTML strings, so
// names and tokens from the server are always text.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// A labelled control: <label>text<input></label>.
export function field(text, control, cls) {
  return h('label', { class: cls }, text, control);
}

export function fmtTime(ms) {
  if (ms === null || ms === undefined || ms === 0) return '—';
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function fmtNum(x, digits = 1) {
  return typeof x === 'number' ? x.toFixed(digits) : '—';
}

let toastTimer;
export function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.textContent = ''; }, 4000);
}

// Draws `blob` scaled to at most maxSide px on `canvas`, with each
// {rect: {left, top, right, bottom}, color} outlined (rects in image pixels).
export async function drawPhoto(canvas, blob, boxes = [], maxSide = 480) {
  const url = URL.createObjectURL(blob);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const scale = Math.min(1, maxSide / Math.max(img.naturalWidth, img.naturalHeight));
    canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    ctx.lineWidth = Math.max(2, Math.round(canvas.width / 150));
    for (const { rect, color } of boxes) {
      if (!rect) continue;
      ctx.strokeStyle = color || '#00c853';
      ctx.strokeRect(rect.left * scale, rect.top * scale, (rect.right - rect.left) * scale, (rect.bottom - rect.top) * scale);
    }
    canvas.dataset.drawn = boxes.filter((b) => b.rect).length;
    return true;
  } catch {
    canvas.dataset.drawn = 'error';
    return false;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function download(filename, text, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
