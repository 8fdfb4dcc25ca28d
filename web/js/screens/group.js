// One group: how often a stranger would pass against it (issue 30), its faces
// as crops with name and enrol time; rename, unbind, delete; bind a token.
import { post, imageUrl, explain } from '../api.js';
import { h, field, fmtTime, toast } from '../dom.js';
import { errorLine, bind, figure, fmtRate, strangerWarning, nameEditor } from './common.js';

const PAGE = 60;

export async function render(main, ctx) {
  const name = ctx.args[0] || '';
  const focus = ctx.query.get('face') || '';
  const msg = h('div', { id: 'group-msg' });
  const token = h('input', { type: 'text', id: 'bind-token', name: 'bind-token', class: 'wide mono', required: true,
    autocomplete: 'off', value: focus });
  const form = h('form', { class: 'card', id: 'bind-form' }, h('div', { class: 'row' },
    field('Bind an existing face (face_token)', token), h('button', { type: 'submit' }, 'Bind')));
  const summary = h('p', { class: 'muted', id: 'group-summary' });
  const strangers = h('section', { class: 'card', id: 'group-strangers' });
  const grid = h('div', { class: 'grid', id: 'faces' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more');
  main.append(h('p', {}, h('a', { href: '#/groups' }, '← Groups')), h('h1', {}, `Group ${name}`), strangers, form, msg, summary, grid, more);

  let faces = [];
  let shown = 0;

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.replaceChildren();
    try {
      await bind(name, token.value.trim());
      toast('Face bound.');
      await load();
    } catch (e) {
      msg.append(errorLine(e));
    }
  });
  more.addEventListener('click', () => showNext());

  function card(t) {
    const img = h('img', { alt: `face ${t}`, loading: 'lazy' });
    const when = h('span', { class: 'muted' }, 'enrolled …');
    const faceName = nameEditor(t, null, msg);
    const unbind = h('button', { type: 'button', class: 'secondary' }, 'Unbind');
    const del = h('button', { type: 'button', class: 'danger' }, 'Delete face');
    const el = h('figure', { class: `face${t === focus ? ' highlight' : ''}`, dataset: { faceToken: t } },
      img, h('figcaption', {}, faceName.label, h('div', { class: 'mono' }, t), when,
        h('div', {}, h('a', { href: `#/history?group=${encodeURIComponent(name)}&face=${encodeURIComponent(t)}` }, 'recognitions'))),
      h('div', { class: 'actions' }, faceName.button, unbind, del));
    imageUrl({ face_token: t }).then((u) => { img.src = u; }, (e) => { img.alt = explain(e); });
    post('/api/face/v1/query', { face_token: t })
      .then((d) => {
        when.textContent = `enrolled ${fmtTime(d.time)}`;
        faceName.set(d.label);
      }, (e) => { when.textContent = explain(e); });
    unbind.addEventListener('click', async () => {
      if (!confirm(`Unbind this face from ${name}? It stays enrolled.`)) return;
      try { await post('/api/group/v1/unbind', { group_name: name, face_token: t }); toast('Face unbound.'); await load(); }
      catch (e) { msg.replaceChildren(errorLine(e)); }
    });
    del.addEventListener('click', async () => {
      if (!confirm('Delete this face everywhere? It is unbound from every group and cannot be bound again.')) return;
      try { await post('/api/face/v1/delete', { face_token: t }); toast('Face deleted.'); await load(); }
      catch (e) { msg.replaceChildren(errorLine(e)); }
    });
    return el;
  }

  function showNext() {
    const next = faces.slice(shown, shown + PAGE);
    for (const t of next) grid.append(card(t));
    shown += next.length;
    more.hidden = shown >= faces.length;
  }

  // face_count, stranger_pass_rate, threshold_for_1_in_1000: the server's extension fields.
  function showStrangers(d) {
    strangers.replaceChildren(h('h2', {}, 'Strangers'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Faces'), h('dd', { id: 'face-count' }, String(d.face_count)),
        h('dt', {}, 'Strangers who pass'),
        h('dd', { id: 'stranger-pass-rate', dataset: { rate: d.stranger_pass_rate ?? '' } }, figure(d, 'stranger_pass_rate', fmtRate)),
        h('dt', {}, 'Threshold for 1 in 1,000'),
        h('dd', { id: 'threshold-1-in-1000' }, figure(d, 'threshold_for_1_in_1000', String))),
      strangerWarning(d.stranger_pass_rate),
      h('p', { class: 'muted' }, 'The expected share of people who are not enrolled that pass recognise against this group ' +
        'at the recognise threshold in force, and the threshold at which one in 1,000 would. From the score calibration ' +
        '(per-pair false accepts measured on LFW press photos): a gate camera and another population differ.'));
  }

  async function load() {
    const data = await post('/api/group/v1/query', { group_name: name });
    if (!ctx.live()) return;
    showStrangers(data);
    // The focused face (from History or a link) first.
    faces = [...data.faces].sort((a, b) => (b === focus) - (a === focus));
    grid.replaceChildren();
    shown = 0;
    summary.textContent = faces.length ? `${faces.length} face${faces.length === 1 ? '' : 's'}` : 'No faces bound yet: enrol some (Enrol) or bind a face_token above.';
    if (focus && !data.faces.includes(focus)) {
      summary.append(' — the face you came for is not bound here: ');
      const f = h('figure', { class: 'face highlight', dataset: { faceToken: focus } }, h('img', { alt: `face ${focus}` }), h('figcaption', { class: 'mono' }, focus));
      imageUrl({ face_token: focus }).then((u) => { f.querySelector('img').src = u; }, () => {});
      grid.append(f);
    }
    showNext();
  }
  try {
    await load();
  } catch (e) {
    msg.append(errorLine(e));
  }
}
