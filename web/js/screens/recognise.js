// Recognise test: a capture against a group; the capture beside the top
// match's crop, with score, threshold and passed.
import { postForm, imageUrl, explain } from '../api.js';
import { h, field, drawPhoto, fmtNum } from '../dom.js';
import { groupSelect, fileInput, errorLine, verdict, faceLink, nameOf } from './common.js';

export async function render(main, ctx) {
  const group = await groupSelect('rec-group', { selected: ctx.query.get('group') || '' });
  const { input, label } = fileInput('rec-file', 'Capture (JPEG, PNG or BMP)');
  const liveness = h('input', { type: 'checkbox', id: 'rec-liveness' });
  const run = h('button', { type: 'submit', id: 'rec-run' }, 'Recognise');
  const form = h('form', { class: 'card', id: 'rec-form' }, h('div', { class: 'row' }, field('Group', group), label,
    h('label', { class: 'inline' }, liveness, 'check liveness'), run));
  const out = h('div', { id: 'rec-result' });
  main.append(h('h1', {}, 'Recognise test'),
    h('p', { class: 'muted' }, 'Sends one capture as a gate would (track 1). The capture is stored and appears in History.'), form, out);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const file = input.files[0];
    if (!file) { out.append(h('p', { class: 'error' }, 'Choose a capture first.')); return; }
    if (!group.value) { out.append(h('p', { class: 'error' }, 'Choose a group first (create one under Groups).')); return; }
    const fd = new FormData();
    fd.append('group_name', group.value);
    fd.append('face_data', JSON.stringify({ faces: [{ track_id: 1 }] }));
    fd.append('image_1', file, file.name);
    fd.append('enable_liveness', liveness.checked ? 'true' : 'false');
    run.disabled = true;
    out.append(h('p', { class: 'muted' }, 'Recognising…'));
    try {
      const data = await postForm('/api/service/recognize/v1', fd);
      if (!ctx.live()) return;
      out.replaceChildren(show(data, file, group.value));
    } catch (e) {
      out.replaceChildren(errorLine(e));
    } finally {
      run.disabled = false;
    }
  });
}

function show(data, file, groupName) {
  const r = (data.results || [])[0] || {};
  const capture = h('canvas', { role: 'img', 'aria-label': 'the capture with the detected face' });
  drawPhoto(capture, file, [{ rect: r.rect, color: r.passed ? '#00c853' : '#ff1744' }], 420);
  const match = h('img', { class: 'thumb', alt: 'the top match (enrolled face crop)' });
  if (r.face_token) imageUrl({ face_token: r.face_token }).then((u) => { match.src = u; }, (e) => { match.alt = explain(e); });
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, 'Score'), h('dd', { id: 'rec-score' }, fmtNum(r.score)),
    h('dt', {}, 'Threshold'), h('dd', { id: 'rec-threshold' }, data.recognize_threshold),
    h('dt', {}, 'Result'), h('dd', { id: 'rec-passed', dataset: { passed: String(!!r.passed) } }, r.error ? '—' : verdict(r.passed)),
    h('dt', {}, 'Name'), h('dd', { id: 'rec-label' }, r.face_token ? nameOf(r.label) : '—'),
    h('dt', {}, 'Top match'), h('dd', {}, faceLink(r.face_token, groupName)),
    r.liveness_score !== undefined ? [h('dt', {}, 'Liveness'), h('dd', {}, `${fmtNum(r.liveness_score)} (threshold ${data.liveness_threshold})`)] : '',
    h('dt', {}, 'Capture image_id'), h('dd', { class: 'mono', id: 'rec-image-id' }, r.image_id || '—'));
  const err = r.error ? h('p', { class: 'error' }, r.error === 'FACE_NOT_FOUND' ? 'No face was found in the capture.' : `The capture was refused: ${r.error}.`) : '';
  return h('div', { class: 'card' }, err,
    h('div', { class: 'trio' }, h('figure', {}, capture, h('figcaption', { class: 'muted' }, 'Capture')),
      h('figure', {}, r.face_token ? match : h('p', { class: 'muted' }, 'No candidate (empty group or no face).'),
        h('figcaption', { class: 'muted' }, 'Top match')), facts));
}
