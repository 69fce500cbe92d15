// bootyard console: plain ES module, no build step. Every value from the
// appliance (and so from DHCP clients) is put in the page as text:
// el() makes text nodes from strings; nothing is ever parsed as HTML.
import { el, clear, api, setCsrf, getCsrf } from './dom.js';

const STAGES = ['none', 'offer', 'lease', 'bootfile', 'config', 'kernel',
  'installer', 'done', 'local'];
const view = document.getElementById('view');
const live = document.getElementById('live');
let fleet = null;
let source = null;
let refreshTimer = null;

function ago(ms) {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

function chain(d) {
  const idx = d ? d.stage_index : 0;
  const c = el('span', { class: 'chain', 'aria-hidden': 'true' });
  for (let i = 1; i < STAGES.length; i++)
    c.append(el('span', { class: i <= idx ? 'on' : '' }));
  return c;
}

function diagCell(d) {
  const cls = !d ? '' : d.failed ? 'failed' : d.stopped ? 'ok' : '';
  return el('td', { class: 'diag ' + cls, 'data-stage': d ? d.stage : 'none' },
    el('span', { class: 'stage' }, d ? d.stage : 'none'), ' ',
    el('span', { class: 'diag-text' }, d ? d.text : 'never seen'), chain(d));
}

async function loadFleet() {
  const r = await api('GET', '/api/v1/fleet');
  if (r.status === 401) return signedOut();
  fleet = r.body;
}

function renderFleet() {
  const q = (new URLSearchParams(location.hash.split('?')[1] || '')).get('q') || '';
  clear(view);
  const search = el('input', { id: 'search', type: 'search', value: q,
    placeholder: 'MAC, name, address, stage…' });
  const filter = el('select', { id: 'filter' },
    el('option', { value: 'all' }, 'all'),
    el('option', { value: 'failed' }, 'stopped with a fault'),
    el('option', { value: 'booting' }, 'booting now'),
    el('option', { value: 'unknown' }, 'unknown MACs'));
  view.append(el('h2', {}, 'Fleet'),
    el('div', { class: 'toolbar' },
      el('label', { for: 'search' }, 'Search', search),
      el('label', { for: 'filter' }, 'Show', filter)));
  const table = el('table', { id: 'fleet' },
    el('caption', { class: 'hide-narrow' }, 'Hosts and unknown MACs, most recently seen first'),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, 'Machine'), el('th', { scope: 'col' }, 'MAC'),
      el('th', { scope: 'col', class: 'hide-narrow' }, 'Address'),
      el('th', { scope: 'col' }, 'Action'),
      el('th', { scope: 'col' }, 'Boot: stage and diagnosis'),
      el('th', { scope: 'col', class: 'hide-narrow' }, 'Last seen'),
      el('th', { scope: 'col' }, ''))));
  const tbody = el('tbody');
  table.append(tbody);
  view.append(table);
  const draw = () => {
    clear(tbody);
    if (!fleet) return;
    const rows = [];
    for (const h of fleet.hosts)
      rows.push({ kind: 'host', h, last: h.last_seen_ms, d: h.diagnosis,
        mac: (h.diagnosis && h.diagnosis.mac) || h.macs[0],
        name: h.hostname || ('host ' + h.id),
        ip: (h.lease && [h.lease.ip, h.lease.ip6].filter(Boolean).join(' ')) || h.ip });
    for (const u of fleet.unknown)
      rows.push({ kind: 'unknown', u, last: u.last_seen_ms, d: u.diagnosis,
        mac: u.mac, name: 'unknown', ip: [u.ip, u.ip6].filter(Boolean).join(' ') });
    rows.sort((a, b) => b.last - a.last);
    const text = search.value.trim().toLowerCase();
    for (const r of rows) {
      const hay = [r.name, r.mac, r.ip, r.d && r.d.text, r.d && r.d.stage,
        r.u && r.u.vendor_class, r.u && r.u.hostname,
        r.h && r.h.macs.join(' ')].join(' ').toLowerCase();
      if (text && !hay.includes(text)) continue;
      if (filter.value === 'failed' && !(r.d && r.d.failed)) continue;
      if (filter.value === 'booting' && (!r.d || r.d.stopped)) continue;
      if (filter.value === 'unknown' && r.kind !== 'unknown') continue;
      const tr = el('tr', { 'data-mac': r.mac, class: r.kind });
      if (r.kind === 'host') {
        tr.append(el('td', {}, el('a', { href: '#/host/' + encodeURIComponent(r.h.macs[0]) }, r.name)),
          el('td', { class: 'mono' }, r.h.macs.join(', ')),
          el('td', { class: 'hide-narrow mono' }, r.ip || ''),
          el('td', { class: 'action' }, r.h.action + (r.h.action === 'install' ? ' ' + r.h.distro : '')),
          diagCell(r.d), el('td', { class: 'hide-narrow' }, ago(r.last)), el('td'));
      } else {
        const adopt = el('button', { type: 'button', class: 'adopt',
          'aria-label': 'Adopt ' + r.mac + ' as a host' }, 'Adopt');
        adopt.addEventListener('click', () => adoptMac(r.mac));
        tr.append(el('td', {}, el('span', {}, 'unknown'),
            el('div', { class: 'vendor' }, r.u.vendor_class || ''),
            el('div', { class: 'client-name' }, r.u.hostname || '')),
          el('td', { class: 'mono' }, r.mac),
          el('td', { class: 'hide-narrow mono' }, r.ip || ''),
          el('td', {}, '-'), diagCell(r.d),
          el('td', { class: 'hide-narrow' }, ago(r.last)), el('td', {}, adopt));
      }
      tbody.append(tr);
    }
  };
  search.addEventListener('input', draw);
  filter.addEventListener('change', draw);
  draw();
  return draw;
}

async function adoptMac(mac) {
  const name = prompt('Host name for ' + mac + ' (empty: none)', '');
  if (name === null) return;
  const body = { macs: [mac] };
  if (name.trim()) body.hostname = name.trim();
  const r = await api('POST', '/api/v1/hosts', body);
  if (r.status !== 201) return alert('Adopt failed: ' + (r.body && r.body.error));
  location.hash = '#/host/' + encodeURIComponent(r.body.macs[0]);
}

async function renderHost(key) {
  const id = encodeURIComponent(key);
  const [hr, dr] = await Promise.all([api('GET', '/api/v1/hosts/' + id),
    api('GET', '/api/v1/distros')]);
  if (hr.status === 401) return signedOut();
  clear(view);
  if (hr.status !== 200) {
    view.append(el('p', { class: 'error' }, 'No such host.'));
    return;
  }
  const h = hr.body;
  const diags = await Promise.all(h.macs.map((m) =>
    api('GET', '/api/v1/diagnosis/' + encodeURIComponent(m))));
  let d = null;
  for (const x of diags)
    if (x.status === 200 && (!d || x.body.since_ms > d.since_ms)) d = x.body;
  const evs = await Promise.all(h.macs.map((m) =>
    api('GET', '/api/v1/events?mac=' + encodeURIComponent(m) + '&limit=100')));
  let events = [];
  for (const e of evs) if (e.status === 200) events = events.concat(e.body);
  events.sort((a, b) => a.ts_ms - b.ts_ms || a.id - b.id);

  const attrs = el('dl', { id: 'host-attrs' });
  for (const [k, v] of Object.entries(h.attrs || {}))
    attrs.append(el('dt', {}, k), el('dd', {}, String(v)));
  const distro = el('select', { id: 'distro' });
  for (const x of (dr.body || []))
    distro.append(el('option', { value: x.name, selected: x.name === h.distro }, x.name));
  const act = (label, fn, extra = {}) => {
    const b = el('button', Object.assign({ type: 'button' }, extra), label);
    b.addEventListener('click', fn);
    return b;
  };
  const status = el('p', { id: 'action-status', role: 'status' });
  // power control (docs/power.md): only for a host with a power method
  const pw = h.power && h.power.method && h.power.method !== 'none' ? h.power : null;
  const cycle = pw ? el('input', { type: 'checkbox', id: 'reinstall-cycle' }) : null;
  const done = async (r, what) => {
    status.textContent = r.status === 200 ? what : 'failed: ' + ((r.body && r.body.error) || r.status);
    if (r.status === 200) setTimeout(() => route(), 300);
  };
  view.append(el('h2', {}, h.hostname || ('host ' + h.id)),
    el('div', { class: 'card' }, el('h3', {}, 'Diagnosis'),
      el('p', { id: 'host-diag', class: d && d.failed ? 'failed' : '' },
        el('span', { class: 'stage' }, d ? d.stage : 'none'), ' ',
        el('span', { class: 'diag-text' }, d ? d.text : 'never seen'), chain(d))),
    el('div', { class: 'card' }, el('h3', {}, 'Host'),
      el('dl', {},
        el('dt', {}, 'MACs'), el('dd', { class: 'mono' }, h.macs.join(', ')),
        el('dt', {}, 'Address'), el('dd', {}, h.ip || '-'),
        el('dt', {}, 'Action'), el('dd', { id: 'host-action' }, h.action),
        el('dt', {}, 'Distribution'), el('dd', {}, h.distro || '-'),
        el('dt', {}, 'Install attempts'), el('dd', {}, String(h.attempts))),
      el('h4', {}, 'Attributes'), attrs),
    el('div', { class: 'card' }, el('h3', {}, 'Actions'),
      el('div', { class: 'actions' },
        el('label', { for: 'distro' }, 'Distribution ', distro),
        act('Reinstall', async () => {
          const body = { distro: distro.value };
          if (cycle && cycle.checked) body.power_cycle = true;
          done(await api('POST', '/api/v1/hosts/' + id + '/reinstall', body),
            cycle && cycle.checked ? 'flagged for reinstall and powered' : 'flagged for reinstall');
        }, { id: 'reinstall' }),
        cycle ? el('label', { for: 'reinstall-cycle' }, cycle, ' and power-cycle it') : null,
        act('Boot local disk', async () => done(await api('POST',
          '/api/v1/hosts/' + id + '/local'), 'set to local boot'), { id: 'local' }),
        act('Give the menu', async () => done(await api('PATCH',
          '/api/v1/hosts/' + id, { action: 'menu' }), 'set to menu'), { id: 'menu' }),
        act('Delete…', async () => {
          if (!confirm('Delete host ' + (h.hostname || h.id) + '? Its MACs become unknown.')) return;
          const r = await api('DELETE', '/api/v1/hosts/' + id);
          if (r.status === 200) location.hash = '#/fleet'; else done(r, '');
        }, { id: 'delete' })),
      status));
  if (pw) {
    const pstatus = el('p', { id: 'power-status', role: 'status' });
    const power = (a) => act(a === 'status' ? 'Status' : 'Power ' + a, async () => {
      pstatus.textContent = a + '…';
      const r = await api('POST', '/api/v1/hosts/' + id + '/power', { action: a });
      pstatus.textContent = r.status === 200
        ? a + ': ' + r.body.power + (r.body.message ? ' (' + r.body.message + ')' : '')
        : a + ' failed: ' + ((r.body && r.body.error) || r.status);
    }, { id: 'power-' + a });
    view.append(el('div', { class: 'card' }, el('h3', {}, 'Power'),
      el('p', {}, pw.method + (pw.bmc ? ' via BMC ' + pw.bmc : '') +
        (pw.user ? ' as ' + pw.user : '')),
      el('div', { class: 'actions' }, ...(pw.method === 'wol' ? ['on']
        : ['status', 'on', 'off', 'cycle', 'reset']).map(power)), pstatus));
  }
  // edit: the name and the attributes (key=value, one a line; replaced)
  const nameIn = el('input', { id: 'edit-hostname', value: h.hostname || '' });
  const attrsIn = el('textarea', { id: 'edit-attrs', rows: 3, cols: 40 });
  attrsIn.value = Object.entries(h.attrs || {}).map(([k, v]) => k + '=' + v).join('\n');
  const save = act('Save', async () => {
    const attrs = {};
    for (const line of attrsIn.value.split('\n')) {
      const t = line.trim();
      if (!t) continue;
      const i = t.indexOf('=');
      if (i <= 0) { status.textContent = 'attribute lines are key=value'; return; }
      attrs[t.slice(0, i).trim()] = t.slice(i + 1).trim();
    }
    done(await api('PATCH', '/api/v1/hosts/' + id, { hostname: nameIn.value.trim(), attrs }), 'saved');
  }, { id: 'save' });
  view.append(el('div', { class: 'card' }, el('h3', {}, 'Edit'),
    el('div', { class: 'actions' },
      el('label', { for: 'edit-hostname' }, 'Host name ', nameIn),
      el('label', { for: 'edit-attrs' }, 'Attributes (key=value a line) ', attrsIn), save)));
  const tl = el('tbody', { id: 'timeline' });
  for (const e of events)
    tl.append(el('tr', {}, el('td', {}, e.time || new Date(e.ts_ms).toISOString()),
      el('td', { class: 'mono' }, e.mac), el('td', {}, e.kind),
      el('td', {}, e.appliance || ''), el('td', { class: 'mono' }, e.detail)));
  view.append(el('div', { class: 'card' }, el('h3', {}, 'Timeline'),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'When (UTC)'),
      el('th', { scope: 'col' }, 'MAC'), el('th', { scope: 'col' }, 'Event'),
      el('th', { scope: 'col' }, 'Appliance'), el('th', { scope: 'col' }, 'Detail'))), tl)));
}

async function renderDistros() {
  const r = await api('GET', '/api/v1/distros');
  if (r.status === 401) return signedOut();
  clear(view);
  const tb = el('tbody');
  // a row per architecture the distribution has a kernel for
  for (const d of r.body || []) {
    const kernels = d.kernels || { amd64: { kernel: d.kernel, initrd: d.initrd } };
    for (const arch of Object.keys(kernels).sort())
      tb.append(el('tr', {}, el('td', {}, d.name), el('td', { class: 'arch' }, arch),
        el('td', { class: 'mono' }, kernels[arch].kernel || ''),
        el('td', { class: 'mono hide-narrow' }, kernels[arch].initrd || ''),
        el('td', { class: 'mono hide-narrow' }, d.cmdline || '')));
  }
  view.append(el('h2', {}, 'Distributions'), el('table', { id: 'distros' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Name'),
      el('th', { scope: 'col' }, 'Architecture'),
      el('th', { scope: 'col' }, 'Kernel'), el('th', { scope: 'col', class: 'hide-narrow' }, 'Initrd'),
      el('th', { scope: 'col', class: 'hide-narrow' }, 'Command line'))), tb));
  // import (docs/http.md): an http(s) URL or a path under files_dir of
  // an installer ISO, netboot tarball or tree; one import at a time
  const name = el('input', { id: 'import-name', required: true, size: 12 });
  const from = el('input', { id: 'import-from', required: true, size: 40 });
  const istatus = el('p', { id: 'import-status', role: 'status' });
  const go = el('button', { type: 'submit', id: 'import' }, 'Import');
  const form = el('form', { class: 'actions', id: 'import-form' },
    el('label', { for: 'import-name' }, 'Name ', name),
    el('label', { for: 'import-from' }, 'From (URL or path under files_dir) ', from), go);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await api('POST', '/api/v1/distros/import',
      { name: name.value.trim(), from: from.value.trim() });
    if (r.status !== 202) {
      istatus.textContent = 'import refused: ' + ((r.body && r.body.error) || r.status);
      return;
    }
    go.disabled = true;
    for (;;) {
      const j = await api('GET', '/api/v1/imports');
      const b = j.body || {};
      if (b.state !== 'running') {
        istatus.textContent = b.state === 'done' ? 'imported ' + b.name
          : 'import failed: ' + (b.error || b.state);
        go.disabled = false;
        if (b.state === 'done') setTimeout(() => route(), 500);
        return;
      }
      istatus.textContent = 'importing: ' + (b.phase || '') + ' ' + (b.file || '') +
        (b.total ? ' ' + Math.floor(100 * b.done / b.total) + ' %' : '');
      await new Promise((res) => setTimeout(res, 500));
    }
  });
  view.append(el('div', { class: 'card' }, el('h3', {}, 'Import a distribution'), form, istatus));
}

async function renderAppliance() {
  const r = await api('GET', '/api/v1/appliance');
  if (r.status === 401) return signedOut();
  clear(view);
  const a = r.body;
  const rogue = el('ul', { id: 'rogue' });
  for (const x of a.rogue_dhcp) rogue.append(el('li', {}, ago(x.ts_ms) + ': ' + x.detail));
  if (!a.rogue_dhcp.length) rogue.append(el('li', {}, 'none seen'));
  view.append(el('h2', {}, 'Appliance'), el('div', { class: 'card' }, el('dl', { id: 'appliance' },
    el('dt', {}, 'Version'), el('dd', {}, a.version),
    el('dt', {}, 'Interface'), el('dd', {}, a.interface + ' (' + a.server_address + ')'),
    el('dt', {}, 'DHCP mode'), el('dd', {}, a.dhcp_mode),
    el('dt', {}, 'DHCP range'), el('dd', {}, a.range),
    el('dt', {}, 'Loaders'), el('dd', {}, 'BIOS ' + a.bios_loader + ', UEFI ' + a.uefi_loader),
    el('dt', {}, 'dnsmasq exits seen'), el('dd', {}, String(a.dnsmasq_exits)),
    el('dt', {}, 'Install attempts'), el('dd', {}, String(a.install_attempts)),
    el('dt', {}, 'Events dropped'), el('dd', {}, String(a.events_dropped)))),
    el('div', { class: 'card' }, el('h3', {}, 'Other DHCP servers seen'), rogue));
}

let drawFleet = null;
async function route() {
  const hash = location.hash || '#/fleet';
  for (const a of document.querySelectorAll('nav a'))
    a.setAttribute('aria-current', hash.startsWith(a.getAttribute('href')) ? 'page' : 'false');
  drawFleet = null;
  const m = hash.match(/^#\/host\/([^/?]+)$/);
  if (m) return renderHost(decodeURIComponent(m[1]));
  if (hash.startsWith('#/distros')) return renderDistros();
  if (hash.startsWith('#/appliance')) return renderAppliance();
  await loadFleet();
  drawFleet = renderFleet();
}

// Live: each boot event refreshes the fleet (debounced) or the host shown.
function startLive() {
  if (source) source.close();
  source = new EventSource('/console/events');
  source.addEventListener('boot', (ev) => {
    let e;
    try { e = JSON.parse(ev.data); } catch { return; }
    live.textContent = 'live: ' + e.mac + ' ' + e.kind;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      if (drawFleet) { await loadFleet(); drawFleet(); }
      else if (/^#\/host\//.test(location.hash)) route();
    }, 250);
  });
  // the server ends each stream after what is new; the browser reconnects
  source.addEventListener('open', () => { live.textContent = live.textContent || 'live'; });
  source.addEventListener('error', () => {
    if (source && source.readyState === EventSource.CLOSED) live.textContent = 'live: disconnected';
  });
}

// Stalls are a matter of time, not of events: redraw the fleet now and
// then even when nothing happens.
setInterval(async () => {
  if (drawFleet && getCsrf() && !document.hidden) { await loadFleet(); if (drawFleet) drawFleet(); }
}, 5000);

function signedOut() {
  if (source) source.close();
  source = null;
  setCsrf('');
  document.getElementById('nav').hidden = true;
  clear(view);
  document.getElementById('login').hidden = false;
  document.getElementById('token').focus();
}

function signedIn() {
  document.getElementById('login').hidden = true;
  document.getElementById('nav').hidden = false;
  startLive();
  route();
}

document.getElementById('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const t = document.getElementById('token');
  const r = await api('POST', '/console/login', { token: t.value });
  t.value = '';
  const err = document.getElementById('login-error');
  if (r.status !== 200) { err.textContent = 'Wrong token.'; return; }
  err.textContent = '';
  setCsrf(r.body.csrf);
  signedIn();
});
document.getElementById('signout').addEventListener('click', async () => {
  await api('POST', '/console/logout');
  signedOut();
});
window.addEventListener('hashchange', () => { if (getCsrf()) route(); });

(async () => {
  const r = await api('GET', '/console/session');
  if (r.status === 200) { setCsrf(r.body.csrf); signedIn(); } else signedOut();
})();
