// Small DOM and API helpers. el(tag, attrs, ...children): strings become
// text nodes (never HTML); attributes are set with setAttribute, and a
// false/empty value for a boolean attribute leaves it out.
export function el(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'value') n.value = v; else n.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    n.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return n;
}

export function clear(n) { while (n.firstChild) n.removeChild(n.firstChild); }

let csrf = '';
export function setCsrf(v) { csrf = v; }
export function getCsrf() { return csrf; }

// api(method, path, body): {status, body}; state changes carry the CSRF
// token; the session cookie goes along (same origin).
export async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  const r = await fetch(path, { method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body) });
  let j = null;
  try { j = await r.json(); } catch { j = null; }
  return { status: r.status, body: j };
}
