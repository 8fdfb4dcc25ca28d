// The console's shell: hash routing (#/groups, #/group/NAME?face=TOKEN, ...),
// login, and the navigation. Each screen module exports render(main, ctx).
import { session, setKey, get, onUnauthorized, ApiError, explain } from './api.js';
import { h, field } from './dom.js';
import * as groups from './screens/groups.js';
import * as group from './screens/group.js';
import * as enrol from './screens/enrol.js';
import * as recognise from './screens/recognise.js';
import * as compare from './screens/compare.js';
import * as devices from './screens/devices.js';
import * as history from './screens/history.js';
import * as settings from './screens/settings.js';
import * as faces from './screens/faces.js';

const screens = { groups, group, enrol, faces, recognise, compare, devices, history, settings };
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const logout = document.getElementById('logout');
let generation = 0;
let probed = false;

function parseHash() {
  const [path, q = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name = '', ...args] = path.split('/').map(decodeURIComponent);
  return { name: name || 'groups', args, query: new URLSearchParams(q) };
}

// Without a key: does the server answer at all (auth off)?
async function probe() {
  const res = await fetch('/api/version/v1', session.key ? { headers: { Authorization: `Bearer ${session.key}` } } : {});
  if (!session.key) session.authOff = res.ok;
  else if (res.status === 401) setKey('');
  probed = true;
}

function loginScreen(root) {
  const input = h('input', { type: 'password', id: 'api-key', name: 'api-key', autocomplete: 'off', class: 'wide', required: true });
  const msg = h('div', { id: 'login-error', role: 'alert' });
  const form = h('form', { class: 'card', id: 'login-form' },
    h('h1', {}, 'Log in'),
    h('p', { class: 'muted' }, 'Paste an API key. The first start of a server writes an admin key to DATA_DIR/admin.key; ',
      'an admin creates others under Settings. The key stays in this tab only (session storage) and goes with every API call.'),
    h('div', { class: 'row' }, field('API key', input), h('button', { type: 'submit', id: 'login-button' }, 'Log in')),
    msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.replaceChildren();
    const key = input.value.trim();
    try {
      const res = await fetch('/api/version/v1', { headers: { Authorization: `Bearer ${key}` } });
      // 403: a valid key whose role may not read the version (operator): still a login.
      if (res.status !== 200 && res.status !== 403) {
        const env = await res.json().catch(() => ({}));
        throw new ApiError(env.code || -2, env.message, res.status);
      }
      setKey(key);
      if (location.hash === '#/groups') route(); else location.hash = '#/groups';
    } catch (e) {
      msg.append(h('p', { class: 'error' }, explain(e)));
    }
  });
  root.append(form);
  input.focus();
}

async function route() {
  const gen = ++generation;
  const { name, args, query } = parseHash();
  try {
    if (!probed) await probe();
  } catch (e) {
    main.replaceChildren(h('p', { class: 'error' }, explain(new ApiError(-1, 'NETWORK', 0))));
    return;
  }
  const loggedIn = session.authOff || !!session.key;
  nav.hidden = !loggedIn;
  logout.hidden = !session.key;
  main.replaceChildren();
  document.getElementById('toast').textContent = '';
  if (!loggedIn || name === 'login') {
    if (loggedIn) { location.hash = '#/groups'; return; }
    document.title = 'Log in · FacePass console';
    loginScreen(main);
    return;
  }
  const screen = screens[name] || groups;
  for (const a of nav.querySelectorAll('a')) {
    const current = a.dataset.screen === name || (name === 'group' && a.dataset.screen === 'groups');
    if (current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const ctx = { args, query, live: () => gen === generation };
  try {
    await screen.render(main, ctx);
    if (ctx.live()) document.title = `${main.querySelector('h1')?.textContent || 'FacePass'} · FacePass console`;
  } catch (e) {
    if (ctx.live()) main.append(h('p', { class: 'error' }, explain(e)));
  }
}

onUnauthorized(() => {
  if (session.authOff) return;
  setKey('');
  if (!location.hash.startsWith('#/login')) location.hash = '#/login';
});
logout.addEventListener('click', () => { setKey(''); location.hash = '#/login'; });
window.addEventListener('hashchange', route);
route();
