// Compare: two photos, their score against the compare threshold, each
// face's pose and blur, and liveness when asked.
import { postForm, ApiError } from '../api.js';
import { h, field, drawPhoto, fmtNum } from '../dom.js';
import { fileInput, errorLine, verdict } from './common.js';

export async function render(main, ctx) {
  const a = fileInput('cmp-1', 'First photo');
  const b = fileInput('cmp-2', 'Second photo');
  const liveness = h('input', { type: 'checkbox', id: 'cmp-liveness' });
  const run = h('button', { type: 'submit', id: 'cmp-run' }, 'Compare');
  const form = h('form', { class: 'card', id: 'cmp-form' }, h('div', { class: 'row' }, a.label, b.label,
    h('label', { class: 'inline' }, liveness, 'check liveness'), run));
  const out = h('div', { id: 'cmp-result' });
  main.append(h('h1', {}, 'Compare'), form, out);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f1 = a.input.files[0], f2 = b.input.files[0];
    out.replaceChildren();
    if (!f1 || !f2) { out.append(h('p', { class: 'error' }, 'Choose two photos first.')); return; }
    const fd = new FormData();
    fd.append('image_1', f1, f1.name);
    fd.append('image_2', f2, f2.name);
    fd.append('enable_liveness', liveness.checked ? 'true' : 'false');
    run.disabled = true;
    out.append(h('p', { class: 'muted' }, 'Comparing…'));
    try {
      const data = await postForm('/api/service/compare/v1', fd);
      if (ctx.live()) out.replaceChildren(show(data, f1, f2, liveness.checked, null));
    } catch (e) {
      // A liveness failure still carries the whole result.
      if (e instanceof ApiError && e.code === 104901 && e.data && e.data.score !== undefined) out.replaceChildren(show(e.data, f1, f2, true, e));
      else out.replaceChildren(errorLine(e));
    } finally {
      run.disabled = false;
    }
  });
}

function side(n, file, det, live, withLiveness, threshold) {
  const c = h('canvas', { role: 'img', 'aria-label': `photo ${n} with its face` });
  drawPhoto(c, file, [{ rect: det && det.rect }], 360);
  const pose = det && det.pose ? det.pose : {};
  return h('figure', {}, c, h('dl', { class: 'facts' },
    h('dt', {}, 'Pose'), h('dd', {}, `yaw ${fmtNum(pose.yaw)}°, pitch ${fmtNum(pose.pitch)}°, roll ${fmtNum(pose.roll)}°`),
    h('dt', {}, 'Blur'), h('dd', {}, fmtNum(det && det.blur, 2)),
    withLiveness ? [h('dt', {}, 'Liveness'), h('dd', { class: live >= threshold ? 'ok' : 'bad' }, `${fmtNum(live)} (threshold ${threshold})`)] : ''));
}

function show(d, f1, f2, withLiveness, err) {
  return h('div', { class: 'card' }, err ? errorLine(err) : '',
    h('p', {}, 'Score ', h('strong', { id: 'cmp-score' }, fmtNum(d.score)), ` against threshold ${d.compare_threshold}: `,
      verdict(d.score >= d.compare_threshold), ' (same person?)'),
    h('div', { class: 'pair' },
      side(1, f1, d.detection_result_1, d.liveness_score_1, withLiveness, d.liveness_threshold),
      side(2, f2, d.detection_result_2, d.liveness_score_2, withLiveness, d.liveness_threshold)));
}
