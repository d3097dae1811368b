// The live sessions table: GET /admin/v1/sessions/watch (SSE): one `snapshot`,
// then `session` (upsert) and `removed` events.
import {follow} from './api.js';
import {badge, clear, el, formatTime, shortId, table} from './dom.js';

const kHeaders = ['Session', 'Tenant', 'State', 'Provider', 'Policy', 'Backend', 'Turns',
                  'Events', 'Tokens in/out', 'Cost', 'Created', 'Last active'];

function row(s) {
  const usage = s.usage ?? {};
  return el('tr', {dataset: {sessionId: s.id, state: s.state}},
    el('td', {}, el('a', {href: `#/session/${encodeURIComponent(s.id)}`, title: s.id}, shortId(s.id))),
    el('td', {}, s.tenant ?? ''),
    el('td', {}, badge(s.state ?? '?'), s.running ? null : el('span', {class: 'muted'}, ' (no agent)')),
    el('td', {}, s.provider ?? ''),
    el('td', {}, s.policy ?? ''),
    el('td', {}, s.backend ?? ''),
    el('td', {class: 'num'}, s.turns ?? 0),
    el('td', {class: 'num'}, s.last_seq ?? 0),
    el('td', {class: 'num'}, `${usage.input_tokens ?? 0} / ${usage.output_tokens ?? 0}`),
    el('td', {class: 'num'}, `$${(usage.cost_usd ?? 0).toFixed(4)}`),
    el('td', {}, formatTime(s.created_at)),
    el('td', {}, formatTime(s.last_active_at)));
}

export async function renderSessions(main, _route, signal) {
  const sessions = new Map();
  const state = el('span', {id: 'watch-state', class: 'muted'}, 'connecting…');
  const holder = el('div', {id: 'sessions'});
  main.append(el('h1', {}, 'Sessions ', state), holder);

  const redraw = () => {
    const sorted = [...sessions.values()].sort((a, b) =>
      String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')));
    clear(holder).append(sorted.length
      ? table(kHeaders, sorted.map(row), {id: 'sessions-table'})
      : el('p', {class: 'muted', id: 'no-sessions'}, 'No sessions.'));
  };
  redraw();

  const onEvent = ({event, data}) => {
    let body;
    try { body = JSON.parse(data); } catch { return; }
    if (event === 'snapshot') {
      sessions.clear();
      for (const s of body.sessions ?? []) sessions.set(s.id, s);
    } else if (event === 'session') {
      sessions.set(body.id, body);
    } else if (event === 'removed') {
      sessions.delete(body.id);
    } else {
      return;
    }
    redraw();
  };
  const onState = (what, detail) => {
    state.textContent = what === 'live' ? '● live' : `${what}${detail ? `: ${detail}` : ''}`;
    state.className = what === 'live' ? 'live' : 'muted';
  };
  await follow(() => '/admin/v1/sessions/watch', {onEvent, onState}, signal);
}
