// Devices: the sync status table (GET /api/service/sync/v1/status), one row
// per device and group; a device is stale when its last sync is older than
// the chosen age or a group it holds is behind the group's current version.
import { get, groupVersions } from '../api.js';
import { h, field, fmtTime } from '../dom.js';
import { errorLine } from './common.js';

const RESULT = { 0: 'ok', 1: 'failed / kept local' };

export async function render(main, ctx) {
  const age = h('input', { type: 'number', id: 'stale-minutes', min: 1, value: 15 });
  const refresh = h('button', { type: 'button', id: 'devices-refresh', class: 'secondary' }, 'Refresh');
  const msg = h('div', {});
  const tbody = h('tbody', { id: 'devices-body' });
  const cols = ['Device IP', 'Version', 'Last sync', 'Group', 'Local → cloud version', 'Result', 'Added / deleted', 'State'];
  main.append(h('h1', {}, 'Devices'),
    h('div', { class: 'card row' }, field('Stale after (minutes without a sync)', age), refresh), msg,
    h('div', { class: 'table-wrap' }, h('table', { id: 'devices-table' },
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))), tbody)));

  async function fill() {
    msg.replaceChildren();
    let data;
    try {
      data = await get('/api/service/sync/v1/status');
    } catch (e) {
      msg.append(errorLine(e));
      return;
    }
    const devices = data.devices || [];
    const names = [...new Set(devices.flatMap((d) => ((d.sync_status || {}).groups || []).map((g) => g.group_name)))];
    const current = names.length ? await groupVersions(names) : {};
    if (!ctx.live()) return;
    tbody.replaceChildren();
    if (!devices.length) tbody.append(h('tr', {}, h('td', { colspan: cols.length, class: 'muted' }, 'No device has synced yet.')));
    const limit = Date.now() - Math.max(1, Number(age.value) || 15) * 60000;
    for (const d of devices) {
      const st = d.sync_status || {};
      const groups = st.groups && st.groups.length ? st.groups : [null];
      const old = !st.sync_time || st.sync_time < limit;
      groups.forEach((g, i) => {
        const now = g && current[g.group_name];
        const behind = g && now && g.result_code === 0 && (now.group_id !== g.group_id || now.version > g.result_version);
        const why = [old ? 'no recent sync' : '', behind ? `behind (now v${now.version})` : ''].filter(Boolean).join(', ');
        const r = g && g.result ? g.result : {};
        tbody.append(h('tr', { class: why ? 'stale' : '', dataset: { ip: d.ip, group: g ? g.group_name : '' } },
          h('td', { class: 'mono' }, i === 0 ? d.ip : ''), h('td', {}, i === 0 ? d.version || '—' : ''),
          h('td', {}, i === 0 ? fmtTime(st.sync_time) : ''),
          h('td', {}, g ? h('a', { href: `#/group/${encodeURIComponent(g.group_name)}` }, g.group_name) : '—'),
          h('td', { class: 'versions' }, g ? `${g.local_version} → ${g.cloud_version}` : '—'),
          h('td', {}, g ? RESULT[g.result_code] || String(g.result_code) : '—'),
          h('td', { class: 'added' }, g ? `+${r.facetoken_added ?? 0} / −${r.facetoken_deleted ?? 0}` : '—'),
          h('td', { class: 'state' }, why ? h('span', { class: 'bad' }, `stale: ${why}`) : h('span', { class: 'ok' }, 'up to date'))));
      });
    }
  }
  refresh.addEventListener('click', fill);
  age.addEventListener('change', fill);
  await fill();
}
