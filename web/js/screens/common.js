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
