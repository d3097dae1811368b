// The admin API client: the admin token (kept in sessionStorage for this tab
// only), JSON calls, and SSE streams read with fetch() — EventSource cannot send
// an Authorization header, and the token must never go into a URL.

const kTokenKey = 'hotplex.admin_token';
const kMaxSseBuffer = 16 * 1024 * 1024;  // one event larger than this ends the stream

let unauthorizedHandler = () => {};

export function token() { return sessionStorage.getItem(kTokenKey) ?? ''; }
export function setToken(value) { sessionStorage.setItem(kTokenKey, value); }
export function clearToken() { sessionStorage.removeItem(kTokenKey); }
export function onUnauthorized(handler) { unauthorizedHandler = handler; }

export class ApiError extends Error {
  constructor(status, code, message) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

function headers(extra = {}) {
  return {Authorization: `Bearer ${token()}`, ...extra};
}

// A JSON call; 401 signs out (the handler shows the sign-in form) and throws.
export async function call(path, {method = 'GET', body, signal} = {}) {
  const res = await fetch(path, {
    method, signal, cache: 'no-store',
    headers: headers(body === undefined ? {} : {'Content-Type': 'application/json'}),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (res.status === 401) {
    unauthorizedHandler('The admin token was rejected. Sign in again.');
    throw new ApiError(401, 'unauthorized', json?.error?.message ?? 'unauthorized');
  }
  if (!res.ok) {
    throw new ApiError(res.status, json?.error?.code ?? `http_${res.status}`,
                       json?.error?.message ?? text.slice(0, 200));
  }
  return json;
}

// Parses the SSE framing of a response body; calls onEvent({event, id, data}).
export async function readSse(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = {event: 'message', id: null, data: []};
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      let line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (event.data.length) onEvent({event: event.event, id: event.id, data: event.data.join('\n')});
        event = {event: 'message', id: null, data: []};
        continue;
      }
      if (line.startsWith(':')) continue;  // comment (keep-alive)
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let val = colon < 0 ? '' : line.slice(colon + 1);
      if (val.startsWith(' ')) val = val.slice(1);
      if (field === 'data') event.data.push(val);
      else if (field === 'event') event.event = val;
      else if (field === 'id') event.id = val;
    }
    if (buffer.length > kMaxSseBuffer) throw new Error('SSE line over 16 MiB');
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, {once: true});
  });
}

// Follows an SSE route until `signal` aborts, reconnecting with backoff
// (0.5 s doubling to 10 s). `path()` is called for every connection (to resume
// after the last seen event). handlers: onEvent(ev), onState('live'|'reconnecting'|
// 'gone', detail), onEnd() -> false to stop after a stream the server ended.
// A 404 means the thing is gone: onState('gone') and stop.
export async function follow(path, handlers, signal) {
  let delay = 500;
  while (!signal.aborted) {
    try {
      const res = await fetch(path(), {
        signal, cache: 'no-store', headers: headers({Accept: 'text/event-stream'}),
      });
      if (res.status === 401) {
        unauthorizedHandler('The admin token was rejected. Sign in again.');
        return;
      }
      if (res.status === 404) {
        handlers.onState?.('gone', 'not found');
        return;
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      handlers.onState?.('live');
      delay = 500;
      await readSse(res, handlers.onEvent);
      // The server ended the stream: ask whether there is anything left to follow.
      if (handlers.onEnd && !(await handlers.onEnd())) return;
      handlers.onState?.('reconnecting', 'stream ended');
    } catch (error) {
      if (signal.aborted) return;
      handlers.onState?.('reconnecting', String(error?.message ?? error));
    }
    await sleep(delay, signal);
    delay = Math.min(delay * 2, 10000);
  }
}
