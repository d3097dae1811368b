// Policies: every policy with its source file and validation errors; reload.
import {call} from './api.js';
import {badge, banner, clear, el, table} from './dom.js';

function diagnostic(d) {
  return el('li', {}, el('code', {}, `${d.file ?? ''}:${d.line ?? 0}:${d.column ?? 0}`),
            d.path ? ` ${d.path}: ` : ' ', d.message ?? '');
}

function row(p) {
  return el('tr', {dataset: {policy: p.name}},
    el('td', {}, el('strong', {}, p.name)),
    el('td', {}, el('code', {}, p.source ?? '')),
    el('td', {}, p.backend ?? ''),
    el('td', {}, p.valid ? badge('valid', 'allow') : badge('invalid', 'deny')),
    el('td', {}, (p.errors ?? []).length ? el('ul', {class: 'errors'}, p.errors.map(diagnostic)) : ''));
}

export async function renderPolicies(main, _route, signal) {
  const notice = el('div', {id: 'policies-notice'});
  const holder = el('div', {id: 'policies'});
  const reload = el('button', {type: 'button', id: 'reload'}, 'Reload from disk');
  main.append(el('h1', {}, 'Policies ', reload), notice, holder);
  const show = async () => {
    const res = await call('/admin/v1/policies', {signal});
    clear(holder).append(table(['Name', 'Source', 'Backend', 'Status', 'Errors'],
                               (res.policies ?? []).map(row), {id: 'policies-table'}));
    if ((res.errors ?? []).length) {
      holder.append(el('h2', {}, 'Diagnostics of the last reload'),
                    el('ul', {class: 'errors'}, res.errors.map(diagnostic)));
    }
  };
  reload.addEventListener('click', async () => {
    try {
      const r = await call('/admin/v1/policies/reload', {method: 'POST'});
      clear(notice).append(banner(r.ok ? 'ok' : 'warn',
        `Reloaded: ${(r.loaded ?? []).length} loaded, ${(r.failed ?? []).length} failed, ` +
        `${(r.removed ?? []).length} removed.`));
      await show();
    } catch (error) {
      if (error.status !== 401) clear(notice).append(banner('error', error.message));
    }
  });
  await show();
}
