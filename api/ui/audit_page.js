// The audit viewer: filters (tenant, session, type, since, until), cursor
// pagination ("More") and the hash chain's verify status.
import {call} from './api.js';
import {banner, clear, el, formatTime, shortId, table} from './dom.js';

const kFilters = [
  ['tenant', 'Tenant', 'acme'],
  ['session', 'Session', 'session id'],
  ['type', 'Type', 'session.* or tool.decision'],
  ['since', 'Since', '2026-11-22T02:00:00Z or ms'],
  ['until', 'Until', '2026-11-22T03:00:00Z or ms'],
];

function dataText(data) {
  const text = JSON.stringify(data ?? {});
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function row(e) {
  return el('tr', {dataset: {seq: e.seq, type: e.type}},
    el('td', {class: 'num'}, e.seq),
    el('td', {}, formatTime(e.ts)),
    el('td', {}, el('code', {}, e.type ?? '')),
    el('td', {}, e.tenant ?? ''),
    el('td', {}, e.session ? el('a', {href: `#/session/${encodeURIComponent(e.session)}`,
                                      title: e.session}, shortId(e.session)) : ''),
    el('td', {}, e.actor ?? ''),
    el('td', {class: 'data', title: JSON.stringify(e.data ?? {})}, dataText(e.data)));
}

async function renderVerify(holder, signal) {
  try {
    const v = await call('/admin/v1/audit/verify', {signal});
    clear(holder).append(v.ok
      ? banner('ok', `Hash chain verified: ${v.checked} records intact.`)
      : banner('error', `Hash chain BROKEN at record ${v.first_bad_seq}: ${v.problem} ` +
                        `(${v.checked} records checked).`));
  } catch (error) {
    if (error.status !== 401) clear(holder).append(banner('error', `Verify failed: ${error.message}`));
  }
}

export async function renderAudit(main, {params}, signal) {
  const verify = el('div', {id: 'verify'}, banner('info', 'Verifying the hash chain…'));
  const inputs = Object.fromEntries(kFilters.map(([name, , placeholder]) =>
    [name, el('input', {name, id: `filter-${name}`, placeholder, value: params.get(name) ?? ''})]));
  const form = el('form', {id: 'audit-filters', class: 'filters'},
    kFilters.map(([name, label]) => el('label', {}, label, inputs[name])),
    el('button', {type: 'submit'}, 'Apply'));
  const status = el('div', {id: 'audit-status'});
  const body = el('tbody');
  const more = el('button', {type: 'button', id: 'audit-more', hidden: true}, 'More');
  main.append(el('h1', {}, 'Audit'), verify, form, status,
              el('table', {id: 'audit-table'},
                 el('thead', {}, el('tr', {}, ['Seq', 'Time', 'Type', 'Tenant', 'Session', 'Actor', 'Data']
                                              .map((h) => el('th', {}, h)))), body),
              more);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [name] of kFilters) if (inputs[name].value.trim()) q.set(name, inputs[name].value.trim());
    location.hash = `#/audit?${q}`;
  });
  let cursor = null;
  const load = async () => {
    const q = new URLSearchParams();
    for (const [name] of kFilters) if (params.get(name)) q.set(name, params.get(name));
    q.set('limit', '100');
    if (cursor) q.set('cursor', cursor);
    try {
      const page = await call(`/admin/v1/audit?${q}`, {signal});
      for (const e of page.entries ?? []) body.append(row(e));
      cursor = page.next_cursor ?? null;
      more.hidden = !cursor;
      clear(status);
      if (!body.childElementCount) status.append(el('p', {class: 'muted'}, 'No records match.'));
    } catch (error) {
      if (error.status !== 401) clear(status).append(banner('error', error.message));
    }
  };
  more.addEventListener('click', load);
  await Promise.all([renderVerify(verify, signal), load()]);
}
