// Settings: the thresholds (GET/POST /api/service/config/v1), what a recognise
// threshold means for each group before it is set (GET
// /api/service/config/v1/strangers, issue 30) and, for an admin key, API keys
// (/api/keys/v1/create|list|revoke).
import { get, post, postForm, isAdmin, session } from '../api.js';
import { h, field, fmtTime, toast } from '../dom.js';
import { errorLine, figure, fmtRate, STRANGER_WARN } from './common.js';

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
  const preview = strangerPreview(main, ctx, inputs.recognize_threshold);
  const show = (d) => { for (const [k] of THRESHOLDS) inputs[k].value = d[k]; preview(); };
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

// For the recognise threshold being typed: each group's stranger pass rate and
// the share of genuine captures refused, as the server computes them from the
// calibration's measured tables. Returns the function that refreshes it.
function strangerPreview(main, ctx, input) {
  const msg = h('div', {});
  const refused = h('p', { id: 'genuine-refused' });
  const tbody = h('tbody', { id: 'strangers-body' });
  const card = h('section', { class: 'card', id: 'strangers-preview' }, h('h2', {}, 'What the recognise threshold means'),
    h('p', { class: 'muted' }, 'For the recognise threshold above, before you save it: the share of people who are not enrolled ' +
      'that would pass against each group (a stranger meets every face of the group), and the share of genuine captures refused. ' +
      'Measured on LFW press photos when the model was calibrated; a gate camera differs.'),
    refused, msg, h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Group', 'Faces', 'Strangers who pass', 'Threshold for 1 in 1,000'].map((c) => h('th', { scope: 'col' }, c)))),
      tbody)));
  main.append(card);
  let timer;
  let asked = 0;
  async function refresh() {
    const t = input.value.trim();
    const query = t === '' || t === '-1' ? {} : { threshold: t };
    const mine = ++asked;
    try {
      const d = await get('/api/service/config/v1/strangers', query);
      if (!ctx.live() || mine !== asked) return;
      msg.replaceChildren();
      card.dataset.threshold = d.threshold;
      refused.replaceChildren(`Genuine captures refused at ${d.threshold}: `,
        h('strong', { class: 'refused' }, figure(d, 'genuine_refused', (x) => `${(x * 100).toFixed(2)} %`)));
      tbody.replaceChildren(...d.groups.map((g) => {
        const warn = typeof g.stranger_pass_rate === 'number' && g.stranger_pass_rate > STRANGER_WARN;
        return h('tr', { class: warn ? 'warn' : '', dataset: { group: g.group_name } },
          h('td', {}, h('a', { href: `#/group/${encodeURIComponent(g.group_name)}` }, g.group_name)),
          h('td', { class: 'count' }, String(g.face_count)),
          h('td', { class: 'rate' }, warn ? '⚠ ' : '', figure(g, 'stranger_pass_rate', fmtRate)),
          h('td', {}, figure(g, 'threshold_for_1_in_1000', String)));
      }));
      if (!d.groups.length) tbody.append(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No groups yet.')));
    } catch (e) {
      if (mine === asked) msg.replaceChildren(errorLine(e));
    }
  }
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(refresh, 250); });
  return refresh;
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
