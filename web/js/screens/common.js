// Pieces several screens share.
import { get, post, explain } from '../api.js';
import { h, field, toast } from '../dom.js';

// Group names by the spec's rule, for inputs and explanations.
export const GROUP_NAME_RULE = '4 to 16 letters, digits or _';
export const GROUP_NAME_PATTERN = '[A-Za-z0-9_]{4,16}';

export async function groupNames() {
  const data = await get('/api/group/v1/list');
  return [...data.groups].sort();
}

// A <select> of the groups; `empty` adds a first option with that text and value "".
export async function groupSelect(id, { empty, selected } = {}) {
  const sel = h('select', { id, name: id });
  if (empty) sel.append(h('option', { value: '' }, empty));
  try {
    for (const g of await groupNames()) sel.append(h('option', { value: g, selected: g === selected }, g));
  } catch (e) {
    sel.append(h('option', { value: '', disabled: true }, `groups unavailable: ${explain(e)}`));
  }
  return sel;
}

export function errorLine(err, extra) {
  let text = explain(err);
  if (err && err.code === 104001 && /group_name/.test(err.message)) text += ` Group names are ${GROUP_NAME_RULE}.`;
  return h('p', { class: 'error', role: 'alert' }, text, extra || '');
}

// A file input with its label; `multiple` for many.
export function fileInput(id, text, { multiple = false, accept = 'image/jpeg,image/png,image/bmp' } = {}) {
  const input = h('input', { type: 'file', id, name: id, accept, multiple });
  return { input, label: field(text, input) };
}

export function verdict(passed) {
  return passed ? h('span', { class: 'ok verdict' }, '✔ passed') : h('span', { class: 'bad verdict' }, '✘ not passed');
}

export function faceLink(token, groupName) {
  if (!token) return h('span', { class: 'muted' }, 'no match');
  const href = groupName ? `#/group/${encodeURIComponent(groupName)}?face=${encodeURIComponent(token)}` : null;
  return href ? h('a', { href, class: 'mono', dataset: { faceToken: token } }, token) : h('span', { class: 'mono' }, token);
}

export async function bind(groupName, token) {
  return post('/api/group/v1/bind', { group_name: groupName, face_token: token });
}

// Issue 30: how often a stranger passes recognise against a group. The figures
// come from the server (the calibration's per-pair FAR over the group's faces);
// the console only shows them, and warns above this share.
export const STRANGER_WARN = 0.01;

export function fmtRate(x) {
  if (typeof x !== 'number') return '—';
  if (x === 0) return '0 %';
  const pct = x * 100;
  const text = pct < 0.01 ? `${pct.toPrecision(2)} %` : `${pct.toFixed(pct < 1 ? 2 : 1)} %`;
  return x >= 1e-6 ? `${text} (about 1 in ${Math.round(1 / x).toLocaleString('en')})` : text;
}

// The figure, or why there is none (the server's *_reason).
export function figure(d, key, fmt) {
  return d[key] === null || d[key] === undefined ? h('span', { class: 'muted' }, d[`${key}_reason`] || 'not known') : fmt(d[key]);
}

export function strangerWarning(rate, threshold) {
  if (typeof rate !== 'number' || rate <= STRANGER_WARN) return null;
  return h('p', { class: 'warning', role: 'alert', id: 'stranger-warning' },
    `About ${fmtRate(rate)} of people who are not enrolled would pass recognise against this group${threshold ? ` at threshold ${threshold}` : ''}. ` +
    'A stranger is compared with every face of the group, so the chance that one face lets them in grows with its size. ' +
    'Split large populations into groups per site or door (each device syncs its own group), or raise the recognise threshold.');
}

// Issue 29: a face's name. Shown as given; none reads "unnamed".
export function nameOf(label) {
  return label ? h('span', { class: 'label' }, label) : h('span', { class: 'muted label' }, 'unnamed');
}

// A face's name with its Rename button: asks for a new name and stores it
// (an empty answer clears it). `set` shows a name read elsewhere; errors go
// to `msg`.
export function nameEditor(token, initial, msg) {
  let current = initial || null;
  const label = h('div', { class: 'face-name' }, nameOf(current));
  const button = h('button', { type: 'button', class: 'secondary rename' }, 'Rename');
  const set = (name) => { current = name || null; label.replaceChildren(nameOf(current)); };
  button.addEventListener('click', async () => {
    const next = prompt('Name for this face (1-128 bytes; empty clears it):', current || '');
    if (next === null) return;
    try {
      const data = await post('/api/face/v1/update', { face_token: token, label: next.trim() || null });
      set(data.label);
      toast(current ? `Renamed to ${current}.` : 'Name cleared.');
    } catch (e) { msg.replaceChildren(errorLine(e)); }
  });
  return { label, button, set };
}

// The name a photo gets from its file name: the name without its extension.
export function nameFromFile(fileName) {
  return fileName.replace(/\.[^.]*$/, '');
}

// Rows of "file,label" (RFC 4180 quoting; a header row "file,label" is
// skipped) as a Map from the file's name to its label.
export function parseLabelCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  const out = new Map();
  for (const [file, label] of rows) {
    if (file === undefined || label === undefined || (file === 'file' && label === 'label')) continue;
    out.set(file.replace(/^.*[\\/]/, ''), label);
  }
  return out;
}
