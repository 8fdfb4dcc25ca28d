// The public HTTP API as the console uses it: the key (page memory plus
// sessionStorage, never a cookie or the URL), the envelope, and the spec's
// error codes turned into sentences.

const KEY = 'facepass.apiKey';
export const session = { key: sessionStorage.getItem(KEY) || '', authOff: false, isAdmin: null };

export function setKey(key) {
  session.key = key;
  session.isAdmin = null;
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

let unauthorizedHandler = () => {};
export function onUnauthorized(fn) { unauthorizedHandler = fn; }

export class ApiError extends Error {
  constructor(code, message, status, data) {
    super(message || `HTTP ${status}`);
    this.code = code;
    this.status = status;
    this.data = data || {};
  }
}

function headers(extra = {}) {
  const hd = { ...extra };
  if (session.key) hd.Authorization = `Bearer ${session.key}`;
  return hd;
}

function withQuery(path, query) {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.append(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function send(method, path, { json, form, query, signal } = {}) {
  const init = { method, headers: headers(), signal };
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form;  // FormData: the browser writes the multipart boundary
  }
  try {
    return await fetch(withQuery(path, query), init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(-1, 'NETWORK', 0);
  }
}

async function envelope(res) {
  let env;
  try { env = await res.json(); } catch { throw new ApiError(-2, `HTTP ${res.status}`, res.status); }
  if (env.code !== 0) {
    if (env.code === 104401) unauthorizedHandler();
    throw new ApiError(env.code, env.message, res.status, env.data);
  }
  return env.data;
}

// JSON answers: resolves with `data`, rejects with an ApiError.
export async function api(method, path, opts) {
  return envelope(await send(method, path, opts));
}
export const get = (path, query) => api('GET', path, { query });
export const post = (path, json) => api('POST', path, { json });
export const postForm = (path, form) => api('POST', path, { form });

// An image (GET /api/image/v1/query?face_token= or ?image_id=) as a blob: URL
// for <img>: the request needs the key header, which an <img src> cannot send.
const images = new Map();
export function imageUrl(query) {
  const id = JSON.stringify(query);
  if (!images.has(id)) {
    const p = (async () => {
      const res = await send('GET', '/api/image/v1/query', { query });
      if ((res.headers.get('Content-Type') || '').startsWith('application/json')) await envelope(res);
      if (!res.ok) throw new ApiError(-2, `HTTP ${res.status}`, res.status);
      return URL.createObjectURL(await res.blob());
    })();
    p.catch(() => images.delete(id));
    if (images.size > 500) {
      const [first, old] = images.entries().next().value;
      images.delete(first);
      old.then((u) => URL.revokeObjectURL(u), () => {});
    }
    images.set(id, p);
  }
  return images.get(id);
}

// Current version (and id) of each named group from the notify stream's first
// events (GET /api/service/sync/v1/notify: it starts with each group's state).
// Resolves {name: {version, group_id}}; names it could not learn are absent.
export async function groupVersions(names, timeoutMs = 4000) {
  const out = {};
  for (let i = 0; i < names.length; i += 64) {
    const chunk = names.slice(i, i + 64);
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    try {
      const res = await send('GET', '/api/service/sync/v1/notify', { query: { groups: chunk.join(',') }, signal: ctl.signal });
      if (!(res.headers.get('Content-Type') || '').startsWith('text/event-stream')) { await envelope(res); return out; }
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '', seen = 0;
      while (seen < chunk.length) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
          if (!/^event: ?version$/m.test(block) || !data) continue;
          const ev = JSON.parse(data);
          if (!(ev.group_name in out)) seen++;
          out[ev.group_name] = { version: ev.version, group_id: ev.group_id };
        }
      }
    } catch {
      // No stream (a role without it, an older server): versions stay unknown.
    } finally {
      clearTimeout(timer);
      ctl.abort();
    }
  }
  return out;
}

// Whether the key may use admin endpoints (keys list answers only for admin).
export async function isAdmin() {
  if (session.isAdmin === null) {
    try { await get('/api/keys/v1/list'); session.isAdmin = true; } catch { session.isAdmin = false; }
  }
  return session.isAdmin;
}

const GATES = {
  face_min: 'face size (px, shorter side)', yaw: 'head turn (yaw, degrees)', pitch: 'head tilt up/down (pitch, degrees)',
  roll: 'head tilt sideways (roll, degrees)', blur: 'blur', brightness: 'brightness', std_deviation: 'contrast (grey standard deviation)',
};

// "blur=0.31>0.2" -> "blur 0.31 is above the limit 0.2".
export function explainGate(reason) {
  const m = /^([a-z_]+)=(-?[\d.]+)([<>])(-?[\d.]+)$/.exec(reason || '');
  if (!m) return reason || '';
  const [, gate, value, op, limit] = m;
  return `${GATES[gate] || gate} ${value} is ${op === '>' ? 'above the limit' : 'below the minimum'} ${limit}`;
}

function after(msg) {
  const i = msg.indexOf(': ');
  return i >= 0 ? msg.slice(i + 2) : '';
}

// An error in words; the code and message stay in brackets for a bug report.
export function explain(err) {
  if (!(err instanceof ApiError)) return `Something went wrong in the console: ${err && err.message ? err.message : err}`;
  const detail = after(err.message);
  const words = {
    [-1]: 'The server cannot be reached. Check that it is running and the network is up.',
    [-2]: 'The server sent an answer the console does not understand.',
    104000: 'The server could not read the request (not valid JSON).',
    104001: `A value is not valid${detail ? `: ${detail}` : ''}.`,
    104002: `Something required is missing${detail ? `: ${detail}` : ''}.`,
    104100: 'The file is not an image the server accepts (JPEG or PNG; recognise and compare also take BMP), or it is damaged.',
    104101: 'The image size is out of range: each side must be at least 100 px and the area at most 4096 x 4096.',
    104102: 'The file is too large (at most 4 MiB per image).',
    104103: `Image ${detail.replace('image_', '') || ''} is too large or too small to compare (at most 2560 x 2560, sides at least 50 px, 4 MiB).`,
    104200: `No face was found${detail ? ` in image ${detail.replace('image_', '')}` : ' in the image'}.`,
    104201: `The face fails a quality gate: ${explainGate(detail)}.`,
    104202: 'That face no longer exists (it was deleted, or the face token is unknown).',
    104203: 'That image does not exist (or the capture was purged).',
    104300: 'A group with this name already exists.',
    104301: 'There is no group with this name.',
    104303: 'That face is not bound to this group.',
    104401: 'The API key was refused (missing, unknown or revoked). Log in again.',
    104403: `Your key's role${detail ? ` (${detail})` : ''} may not do this.`,
    104404: 'The server does not offer this (unknown path; an older server?).',
    104405: 'The server does not accept this kind of request here.',
    104429: 'Too many failed logins from this address: wait a minute and try again.',
    104901: 'The liveness check failed: a liveness score is below the threshold.',
    105000: 'The server had an internal error; its log says more.',
    105003: 'The server is busy; try again in a moment.',
    105004: 'The database did not answer; try again in a moment.',
  };
  const text = words[err.code] || `The server refused the request.`;
  return err.code > 0 ? `${text} (${err.message}, code ${err.code})` : text;
}
