// The dashboard's entry point (docs/dashboard.md): who am I, then the fleet from one paged list, then live from the
// event feed (no polling). Hash routes: #/ the fleet, #/node/<uuid or name> one node.
import { api, AuthRequired, authorization, basic, setAuthorization } from './api.js';
import { Feed } from './feed.js';
import { Fleet, HEARTBEAT_EVENT, LIST_FIELDS } from './fleet.js';
import { VirtualTable } from './table.js';
import { NodePage } from './node.js';

const $ = (id) => document.getElementById(id);
const fleet = new Fleet();
const queues = new Map(); // uuid -> { length, at }: lock queues of rows in view with a holder
// what tests and the bench read (docs/dashboard.md#testing)
const state = window.anvilDashboard = { ready: false, nodes: 0, events: 0, renders: 0, who: null };
let table;
let nodePage;
let feed;
let pending = [];  // events that arrived while the initial list loaded
let loading = true;
let frame = 0;

function show(section) {
  for (const id of ['login', 'fleet', 'node']) $(id).hidden = id !== section;
}

function schedule() {
  if (!frame) frame = requestAnimationFrame(renderFleet);
}

function renderFleet() {
  frame = 0;
  fleet.refresh();
  table.setRows(fleet.visible);
  renderCounts();
  $('shown').textContent = `${fleet.visible.length} of ${fleet.nodes.size} nodes`;
  state.nodes = fleet.nodes.size;
  state.renders++;
  fetchQueues();
}

function renderCounts() {
  const box = $('counts');
  const entries = [...fleet.counts.entries()].sort((a, b) => b[1] - a[1]);
  const key = entries.map((e) => e.join(':')).join('|') + '|' + fleet.filter.state;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren();
  const select = $('filter-state');
  const known = new Set([...select.options].map((o) => o.value));
  for (const [st, n] of entries) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `${st} ${n}`;
    b.dataset.state = st;
    b.setAttribute('aria-pressed', String(fleet.filter.state === st));
    b.addEventListener('click', () => {
      fleet.filter.state = fleet.filter.state === st ? '' : st;
      select.value = fleet.filter.state;
      renderFleet();
    });
    box.appendChild(b);
    if (!known.has(st)) select.add(new Option(st, st));
  }
}

/** Lock queues for the rows in view whose node is held: fetched when they come into view or their node changes. */
let queueFetches = 0;
function fetchQueues() {
  if (!table) return;
  const now = performance.now();
  for (const n of table.inView()) {
    const q = queues.get(n.uuid);
    if (!n.reservation || queueFetches >= 4 || (q && now - q.at < 2000)) continue;
    queues.set(n.uuid, { length: q ? q.length : null, at: now });
    queueFetches++;
    api(`/v1/nodes/${n.uuid}/lock`).then((l) => {
      queues.set(n.uuid, { length: l.queue_length, at: performance.now() });
      table.render();
    }).catch(() => {}).finally(() => { queueFetches--; });
  }
}

function onEvent(ev) {
  state.events++;
  // how far behind the change the page is (same clock when browser and Anvil share a machine: the bench)
  const at = Date.parse(ev.time);
  if (!Number.isNaN(at)) state.lagMs = Date.now() - at;
  if (loading) {
    pending.push(ev);
    return;
  }
  if (fleet.apply(ev)) {
    const q = queues.get(ev.node_uuid);
    // a heartbeat says nothing about the node's lock
    if (q && ev.event_type !== HEARTBEAT_EVENT) q.at = 0;
    schedule();
  }
  if (nodePage) nodePage.event(ev);
}

async function loadFleet() {
  loading = true;
  pending = [];
  let marker = null;
  const list = [];
  for (;;) {
    const page = await api(`/v1/nodes?limit=1000&fields=${LIST_FIELDS.join(',')}`
      + (marker ? `&marker=${marker}` : ''));
    list.push(...page.nodes);
    if (!page.next || page.nodes.length === 0) break;
    marker = page.nodes[page.nodes.length - 1].uuid;
  }
  fleet.nodes.clear();
  fleet.load(list);
  // events seen while the list loaded, in order: each payload is its node as the change left it, so the last one wins
  loading = false;
  for (const ev of pending) fleet.apply(ev);
  pending = [];
  renderFleet();
}

function route() {
  const m = location.hash.match(/^#\/node\/(.+)$/);
  if (m) {
    show('node');
    nodePage.show(decodeURIComponent(m[1]));
  } else {
    if (nodePage) nodePage.close();
    show('fleet');
    table.render();
  }
}

function wireFilters() {
  $('search').addEventListener('input', (e) => {
    const t0 = performance.now();
    fleet.filter.text = e.target.value;
    renderFleet();
    state.filterMs = performance.now() - t0; // the keystroke's own script time (the bench reports it)
  });
  $('filter-state').addEventListener('change', (e) => { fleet.filter.state = e.target.value; renderFleet(); });
  $('filter-power').addEventListener('change', (e) => { fleet.filter.power = e.target.value; renderFleet(); });
  $('filter-problems').addEventListener('change', (e) => { fleet.filter.problems = e.target.checked; renderFleet(); });
}

function login(challenge) {
  show('login');
  const bearer = /^bearer/i.test(challenge || '');
  document.querySelector('.basic-only').hidden = bearer;
  document.querySelector('.jwt-only').hidden = !bearer;
  $('login-user').required = !bearer;
  $('login-password').required = !bearer;
  $('login-hint').textContent = bearer ? 'This Anvil asks for a bearer token (JWT).' : 'This Anvil asks for a user and password.';
  (bearer ? $('login-token') : $('login-user')).focus();
  $('login-form').onsubmit = async (e) => {
    e.preventDefault();
    setAuthorization(bearer ? 'Bearer ' + $('login-token').value.trim()
      : basic($('login-user').value, $('login-password').value));
    try {
      await start();
    } catch (err) {
      setAuthorization(null);
      $('login-error').textContent = err instanceof AuthRequired ? 'Wrong credentials.' : err.message;
    }
  };
}

async function start() {
  const who = await api('/v1/auth/whoami');
  state.who = who;
  $('who').textContent = `${who.user} (${who.role}${who.project ? ', project ' + who.project : ''})`;
  $('logout').hidden = who.auth_strategy === 'noauth';
  if (!table) {
    table = new VirtualTable($('table'), $('viewport'), $('spacer'), {
      queueOf: (n) => (n.reservation ? (queues.get(n.uuid) || {}).length : null),
    });
    wireFilters();
  }
  nodePage = new NodePage($('node'), who);
  feed = new Feed({
    onEvent,
    onStatus: (s) => {
      $('feed-status').textContent = s === 'live' ? 'live' : 'reconnecting…';
      $('feed-status').className = `feed ${s}`;
    },
    onResync: () => loadFleet().catch(() => {}),
  });
  // the feed first, buffering, so nothing that changes during the list is missed
  feed.start();
  show('fleet');
  await loadFleet();
  window.addEventListener('hashchange', route);
  route();
  state.ready = true;
}

$('logout').addEventListener('click', () => {
  setAuthorization(null);
  location.hash = '#/';
  location.reload();
});

start().catch((e) => {
  if (e instanceof AuthRequired) {
    if (authorization()) setAuthorization(null);
    login(e.challenge);
  } else {
    $('feed-status').textContent = `error: ${e.message}`;
  }
});
