// Enrol: one photo or hundreds (drop or choose); each is shown with its
// detected face outlined and its face_token, or the reason it was refused;
// bound to the chosen group in the same step; CSV of the results. A name
// (issue 29): typed for one photo, or for many from each file name or from a
// CSV of file,label.
import { postForm, ApiError, explain } from '../api.js';
import { h, field, drawPhoto, download } from '../dom.js';
import { groupSelect, fileInput, bind, faceLink, nameOf, nameFromFile, parseLabelCsv } from './common.js';

const PARALLEL = 2;
const ACCEPT = /\.(jpe?g|png)$/i;

function csvCell(v) {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function render(main, ctx) {
  const group = await groupSelect('enrol-group', { empty: '— do not bind —', selected: ctx.query.get('group') || '' });
  const { input, label } = fileInput('enrol-files', 'Photos (JPEG or PNG)', { multiple: true, accept: 'image/jpeg,image/png' });
  const drop = h('div', { class: 'drop', id: 'drop' }, h('p', {}, 'Drop photos here, or choose them:'), label);
  const name = h('input', { type: 'text', id: 'enrol-label', name: 'enrol-label', autocomplete: 'off', maxlength: 128,
    placeholder: 'e.g. Alice Smith' });
  const nameFrom = h('select', { id: 'enrol-label-from', name: 'enrol-label-from' },
    h('option', { value: '' }, 'the name typed here'), h('option', { value: 'filename' }, 'each file name'),
    h('option', { value: 'csv' }, 'a CSV of file,label'));
  const { input: labelCsv, label: labelCsvField } = fileInput('enrol-label-csv', 'Names CSV (file,label)', { accept: '.csv,text/csv' });
  labelCsvField.hidden = true;
  nameFrom.addEventListener('change', () => { labelCsvField.hidden = nameFrom.value !== 'csv'; name.disabled = !!nameFrom.value; });
  const progress = h('progress', { id: 'enrol-progress', max: 1, value: 0, hidden: true });
  const status = h('p', { id: 'enrol-status', class: 'muted', role: 'status' });
  const csv = h('button', { type: 'button', id: 'enrol-csv', class: 'secondary', disabled: true }, 'Download results (CSV)');
  const results = h('div', { class: 'results', id: 'enrol-results' });
  main.append(h('h1', {}, 'Enrol'),
    h('div', { class: 'card' },
      h('p', { class: 'muted' }, 'Each photo\'s largest face is checked by the quality gates (size, pose, blur, brightness, contrast). ',
        'Accepted faces get a face_token and, when a group is chosen, are bound to it.'),
      h('div', { class: 'row' }, field('Bind to group', group), field('Name (one photo)', name), field('Names from', nameFrom),
        labelCsvField), drop, progress, status, csv),
    results);

  const done = [];
  let queue = [], running = 0, total = 0;

  csv.addEventListener('click', () => {
    const head = ['file', 'label', 'result', 'face_token', 'image_id', 'reason', 'group', 'bound'];
    const lines = [head.join(',')].concat(done.map((r) => head.map((k) => csvCell(r[k])).join(',')));
    download('facepass-enrol-results.csv', lines.join('\r\n') + '\r\n');
  });

  // The name of each photo, as chosen now (a later change applies to later photos).
  async function namer() {
    if (nameFrom.value === 'filename') return (f) => nameFromFile(f.name);
    if (nameFrom.value === 'csv') {
      const file = labelCsv.files[0];
      if (!file) throw new Error('Choose the names CSV first (rows of file,label).');
      const names = parseLabelCsv(await file.text());
      return (f) => names.get(f.name) || '';
    }
    const typed = name.value.trim();
    return () => typed;
  }

  async function add(files) {
    const list = [...files].filter((f) => ACCEPT.test(f.name) || /^image\/(jpeg|png)$/.test(f.type));
    if (!list.length) { status.textContent = 'No JPEG or PNG files among those.'; return; }
    let labelOf;
    try { labelOf = await namer(); } catch (e) { status.textContent = e.message; return; }
    total += list.length;
    queue = queue.concat(list.map((f) => ({ file: f, group: group.value, label: labelOf(f) })));
    progress.hidden = false;
    progress.max = total;
    pump();
  }

  function pump() {
    while (running < PARALLEL && queue.length) {
      const job = queue.shift();
      running++;
      enrolOne(job).finally(() => {
        running--;
        progress.value = done.length;
        status.textContent = `${done.length} of ${total} done: ${done.filter((r) => r.result === 'enrolled').length} enrolled, `
          + `${done.filter((r) => r.result !== 'enrolled').length} refused or failed.`;
        csv.disabled = !done.length;
        if (ctx.live()) pump();
      });
    }
  }

  async function enrolOne({ file, group: g, label: wanted }) {
    const canvas = h('canvas', { role: 'img', width: 1, height: 1, 'aria-label': `photo ${file.name}` });
    const outcome = h('div', { class: 'outcome' }, h('span', { class: 'muted' }, 'enrolling…'));
    const box = h('article', { class: 'result', dataset: { file: file.name } }, h('h2', { class: 'mono' }, file.name), canvas, outcome);
    results.append(box);
    const row = { file: file.name, label: wanted, group: g, bound: '' };
    const form = new FormData();
    form.append('image', file, file.name);
    if (wanted) form.append('label', wanted);
    let data = {};
    try {
      data = await postForm('/api/face/v1/add', form);
      row.result = 'enrolled';
      row.face_token = data.face_token;
      row.image_id = data.image_id;
      row.label = data.label || '';
      const lines = [h('p', { class: 'ok' }, 'Enrolled'), h('p', { class: 'name' }, nameOf(data.label)),
        h('p', {}, 'face_token ', faceLink(data.face_token, g))];
      if (g) {
        try {
          await bind(g, data.face_token);
          row.bound = 'yes';
          lines.push(h('p', { class: 'bound' }, `Bound to ${g}.`));
        } catch (e) {
          row.bound = 'no';
          row.reason = explain(e);
          lines.push(h('p', { class: 'error' }, `Not bound to ${g}: ${explain(e)}`));
        }
      }
      outcome.replaceChildren(...lines);
      box.classList.add('enrolled');
      box.dataset.faceToken = data.face_token;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      data = e.data || {};
      row.result = e.code === 104201 ? 'refused' : 'failed';
      row.image_id = data.image_id || '';
      row.reason = e.message;
      const gate = e.code === 104201 ? e.message.slice(e.message.indexOf(': ') + 2) : '';
      outcome.replaceChildren(h('p', { class: 'bad' }, e.code === 104201 ? 'Refused' : 'Not enrolled'),
        gate ? h('p', { class: 'gate mono' }, gate) : '', h('p', { class: 'reason' }, explain(e)));
      box.classList.add('refused');
      box.dataset.reason = e.message;
    }
    done.push(row);
    await drawPhoto(canvas, file, [{ rect: data.rect, color: row.result === 'enrolled' ? '#00c853' : '#ff1744' }], 360);
  }

  input.addEventListener('change', async () => { await add([...input.files]); input.value = ''; });
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => { ev.preventDefault(); drop.classList.remove('over'); add(ev.dataTransfer.files); });
}
