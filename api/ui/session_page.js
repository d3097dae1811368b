// One session: its fields, a Kill button and the live event stream from
// GET /admin/v1/sessions/{id}/transcript?follow=1 (persisted events, then live
// ones). Text deltas are merged into one block; tool calls, permission
// decisions (allow / deny), tool results, usage, turn ends, errors and exits
// each have their own look.
import {ApiError, call, follow} from './api.js';
import {badge, banner, clear, el, formatTime} from './dom.js';

const kMaxEvents = 5000;  // older blocks are dropped from the page (not from the server)

function json(value) {
  const text = JSON.stringify(value ?? null);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

function head(ev, ...label) {
  return el('div', {class: 'ev-head'},
    el('span', {class: 'ev-seq'}, `#${ev.seq}`),
    el('span', {class: 'ev-type'}, ev.type), ...label,
    el('span', {class: 'ev-ts muted'}, formatTime(ev.ts)));
}

// The body of one non-text event.
function eventBody(ev) {
  const d = ev.data ?? {};
  switch (ev.type) {
    case 'tool_use':
      return [head(ev, el('strong', {}, d.name ?? '')), el('pre', {}, json(d.input))];
    case 'permission_request':
      return [head(ev, el('strong', {}, d.tool ?? ''), ` rule ${d.rule ?? ''}`),
              el('div', {}, d.message ?? ''), el('pre', {}, json(d.input))];
    case 'permission_decision':
      return [head(ev, badge(d.decision ?? '?', d.decision === 'allow' ? 'allow' : 'deny'),
                   el('strong', {}, ` ${d.tool ?? ''}`), ` by ${d.source ?? ''}`),
              el('pre', {}, d.input_summary ?? ''),
              d.rule ? el('div', {class: 'ev-rule'}, `rule ${d.rule}`,
                          d.level ? ` · ${d.level}` : '', d.category ? ` · ${d.category}` : '') : null,
              d.message ? el('div', {class: 'ev-message'}, d.message) : null];
    case 'tool_result':
      return [head(ev, d.is_error ? badge('error', 'deny') : badge('ok', 'allow')),
              el('pre', {}, typeof d.content === 'string' ? d.content : json(d.content))];
    case 'status':
      return [head(ev, badge(d.state ?? '?'), ` ${d.reason ?? ''}`)];
    case 'usage':
      return [head(ev, ` in ${d.input_tokens ?? 0} · out ${d.output_tokens ?? 0} · cache ` +
                       `${d.cache_read_tokens ?? 0}/${d.cache_creation_tokens ?? 0} · ` +
                       `$${(d.cost_usd ?? 0).toFixed(4)}`)];
    case 'turn_end':
      return [head(ev, ` turn ${d.turn ?? '?'} ${d.subtype ?? ''} in ${d.duration_ms ?? '?'} ms`),
              d.result ? el('div', {}, d.result) : null];
    case 'error':
      return [head(ev, el('strong', {}, d.code ?? '')), el('div', {}, d.message ?? '')];
    case 'exit':
      return [head(ev, el('strong', {}, d.outcome ?? ''), ` code ${d.code ?? ''}`),
              el('div', {}, d.description ?? '')];
    default:
      return [head(ev), el('pre', {}, json(d))];
  }
}

function eventClass(ev) {
  const d = ev.data ?? {};
  if (ev.type === 'permission_decision') return `ev ev-decision ev-${d.decision === 'allow' ? 'allow' : 'deny'}`;
  if (ev.type === 'tool_result' && d.is_error) return 'ev ev-tool_result ev-failed';
  return `ev ev-${ev.type}`;
}

class EventView {
  constructor(list) {
    this.list = list;
    this.lastText = null;  // the text block deltas are appended to
    this.lastSeq = 0;
  }

  add(ev) {
    if (typeof ev.seq === 'number') {
      if (ev.seq <= this.lastSeq) return;  // replayed after a reconnect
      this.lastSeq = ev.seq;
    }
    const stick = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 40;
    if ((ev.type === 'text' || ev.type === 'thinking') && ev.data?.delta !== false &&
        this.lastText?.dataset.type === ev.type) {
      this.lastText.querySelector('.ev-body').append(ev.data?.text ?? '');
    } else if (ev.type === 'text' || ev.type === 'thinking') {
      this.lastText = el('div', {class: `ev ev-${ev.type}`, dataset: {type: ev.type, seq: ev.seq}},
                         head(ev), el('div', {class: 'ev-body'}, ev.data?.text ?? ''));
      this.list.append(this.lastText);
    } else {
      this.lastText = null;
      this.list.append(el('div', {class: eventClass(ev), dataset: {type: ev.type, seq: ev.seq}},
                          eventBody(ev)));
    }
    while (this.list.childElementCount > kMaxEvents) this.list.firstElementChild.remove();
    if (stick) this.list.scrollTop = this.list.scrollHeight;
  }
}

function fieldsTable(s) {
  const rows = [['Id', s.id], ['Tenant', s.tenant], ['State', badge(s.state ?? '?')],
                ['Reason', s.state_reason], ['Provider', s.provider], ['Policy', s.policy],
                ['Backend', s.backend], ['Agent running', s.running ? 'yes' : 'no'],
                ['Workdir', s.workdir], ['Key', s.key], ['Turns', s.turns],
                ['Created', formatTime(s.created_at)], ['Last active', formatTime(s.last_active_at)]];
  return el('dl', {class: 'fields'}, rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '')]));
}

async function kill(id, notice) {
  if (!window.confirm(`Kill session ${id}?\nThe agent is stopped for good and the session forgotten.`)) return;
  try {
    const res = await call(`/admin/v1/sessions/${encodeURIComponent(id)}/kill`, {method: 'POST'});
    clear(notice).append(banner('ok', `Killed: state ${res?.state ?? '?'} (${res?.reason ?? ''})`));
  } catch (error) {
    if (error.status !== 401) clear(notice).append(banner('error', `Kill failed: ${error.message}`));
  }
}

export async function renderSession(main, {arg: id}, signal) {
  const notice = el('div', {id: 'session-notice'});
  const fields = el('div', {id: 'session-fields'});
  const stream = el('span', {id: 'stream-state', class: 'muted'}, 'connecting…');
  const list = el('div', {id: 'events', class: 'events'});
  const killButton = el('button', {type: 'button', id: 'kill', class: 'danger'}, 'Kill');
  killButton.addEventListener('click', () => kill(id, notice));
  main.append(el('h1', {}, 'Session ', el('code', {}, id), ' ', killButton),
              el('p', {}, el('a', {href: `#/audit?session=${encodeURIComponent(id)}`}, 'Audit records of this session')),
              notice, fields, el('h2', {}, 'Events ', stream), list);
  const refresh = async () => {
    try {
      // Fetch first, then replace: two overlapping refreshes must not both append.
      const session = await call(`/admin/v1/sessions/${encodeURIComponent(id)}`, {signal});
      clear(fields).append(fieldsTable(session));
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        clear(fields).append(banner('warn', 'The session no longer exists (killed or deleted).'));
        return false;
      }
      throw error;
    }
  };
  await refresh();
  const view = new EventView(list);
  const base = `/admin/v1/sessions/${encodeURIComponent(id)}/transcript?follow=1`;
  await follow(() => `${base}&after=${view.lastSeq}`, {
    onEvent: ({data}) => {
      let ev;
      try { ev = JSON.parse(data); } catch { return; }
      view.add(ev);
      if (ev.type === 'status' || ev.type === 'turn_end') refresh().catch(() => {});
    },
    onState: (what, detail) => {
      stream.textContent = what === 'live' ? '● live' : `${what}${detail ? `: ${detail}` : ''}`;
      stream.className = what === 'live' ? 'live' : 'muted';
    },
    onEnd: async () => {
      const alive = await refresh().catch(() => false);
      if (!alive) { stream.textContent = 'ended'; stream.className = 'muted'; }
      return alive;
    },
  }, signal);
}
