// tests/e2e/console.mjs - the web console in a real browser (Debian's
// chromium, headless, driven by puppeteer-core; no browser download).
// Run by tests/e2e/console.sh inside the lab namespace; talks to the shell
// side through files in DIR: it writes "ready-boot" when the host is
// flagged (the shell then boots the QEMU client) and waits for
// "boot-done"; then "ready-missing" / "missing-done" for the broken one.
//
//   node console.mjs BASE_URL TOKEN HOST_MAC UNKNOWN_MAC MISSING_MAC DIR
import { createRequire } from 'node:module';
import fs from 'node:fs';
const require = createRequire(process.env.NPM_DIR + '/node_modules/');
const puppeteer = require('puppeteer-core');

const [base, token, hostMac, xssMac, missingMac, dir, pwMac, importFrom] = process.argv.slice(2);
let failures = 0;
const ok = (m) => console.log('ok: ' + m);
const bad = (m) => { console.log('FAIL: ' + m); failures++; };
const expect = (c, m) => (c ? ok(m) : bad(m));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const shot = async (page, name) => {
  await page.screenshot({ path: `${dir}/console-${name}.png`, fullPage: true });
  ok('screenshot console-' + name + '.png');
};
const waitFile = async (f, s) => {
  for (let i = 0; i < s * 5; i++) { if (fs.existsSync(`${dir}/${f}`)) return true; await sleep(200); }
  return false;
};

const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const dialogs = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.type() + ':' + d.message());
    if (d.type() === 'prompt') await d.accept('adopted1');
    else await d.accept();
  });
  page.on('pageerror', (e) => bad('page error: ' + e.message));
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused/.test(m.text())) violations.push(m.text()); });

  // ---- headers ------------------------------------------------------
  const resp = await page.goto(base + '/console/', { waitUntil: 'networkidle0' });
  const h = resp.headers();
  expect(/script-src 'self'/.test(h['content-security-policy'] || '') &&
    !/unsafe-inline/.test(h['content-security-policy']), 'strict CSP header');
  expect(h['x-frame-options'] === 'DENY', 'X-Frame-Options: DENY');

  // ---- sign-in ------------------------------------------------------
  await page.waitForSelector('#token', { visible: true });
  await shot(page, 'signin');
  await page.type('#token', 'wrong-token-wrong-token');
  await page.click('#login button[type=submit]');
  await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
  expect(await page.$eval('#nav', (n) => getComputedStyle(n).display === 'none'), 'wrong token: not signed in');
  let cookies = await page.cookies();
  expect(!cookies.some((c) => c.name === 'bysess'), 'wrong token: no session cookie');
  await page.type('#token', token);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#fleet tbody tr', { timeout: 10000 });
  expect(await page.$eval('#login', (n) => getComputedStyle(n).display === 'none') &&
    await page.$eval('#nav', (n) => getComputedStyle(n).display !== 'none'),
    'right token: signed in (form gone, navigation shown)');
  cookies = await page.cookies();
  const sc = cookies.find((c) => c.name === 'bysess');
  expect(sc && sc.httpOnly && sc.sameSite === 'Strict' && sc.expires > 0,
    'right token: session cookie HttpOnly, SameSite=Strict, expiring');

  // ---- no session / wrong CSRF change nothing -----------------------
  const probe = await page.evaluate(async (mac) => {
    const hosts = async () => (await (await fetch('/api/v1/hosts')).json()).length;
    const before = await hosts();
    const body = JSON.stringify({ macs: ['52:54:00:99:99:01'] });
    const noCsrf = await fetch('/api/v1/hosts', { method: 'POST', body,
      headers: { 'Content-Type': 'application/json' } });
    const wrong = await fetch('/api/v1/hosts', { method: 'POST', body,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'f'.repeat(64) } });
    const noSess = await fetch('/api/v1/hosts', { method: 'POST', body, credentials: 'omit',
      headers: { 'Content-Type': 'application/json' } });
    return { before, after: await hosts(), noCsrf: noCsrf.status, wrong: wrong.status, noSess: noSess.status };
  }, hostMac);
  expect(probe.noCsrf === 401 && probe.wrong === 401 && probe.noSess === 401,
    `no CSRF / wrong CSRF / no session refused (${probe.noCsrf} ${probe.wrong} ${probe.noSess})`);
  expect(probe.before === probe.after, 'and nothing was created');

  // ---- hostile vendor class: text, no script --------------------------
  await page.evaluate(() => { window.__xss = 0; window.alert = () => { window.__xss++; }; });
  const vendor = await page.$eval(`tr[data-mac="${xssMac}"] .vendor`, (n) => n.textContent);
  expect(vendor === '<img src=x onerror=alert(1)>', 'vendor class shown as that text');
  const imgs = await page.$$eval('#fleet img', (l) => l.length);
  expect(imgs === 0, 'no <img> element made from it');
  await sleep(300);
  expect(dialogs.length === 0 && (await page.evaluate(() => window.__xss)) === 0, 'no script ran');
  await shot(page, 'fleet-start');

  // ---- host page: reinstall with a distribution ---------------------
  const hostLink = await page.$eval(`tr[data-mac="${hostMac}"] a`, (a) => a.getAttribute('href'));
  await page.goto(base + '/console/' + hostLink, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#reinstall');
  await page.select('#distro', 'standin');
  await page.click('#reinstall');
  await page.waitForFunction(() => document.getElementById('host-action') &&
    document.getElementById('host-action').textContent === 'install', { timeout: 5000 });
  ok('clicking reinstall flagged the host (action install)');
  await shot(page, 'host');

  // ---- fleet open while the client boots: the row moves live --------
  await page.goto(base + '/console/#/fleet', { waitUntil: 'networkidle0' });
  await page.waitForSelector(`tr[data-mac="${hostMac}"]`);
  await page.evaluate(() => { window.__noReload = true; });
  fs.writeFileSync(`${dir}/ready-boot`, '');
  const seen = [];
  let shotBooting = false;
  for (let i = 0; i < 200 * 5; i++) {
    const st = await page.$eval(`tr[data-mac="${hostMac}"] td.diag`, (n) => n.dataset.stage).catch(() => null);
    if (st && seen[seen.length - 1] !== st) { seen.push(st); console.log('  row stage: ' + st); }
    if (!shotBooting && st === 'installer') { await shot(page, 'booting'); shotBooting = true; }
    if (fs.existsSync(`${dir}/boot-done`) && st === 'done') break;
    await sleep(200);
  }
  expect(await page.evaluate(() => window.__noReload === true), 'no page reload');
  expect(seen.length >= 3 && seen.includes('done'),
    'the row moved through the stages live: ' + seen.join(' > '));
  const act = await page.$eval(`tr[data-mac="${hostMac}"] td.action`, (n) => n.textContent);
  expect(act === 'local', 'after the install the host is back on local boot');
  const dtext = await page.$eval(`tr[data-mac="${hostMac}"] .diag-text`, (n) => n.textContent);
  expect(/installed/.test(dtext), 'diagnosis: ' + dtext);

  // ---- the broken client ---------------------------------------------
  fs.writeFileSync(`${dir}/ready-missing`, '');
  await waitFile('missing-done', 120);
  let mtext = '';
  for (let i = 0; i < 60; i++) {
    mtext = await page.$eval(`tr[data-mac="${missingMac}"] .diag-text`, (n) => n.textContent).catch(() => '');
    if (/not found/.test(mtext)) break;
    await sleep(200);
  }
  expect(/asked TFTP for boot\.ipxe: not found/.test(mtext), 'missing boot file diagnosed: ' + mtext);
  await page.select('#filter', 'failed');
  await shot(page, 'fleet-failed');
  await page.select('#filter', 'all');
  await shot(page, 'fleet');

  // ---- other pages ---------------------------------------------------
  await page.goto(base + '/console/#/appliance', { waitUntil: 'networkidle0' });
  await page.waitForSelector('#appliance');
  await shot(page, 'appliance');
  await page.goto(base + '/console/#/distros', { waitUntil: 'networkidle0' });
  await page.waitForSelector('#distros');
  await shot(page, 'distros');
  await page.setViewport({ width: 390, height: 800 });
  await page.goto(base + '/console/#/fleet', { waitUntil: 'networkidle0' });
  await page.waitForSelector('#fleet tbody tr');
  await shot(page, 'phone');

  // ---- adopt the unknown MAC, sign out -------------------------------
  await page.setViewport({ width: 1280, height: 800 });
  await page.click(`tr[data-mac="${xssMac}"] button.adopt`);
  await page.waitForSelector('#host-action', { timeout: 5000 });
  ok('unknown MAC adopted in two clicks');
  await page.$eval('#edit-attrs', (n) => { n.value = 'rack=r7\nrow=b'; });
  await page.click('#save');
  await page.waitForFunction(() => /rack/.test((document.getElementById('host-attrs') || {}).textContent || ''), { timeout: 10000 });
  await sleep(500);
  expect(await page.$eval('#host-attrs', (n) => n.textContent.includes('r7') && n.textContent.includes('row')),
    'host edited: attributes saved');
  // ---- power: a Wake-on-LAN host gets its button; the packet goes out -
  await page.goto(base + '/console/#/fleet', { waitUntil: 'networkidle0' });
  await page.waitForSelector(`tr[data-mac="${pwMac}"] a`);
  const pwLink = await page.$eval(`tr[data-mac="${pwMac}"] a`, (a) => a.getAttribute('href'));
  await page.goto(base + '/console/' + pwLink, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#power-on', { timeout: 5000 });
  expect(await page.$('#power-off') === null, 'a Wake-on-LAN host has only "Power on"');
  expect(await page.$('#reinstall-cycle') !== null, 'reinstall offers power-cycle for a host with a power method');
  await page.click('#power-on');
  await page.waitForFunction(() => /^on(:| failed)/.test((document.getElementById('power-status') || {}).textContent || ''), { timeout: 15000 });
  const ptext = await page.$eval('#power-status', (n) => n.textContent);
  expect(/^on: /.test(ptext), 'power on through the console: ' + ptext);
  fs.writeFileSync(`${dir}/power-clicked`, '');
  await shot(page, 'host-power');

  // ---- import a distribution from the page -------------------------
  await page.goto(base + '/console/#/distros', { waitUntil: 'networkidle0' });
  await page.waitForSelector('#import-form');
  await page.type('#import-name', 'deb12');
  await page.type('#import-from', importFrom);
  await page.click('#import');
  await page.waitForFunction(() => /^(imported|import failed|import refused)/.test((document.getElementById('import-status') || {}).textContent || ''), { timeout: 30000 });
  const itext = await page.$eval('#import-status', (n) => n.textContent);
  expect(itext === 'imported deb12', 'import from the page: ' + itext);
  await page.waitForFunction(() => /deb12/.test((document.getElementById('distros') || {}).textContent || ''), { timeout: 5000 });
  ok('the imported distribution is listed');
  await shot(page, 'distros-import');

  await page.click('#signout');
  await page.waitForSelector('#token', { visible: true });
  const after = await page.evaluate(async () => (await fetch('/api/v1/hosts')).status);
  expect(after === 401, 'signed out: the API refuses the old session');
  expect(violations.length === 0, 'no CSP violation: ' + violations.join('; '));
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
