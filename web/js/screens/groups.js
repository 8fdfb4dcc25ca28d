// Groups: every group with its face count and version; create, delete.
import { get, post, groupVersions } from '../api.js';
import { h, field, toast } from '../dom.js';
import { errorLine, GROUP_NAME_PATTERN, GROUP_NAME_RULE, groupNames } from './common.js';

export async function render(main, ctx) {
  const msg = h('div', { id: 'groups-msg' });
  const name = h('input', { type: 'text', id: 'new-group', name: 'new-group', pattern: GROUP_NAME_PATTERN, required: true,
    title: GROUP_NAME_RULE, autocomplete: 'off' });
  const form = h('form', { class: 'card', id: 'create-group' },
    h('div', { class: 'row' }, field(`New group (${GROUP_NAME_RULE})`, name),
      h('button', { type: 'submit', id: 'create-group-button' }, 'Create group')));
  const tbody = h('tbody', { id: 'groups-body' });
  const table = h('div', { class: 'table-wrap' }, h('table', { id: 'groups-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Group'), h('th', { scope: 'col' }, 'Faces'),
      h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Actions'))), tbody));
  main.append(h('h1', {}, 'Groups'), form, msg, table);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.replaceChildren();
    try {
      await post('/api/group/v1/create', { group_name: name.value.trim() });
      toast(`Group ${name.value.trim()} created.`);
      name.value = '';
      await fill();
    } catch (e) {
      msg.append(errorLine(e));
    }
  });

  async function remove(g) {
    if (!confirm(`Delete group ${g}? Its faces stay enrolled; devices drop the group at their next sync.`)) return;
    msg.replaceChildren();
    try {
      await post('/api/group/v1/delete', { group_name: g });
      toast(`Group ${g} deleted.`);
      await fill();
    } catch (e) {
      msg.append(errorLine(e));
    }
  }

  async function fill() {
    const names = await groupNames();
    if (!ctx.live()) return;
    tbody.replaceChildren();
    if (!names.length) tbody.append(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No groups yet: create one above.')));
    const rows = {};
    for (const g of names) {
      const count = h('td', { class: 'count' }, '…');
      const version = h('td', { class: 'version' }, '…');
      rows[g] = { count, version };
      tbody.append(h('tr', { dataset: { group: g } },
        h('td', {}, h('a', { href: `#/group/${encodeURIComponent(g)}` }, g)), count, version,
        h('td', {}, h('button', { type: 'button', class: 'danger', onclick: () => remove(g), 'aria-label': `Delete group ${g}` }, 'Delete'))));
    }
    await Promise.all(names.map(async (g) => {
      try {
        const q = await post('/api/group/v1/query', { group_name: g });
        rows[g].count.textContent = q.faces.length;
      } catch {
        rows[g].count.textContent = '—';
      }
    }));
    const versions = await groupVersions(names);
    for (const g of names) {
      const v = versions[g];
      rows[g].version.textContent = v ? v.version : '—';
      if (v) rows[g].version.title = `group_id ${v.group_id}`;
    }
    if (names.length && !Object.keys(versions).length)
      msg.append(h('p', { class: 'muted' }, 'Versions come from the sync notify stream, which this key may not read.'));
  }
  await fill();
}
