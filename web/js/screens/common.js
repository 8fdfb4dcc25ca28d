// Pieces several screens share.
import { get, post, explain } from '../api.js';
import { h, field } from '../dom.js';

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
