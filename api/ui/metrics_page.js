// A small metrics overview from GET /admin/v1/stats, refreshed every 5 s.
// The full set is Prometheus text at /metrics.
import {call} from './api.js';
import {badge, clear, el, formatBytes} from './dom.js';

function card(label, value, id) {
  return el('div', {class: 'card stat', dataset: {stat: id}}, el('div', {class: 'stat-value'}, value),
            el('div', {class: 'stat-label'}, label));
}

function breakdown(title, counts) {
  const entries = Object.entries(counts ?? {});
  return el('div', {class: 'card'}, el('h2', {}, title),
    entries.length ? el('dl', {class: 'fields'}, entries.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))
                   : el('p', {class: 'muted'}, 'none'));
}

function uptime(seconds) {
  const s = Math.floor(seconds ?? 0);
  return `${Math.floor(s / 3600)}h ${Math.floor(s / 60) % 60}m ${s % 60}s`;
}

function render(holder, st) {
  const p = st.process ?? {};
  clear(holder).append(
    el('div', {class: 'cards'},
       card('sessions', st.sessions?.total ?? 0, 'sessions'),
       card('sandboxes alive', st.sandboxes_alive ?? 0, 'sandboxes'),
       card('uptime', uptime(st.uptime_s), 'uptime'),
       card('resident memory', formatBytes(p.rss_bytes), 'rss'),
       card('open fds', p.open_fds ?? '–', 'fds'),
       card('threads', p.threads ?? '–', 'threads'),
       card('load', (st.load ?? []).map((x) => Number(x).toFixed(2)).join(' '), 'load')),
    el('p', {}, st.ready ? badge('ready', 'allow') : badge('not ready', 'deny'), ' ',
       st.draining ? badge('draining', 'deny') : null, ' audit ',
       st.audit?.healthy ? badge('healthy', 'allow') : badge('unhealthy', 'deny')),
    el('div', {class: 'cards'}, breakdown('By state', st.sessions?.by_state),
       breakdown('By backend', st.sessions?.by_backend), breakdown('By tenant', st.sessions?.by_tenant)));
}

export async function renderMetrics(main, _route, signal) {
  const holder = el('div', {id: 'stats'});
  main.append(el('h1', {}, 'Metrics'), holder,
              el('p', {class: 'muted'}, 'Prometheus metrics: GET /metrics on this port (admin token).'));
  while (!signal.aborted) {
    render(holder, await call('/admin/v1/stats', {signal}));
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}
