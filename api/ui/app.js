// The dashboard's entry point: sign in, the hash router and the navigation bar.
// Pages live in their own modules; each gets the <main> element, its route
// parameters and an AbortSignal that fires when the operator navigates away.
import {call, clearToken, onUnauthorized, setToken, token} from './api.js';
import {banner, clear, el} from './dom.js';
import {renderAudit} from './audit_page.js';
import {renderMetrics} from './metrics_page.js';
import {renderPolicies} from './policies_page.js';
import {renderSession} from './session_page.js';
import {renderSessions} from './sessions_page.js';

const main = document.getElementById('main');
const bar = document.getElementById('bar');
let pageAbort = new AbortController();
let signInMessage = '';

function parseRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {page: parts[0] || 'sessions', arg: parts[1] ?? '', params: new URLSearchParams(query)};
}

function renderSignIn() {
  bar.hidden = true;
  const input = el('input', {type: 'password', id: 'token', name: 'token', required: true,
                             autocomplete: 'current-password', placeholder: 'admin token'});
  const status = el('div', {id: 'sign-in-status'},
                    signInMessage ? banner('error', signInMessage) : null);
  const form = el('form', {id: 'sign-in', class: 'card sign-in'},
    el('h1', {}, 'HotPlex'),
    el('p', {}, 'Sign in with the admin token (',
       el('code', {}, '<state_dir>/admin-token'), ').'),
    el('label', {for: 'token'}, 'Admin token'), input,
    el('button', {type: 'submit'}, 'Sign in'),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    signInMessage = '';
    try {
      await call('/admin/v1/stats');
      if (!location.hash || location.hash === '#/login') location.hash = '#/sessions';
      else route();
    } catch (error) {
      if (error.status !== 401) clear(status).append(banner('error', error.message));
    }
  });
  clear(main).append(form);
  input.focus();
}

function signOut(message) {
  clearToken();
  signInMessage = message ?? '';
  pageAbort.abort();
  renderSignIn();
}

const kPages = {
  sessions: renderSessions,
  session: renderSession,
  audit: renderAudit,
  policies: renderPolicies,
  metrics: renderMetrics,
};

function route() {
  pageAbort.abort();
  pageAbort = new AbortController();
  if (!token()) return renderSignIn();
  const {page, arg, params} = parseRoute();
  const render = kPages[page] ?? renderSessions;
  bar.hidden = false;
  for (const a of bar.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.dataset.page === page ||
                                 (page === 'session' && a.dataset.page === 'sessions'));
  }
  clear(main);
  const signal = pageAbort.signal;
  render(main, {arg, params}, signal).catch((error) => {
    if (error?.status === 401 || signal.aborted) return;
    main.append(banner('error', `Could not load the page: ${error?.message ?? error}`));
  });
}

onUnauthorized((message) => signOut(message));
document.getElementById('sign-out').addEventListener('click', () => signOut('Signed out.'));
window.addEventListener('hashchange', route);
route();
