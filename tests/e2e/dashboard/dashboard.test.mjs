// Dashboard.SignInWatchKillAudit: the dashboard end to end in headless Chromium.
//
// Starts the real `hotplexd serve` (ephemeral ports, a temp state dir, the fake
// agent as claude_code.command), then in the browser: sign in with a wrong and
// the right admin token, watch a session created through the tenant API appear
// in the live table, open it and see its turn stream (merged text, an allowed
// and a denied tool call), kill it, find session.killed in the audit view, and
// look at the policies and metrics pages. Screenshots of every page go to
// --screenshots. Exits non-zero with a message naming the failed step; the
// daemon's process group is killed in every case.
//
//   node dashboard.test.mjs --hotplexd BIN --fake-agent BIN --modules DIR --screenshots DIR
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []));
for (const name of ['hotplexd', 'fake-agent', 'modules', 'screenshots']) {
  if (!args[name]) { console.error(`usage: missing --${name}`); process.exit(2); }
}

const kChromium = '/usr/bin/chromium';
const kStepTimeout = 20000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotplex-dashboard-'));
fs.chmodSync(dir, 0o711);  // the sandbox's uid traverses it to its workspace and home
let daemon = null;
let browser = null;
let step = 'start';

function fail(message) { throw new Error(`${step}: ${message}`); }
function expect(cond, message) { if (!cond) fail(message); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, probe, timeout = kStepTimeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function writeConfig() {
  const agentDir = path.dirname(args['fake-agent']);
  fs.writeFileSync(path.join(dir, 'config.yaml'), [
    'listen: 127.0.0.1:0',
    'admin_listen: 127.0.0.1:0',
    `state_dir: ${dir}/state`,
    'http:',
    '  sse_keepalive: 1s',
    'claude_code:',
    `  command: [${JSON.stringify(args['fake-agent'])}]`,
    'sandbox:',
    `  extra_mounts: [${JSON.stringify(agentDir)}]`,
    '',
  ].join('\n'));
}

async function startDaemon() {
  writeConfig();
  const log = fs.openSync(path.join(dir, 'serve.log'), 'w');
  daemon = spawn(args.hotplexd, ['serve', '--config', path.join(dir, 'config.yaml')],
                 {detached: true, stdio: ['ignore', log, log]});
  const ports = await waitFor('hotplexd to listen', () => {
    if (daemon.exitCode !== null) fail(`hotplexd exited ${daemon.exitCode}:\n${readLog()}`);
    const m = readLog().match(/serving the API on [\d.]+:(\d+), admin on [\d.]+:(\d+)/);
    return m && {api: Number(m[1]), admin: Number(m[2])};
  });
  return ports;
}

function readLog() {
  try { return fs.readFileSync(path.join(dir, 'serve.log'), 'utf8'); } catch { return ''; }
}

function stopDaemon() {
  if (!daemon || daemon.exitCode !== null) return;
  try { process.kill(-daemon.pid, 'SIGTERM'); } catch {}
  const deadline = Date.now() + 5000;
  while (daemon.exitCode === null && Date.now() < deadline) {
    try { process.kill(-daemon.pid, 0); } catch { return; }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  try { process.kill(-daemon.pid, 'SIGKILL'); } catch {}
}

async function tenantCall(ports, key, method, route, body) {
  const res = await fetch(`http://127.0.0.1:${ports.api}${route}`, {
    method, headers: {Authorization: `Bearer ${key}`, 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.ok, `${method} ${route} -> ${res.status} ${text}`);
  return JSON.parse(text);
}

async function checkAssetHeaders(base) {
  step = 'asset headers';
  for (const [file, type] of [['', 'text/html'], ['app.js', 'text/javascript'], ['style.css', 'text/css']]) {
    const res = await fetch(`${base}/ui/${file}`);
    expect(res.status === 200, `/ui/${file} -> ${res.status}`);
    expect(res.headers.get('content-type').startsWith(type), `/ui/${file} content-type ${res.headers.get('content-type')}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp.includes("default-src 'self'") && csp.includes("frame-ancestors 'none'"), `CSP: ${csp}`);
    expect(res.headers.get('x-content-type-options') === 'nosniff', 'no nosniff');
    expect(res.headers.get('cache-control') === 'no-cache', `cache-control ${res.headers.get('cache-control')}`);
  }
  const missing = await fetch(`${base}/ui/../admin-token`);
  expect(missing.status === 404, `/ui/../admin-token -> ${missing.status}`);
  const unauth = await fetch(`${base}/admin/v1/sessions`);
  expect(unauth.status === 401, `/admin/v1/sessions without a token -> ${unauth.status}`);
}

async function shot(page, name) {
  fs.mkdirSync(args.screenshots, {recursive: true});
  await page.screenshot({path: path.join(args.screenshots, `${name}.png`), fullPage: true});
}

async function signIn(page, base, adminToken) {
  step = 'sign-in page';
  await page.goto(`${base}/ui/`);
  await page.waitForSelector('#sign-in', {timeout: kStepTimeout});
  await shot(page, '01-sign-in');
  step = 'sign in with a wrong token';
  await page.fill('#token', 'not-the-admin-token');
  await page.click('#sign-in button[type=submit]');
  await page.waitForSelector('#sign-in-status .banner-error', {timeout: kStepTimeout});
  expect((await page.textContent('#sign-in-status')).includes('rejected'), 'no "rejected" message');
  await shot(page, '02-sign-in-rejected');
  step = 'sign in';
  await page.fill('#token', adminToken);
  await page.click('#sign-in button[type=submit]');
  await page.waitForSelector('#watch-state.live', {timeout: kStepTimeout});
}

const kScript = 'fake: text Hello from the dashboard test, streaming word by word ;; ' +
  'slow 8 250 ;; tool Bash {"command":"echo dashboard"} ;; ' +
  'tool Bash {"command":"rm -rf ~"} ;; text All done.';

async function watchSession(page, ports, apiKey) {
  step = 'create a session through the tenant API';
  const session = await tenantCall(ports, apiKey, 'POST', '/v1/sessions', {provider: 'claude-code'});
  const row = `#sessions-table tr[data-session-id="${session.id}"]`;
  step = 'session appears in the live table';
  await page.waitForSelector(row, {timeout: kStepTimeout});
  await tenantCall(ports, apiKey, 'POST', `/v1/sessions/${session.id}/messages`, {text: kScript});
  await page.waitForSelector(`${row}[data-state="busy"]`, {timeout: kStepTimeout});
  await shot(page, '03-sessions');
  step = 'session page streams the turn';
  await page.click(`${row} a`);
  await page.waitForSelector('#stream-state.live', {timeout: kStepTimeout});
  await page.waitForFunction(() => [...document.querySelectorAll('#events .ev-text .ev-body')]
    .some((n) => n.textContent.includes('Hello from the dashboard test, streaming')), null,
    {timeout: kStepTimeout});
  await page.waitForSelector('#events .ev-tool_use', {timeout: kStepTimeout});
  await page.waitForSelector('#events .ev-decision.ev-deny', {timeout: kStepTimeout});
  await page.waitForSelector('#events .ev-turn_end', {timeout: kStepTimeout});
  const denied = await page.textContent('#events .ev-decision.ev-deny');
  expect(denied.includes('rm -rf ~'), `the deny does not show the command: ${denied}`);
  await sleep(1500);  // a few field refreshes while the turn settles
  const tables = await page.$$eval('#session-fields dl', (nodes) => nodes.length);
  expect(tables === 1, `the session's fields are shown ${tables} times`);
  await shot(page, '04-session');
  return session.id;
}

async function killSession(page, id) {
  step = 'kill';
  page.once('dialog', (dialog) => dialog.accept());
  await page.click('#kill');
  await page.waitForSelector('#session-notice .banner-ok', {timeout: kStepTimeout});
  await page.waitForSelector('#session-fields .banner-warn', {timeout: kStepTimeout});
  await shot(page, '05-session-killed');
  step = 'the killed session leaves the table';
  await page.click('nav a[data-page=sessions]');
  await page.waitForSelector('#watch-state.live', {timeout: kStepTimeout});
  await waitFor('the row to go', async () =>
    (await page.$(`#sessions-table tr[data-session-id="${id}"]`)) === null);
}

async function auditView(page, id) {
  step = 'audit view';
  await page.click('nav a[data-page=audit]');
  await page.waitForSelector('#audit-filters', {timeout: kStepTimeout});
  await page.fill('#filter-session', id);
  await page.fill('#filter-type', 'session.*');
  await page.click('#audit-filters button[type=submit]');
  await page.waitForSelector('#audit-table tr[data-type="session.killed"]', {timeout: kStepTimeout});
  await page.waitForSelector('#verify .banner-ok', {timeout: kStepTimeout});
  const rows = await page.$$eval('#audit-table tbody tr', (trs) => trs.map((tr) => tr.dataset.type));
  expect(rows.every((t) => t.startsWith('session.')), `filter ignored: ${rows}`);
  await shot(page, '06-audit');
}

async function otherPages(page) {
  step = 'policies page';
  await page.click('nav a[data-page=policies]');
  await page.waitForSelector('#policies-table tr[data-policy="default"]', {timeout: kStepTimeout});
  await shot(page, '07-policies');
  step = 'metrics page';
  await page.click('nav a[data-page=metrics]');
  await page.waitForSelector('#stats [data-stat="sessions"]', {timeout: kStepTimeout});
  await shot(page, '08-metrics');
}

async function main() {
  const ports = await startDaemon();
  const base = `http://127.0.0.1:${ports.admin}`;
  const adminToken = fs.readFileSync(path.join(dir, 'state/admin-token'), 'utf8').trim();
  const apiKey = fs.readFileSync(path.join(dir, 'state/api-key'), 'utf8').trim();
  await checkAssetHeaders(base);
  step = 'launch chromium';
  expect(fs.existsSync(kChromium), `${kChromium} missing: run scripts/install-ui-test-deps`);
  const require = createRequire(path.join(args.modules, 'noop.js'));
  const {chromium} = require('playwright-core');
  browser = await chromium.launch({
    executablePath: kChromium, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({viewport: {width: 1400, height: 900}});
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await signIn(page, base, adminToken);
  const id = await watchSession(page, ports, apiKey);
  await killSession(page, id);
  await auditView(page, id);
  await otherPages(page);
  step = 'no script errors';
  // Chromium logs the expected 401 (wrong token) and 404 (the killed session) as failed
  // resource loads; nothing else may fail.
  const unexpected = consoleErrors.filter((e) => !/Failed to load resource.*status of (401|404)/.test(e));
  expect(unexpected.length === 0, `console errors: ${unexpected.join(' | ')}`);
  console.log(`PASS: screenshots in ${args.screenshots}`);
}

try {
  await main();
} catch (error) {
  console.error(`FAIL: ${error.message}`);
  console.error(`--- hotplexd log\n${readLog().slice(-4000)}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  stopDaemon();
  fs.rmSync(dir, {recursive: true, force: true});
}
