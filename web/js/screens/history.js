// History: recognise captures, newest first, filtered by group, time range
// and outcome; "load more" follows next_cursor; a match links to its face.
import { get, imageUrl, explain } from '../api.js';
import { h, field, fmtTime, fmtNum } from '../dom.js';
import { groupSelect, errorLine, faceLink, nameOf } from './common.js';

const LIMIT = 50;  // a page; #/history?limit=N (1..500) asks for other sizes

function ms(input) {
  const t = input.value ? new Date(input.value).getTime() : NaN;
  return Number.isFinite(t) ? t : '';
}

export async function render(main, ctx) {
  const group = await groupSelect('hist-group', { empty: 'all groups', selected: ctx.query.get('group') || '' });
  const from = h('input', { type: 'datetime-local', id: 'hist-from', step: 1 });
  const to = h('input', { type: 'datetime-local', id: 'hist-to', step: 1 });
  const passed = h('select', { id: 'hist-passed' }, h('option', { value: '' }, 'any'),
    h('option', { value: 'true' }, 'passed'), h('option', { value: 'false' }, 'not passed'));
  const face = h('input', { type: 'text', id: 'hist-face', class: 'mono', autocomplete: 'off', value: ctx.query.get('face') || '' });
  const liveness = h('input', { type: 'checkbox', id: 'hist-liveness' });
  const form = h('form', { class: 'card', id: 'hist-form' }, h('div', { class: 'row' }, field('Group', group), field('From', from),
    field('To', to), field('Outcome', passed), field('Matched face_token', face),
    h('label', { class: 'inline' }, liveness, 'liveness scores'), h('button', { type: 'submit', id: 'hist-search' }, 'Search')));
  const msg = h('div', { id: 'hist-msg' });
  const tbody = h('tbody', { id: 'hist-body' });
  const more = h('button', { type: 'button', id: 'hist-more', class: 'secondary', hidden: true }, 'Load more');
  const cols = ['Capture', 'Time', 'Group', 'Track', 'Score', 'Liveness', 'Result', 'Name', 'Match'];
  main.append(h('h1', {}, 'History'), form, msg,
    h('div', { class: 'table-wrap' }, h('table', { id: 'hist-table' },
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))), tbody)), more);

  let cursor = null, filters = {};
  const asked = Number(ctx.query.get('limit'));
  const limit = Number.isInteger(asked) && asked >= 1 && asked <= 500 ? asked : LIMIT;

  function row(it) {
    const img = h('img', { class: 'small', alt: `capture ${it.image_id}` });
    imageUrl({ image_id: it.image_id }).then((u) => { img.src = u; }, (e) => { img.alt = explain(e); });
    const crop = h('img', { class: 'small', alt: it.face_token ? 'the matched face' : '' });
    if (it.face_token) imageUrl({ face_token: it.face_token }).then((u) => { crop.src = u; }, () => {});
    const href = it.face_token ? `#/group/${encodeURIComponent(it.group_name)}?face=${encodeURIComponent(it.face_token)}` : null;
    return h('tr', { dataset: { imageId: it.image_id, faceToken: it.face_token || '' } },
      h('td', {}, img), h('td', {}, fmtTime(it.time)), h('td', {}, it.group_name), h('td', {}, it.track_id),
      h('td', {}, fmtNum(it.score)), h('td', {}, it.liveness_score === undefined ? '—' : fmtNum(it.liveness_score)), h('td', {}, it.passed ? h('span', { class: 'ok' }, 'passed') : h('span', { class: 'bad' }, 'not passed')),
      h('td', { class: 'hist-label' }, it.face_token ? nameOf(it.label) : '—'),
      h('td', {}, href ? h('a', { href, class: 'match' }, crop, ' ', 'open face') : faceLink(null)));
  }

  async function page() {
    msg.replaceChildren();
    more.disabled = true;
    try {
      const data = await get('/api/service/recognize/v1/history', { ...filters, limit, cursor });
      if (!ctx.live()) return;
      const items = data.items || [];
      if (!cursor && !items.length) tbody.append(h('tr', {}, h('td', { colspan: cols.length, class: 'muted' }, 'No captures match.')));
      for (const it of items) tbody.append(row(it));
      cursor = data.next_cursor || null;
      more.hidden = !cursor;
    } catch (e) {
      msg.append(e.code === 104404 ? h('p', { class: 'error' }, 'This server has no recognition history endpoint (an older version).') : errorLine(e));
    } finally {
      more.disabled = false;
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    filters = { group_name: group.value, from: ms(from), to: ms(to), passed: passed.value, face_token: face.value.trim(),
      liveness: liveness.checked ? 'true' : '' };
    cursor = null;
    tbody.replaceChildren();
    await page();
  });
  more.addEventListener('click', page);
  filters = { group_name: group.value, face_token: face.value.trim() };
  await page();
}
