// People (issue 29): find faces by name (a prefix, ASCII case-insensitive),
// each with its crop, name and token; rename one, or follow it to its
// recognitions. "Load more" follows next_cursor.
import { get, imageUrl, explain } from '../api.js';
import { h, field, fmtTime } from '../dom.js';
import { errorLine, nameEditor } from './common.js';

const LIMIT = 24;

export async function render(main, ctx) {
  const query = h('input', { type: 'search', id: 'faces-label', name: 'faces-label', autocomplete: 'off', maxlength: 128,
    value: ctx.query.get('label') || '', placeholder: 'e.g. Ali' });
  const form = h('form', { class: 'card', id: 'faces-form' }, h('div', { class: 'row' },
    field('Name starts with', query), h('button', { type: 'submit', id: 'faces-search' }, 'Find')));
  const msg = h('div', { id: 'faces-msg' });
  const grid = h('div', { class: 'grid', id: 'faces-found' });
  const more = h('button', { type: 'button', id: 'faces-more', class: 'secondary', hidden: true }, 'Load more');
  main.append(h('h1', {}, 'People'),
    h('p', { class: 'muted' }, 'Faces by name. An empty search lists every named face.'), form, msg, grid, more);

  let cursor = null, prefix = query.value.trim();

  function card(it) {
    const img = h('img', { alt: `face ${it.label}`, loading: 'lazy' });
    imageUrl({ face_token: it.face_token }).then((u) => { img.src = u; }, (e) => { img.alt = explain(e); });
    const name = nameEditor(it.face_token, it.label, msg);
    return h('figure', { class: 'face', dataset: { faceToken: it.face_token } }, img,
      h('figcaption', {}, name.label, h('div', { class: 'mono' }, it.face_token),
        h('span', { class: 'muted' }, `enrolled ${fmtTime(it.created)}`),
        h('div', {}, h('a', { href: `#/history?face=${encodeURIComponent(it.face_token)}` }, 'recognitions'))),
      h('div', { class: 'actions' }, name.button));
  }

  async function page() {
    msg.replaceChildren();
    more.disabled = true;
    try {
      const data = await get('/api/face/v1/search', { label: prefix, limit: LIMIT, cursor });
      if (!ctx.live()) return;
      const items = data.items || [];
      if (!cursor && !items.length) grid.append(h('p', { class: 'muted' }, prefix ? `No face's name starts with "${prefix}".` : 'No named faces yet.'));
      for (const it of items) grid.append(card(it));
      cursor = data.next_cursor || null;
      more.hidden = !cursor;
    } catch (e) {
      msg.append(errorLine(e));
    } finally {
      more.disabled = false;
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    prefix = query.value.trim();
    cursor = null;
    grid.replaceChildren();
    await page();
  });
  more.addEventListener('click', page);
  await page();
}
