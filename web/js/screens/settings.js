// Settings: the thresholds (GET/POST /api/service/config/v1) and, for an
// admin key, API keys (/api/keys/v1/create|list|revoke).
import { get, post, postForm, isAdmin, session } from '../api.js';
import { h, field, fmtTime, toast } from '../dom.js';
import { errorLine } from './common.js';

const THRESHOLDS = [
  ['recognize_threshold', 'Recognise threshold', 78],
  ['compare_threshold', 'Compare threshold', 70],
  ['liveness_threshold', 'Liveness threshold', 50],
];

export async function render(main, ctx) {
  main.append(h('h1', {}, 'Settings'));
  await thresholds(main, ctx);
  await keys(main, ctx);
}

async function thresholds(main, ctx) {
  const msg = h('div', {});
  const inputs = {};
  const form = h('form', { class: 'card', id: 'config-form' }, h('h2', {}, 'Thresholds'),
    h('p', { class: 'muted' }, 'Scores are 0–100; a value strictly between 0 and 100, or -1 for the default. They apply to the next request.'),
    h('div', { class: 'row' }, THRESHOLDS.map(([k, text, def]) => {
      inputs[k] = h('input', { type: 'number', id: k, name: k, min: -1, max: 99.99, step: 'any' });
      return field(`${text} (default ${def})`, inputs[k]);
    }), h('button', { type: 'submit', id: 'config-save' }, 'Save')), msg);
  main.append(form);
  const show = (d) => { for (const [k] of THRESHOLDS) inputs[k].value = d[k]; };
  try {
    show(await get('/api/service/config/v1'));
  } catch (e) {
    msg.append(errorLine(e));
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.replaceChildren();
    const body = new URLSearchParams();
    for (const [k] of THRESHOLDS) if (inputs[k].value !== '') body.append(k, inputs[k].value);
    try {
      show(await postForm('/api/service/config/v1', body));
      toast('Thresholds saved.');
    } catch (e) {
      msg.append(errorLine(e));
    }
  });
}

async function keys(main, ctx) {
  const card = h('section', { class: 'card', id: 'keys' }, h('h2', {}, 'API keys'));
  main.append(card);
  if (session.authOff) { card.append(h('p', { class: 'muted' }, 'This server runs with --auth off: no keys are checked.')); }
  if (!(await isAdmin())) {
    card.append(h('p', { class: 'muted' }, 'Managing keys needs an admin key.'));
    return;
  }
  const msg = h('div', {});
  const name = h('input', { type: 'text', id: 'key-name', required: true, pattern: '[A-Za-z0-9_.\\-]{1,64}', autocomplete: 'off' });
  const role = h('select', { id: 'key-role' }, ['operator', 'device', 'viewer', 'admin'].map((r) => h('option', { value: r }, r)));
  const created = h('div', { id: 'key-created' });
  const form = h('form', { id: 'key-form' }, h('div', { class: 'row' }, field('Name (letters, digits, _ . -)', name), field('Role', role),
    h('button', { type: 'submit' }, 'Create key')));
  const tbody = h('tbody', { id: 'keys-body' });
  card.append(form, created, msg, h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Name', 'Role', 'Created', 'Last used', 'State', ''].map((c) => h('th', { scope: 'col' }, c)))), tbody)));

  async function fill() {
    const data = await get('/api/keys/v1/list');
    if (!ctx.live()) return;
    tbody.replaceChildren(...data.keys.map((k) => h('tr', { dataset: { key: k.name } },
      h('td', { class: 'mono' }, k.name), h('td', {}, k.role), h('td', {}, fmtTime(k.created)),
      h('td', {}, k.last_used ? fmtTime(k.last_used) : 'never'),
      h('td', {}, k.revoked ? h('span', { class: 'bad' }, `revoked ${fmtTime(k.revoked_time)}`) : 'active'),
      h('td', {}, k.revoked ? '' : h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke key ${k.name}`, onclick: () => revoke(k.name) }, 'Revoke')))));
  }
  async function revoke(n) {
    if (!confirm(`Revoke key ${n}? Clients using it are refused from their next request.`)) return;
    msg.replaceChildren();
    try { await post('/api/keys/v1/revoke', { name: n }); toast(`Key ${n} revoked.`); await fill(); }
    catch (e) { msg.append(errorLine(e)); }
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.replaceChildren();
    created.replaceChildren();
    try {
      const k = await post('/api/keys/v1/create', { name: name.value.trim(), role: role.value });
      created.append(h('div', { class: 'key-once', role: 'status' }, h('p', {}, `Key ${k.name} (${k.role}). Copy it now: it is shown only once.`),
        h('code', { id: 'new-key' }, k.key)));
      name.value = '';
      await fill();
    } catch (e) {
      msg.append(errorLine(e));
    }
  });
  await fill();
}
