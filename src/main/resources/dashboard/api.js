// The REST API as the page uses it: Ironic's microversion header, the credential the login form kept (sessionStorage:
// gone when the tab closes), and no cookies. Fetches say credentials:'omit' so a 401 never pops the browser's own
// Basic dialog: the page shows its login form instead.
const KEY = 'anvil.authorization';

export class AuthRequired extends Error {
  constructor(challenge) { super('credentials required'); this.challenge = challenge || ''; }
}

export function authorization() { return sessionStorage.getItem(KEY); }
export function setAuthorization(value) {
  if (value) sessionStorage.setItem(KEY, value); else sessionStorage.removeItem(KEY);
}

/** The value of an Authorization header for a user and password (HTTP basic), UTF-8 safe. */
export function basic(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return 'Basic ' + btoa(bin);
}

/**
 * The subprotocols a WebSocket opens with: browsers cannot set headers on one, so the credential travels as
 * "anvil.auth.<base64url of the Authorization value>" beside "anvil.v1", which the server selects.
 */
export function webSocketProtocols() {
  const a = authorization();
  if (!a) return ['anvil.v1'];
  const bytes = new TextEncoder().encode(a);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  const b64url = btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return ['anvil.v1', 'anvil.auth.' + b64url];
}

export function webSocketUrl(path) {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
}

/** Ironic's error body holds its message as JSON in a string: the faultstring, or the raw text. */
function errorMessage(status, text) {
  try {
    const body = JSON.parse(text);
    if (body && body.error_message) {
      try { return JSON.parse(body.error_message).faultstring || body.error_message; } catch { return body.error_message; }
    }
  } catch { /* not JSON */ }
  return `HTTP ${status}`;
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { 'Accept': 'application/json', 'X-OpenStack-Ironic-API-Version': 'latest' };
  const a = authorization();
  if (a) headers['Authorization'] = a;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, {
    method, headers, credentials: 'omit', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status === 401) throw new AuthRequired(r.headers.get('WWW-Authenticate'));
  const text = await r.text();
  if (!r.ok) {
    const e = new Error(errorMessage(r.status, text));
    e.status = r.status;
    throw e;
  }
  return text ? JSON.parse(text) : null;
}
