// One node's page (#/node/<uuid>): its fields and ports, its recent events (stored page, then live from the feed
// the fleet view already follows), its history, its console when enabled, and the actions its state allows.
import { api, webSocketProtocols, webSocketUrl } from './api.js';
import { HEARTBEAT_EVENT, newerHeartbeat } from './fleet.js';
import { ACTIONS, mayAct } from './states.js';

const SHOWN = ['uuid', 'name', 'provision_state', 'target_provision_state', 'power_state', 'target_power_state',
  'maintenance', 'maintenance_reason', 'fault', 'reservation', 'last_error', 'driver', 'conductor', 'conductor_group',
  'owner', 'lessee', 'resource_class', 'provision_updated_at', 'inspection_finished_at', 'console_enabled',
  'deploy_interface', 'boot_interface', 'properties', 'instance_info', 'driver_info', 'agent_last_heartbeat',
  'agent_version'];
/** Shown from driver_internal_info, then kept live by the heartbeat events. */
const AGENT_FIELDS = ['agent_last_heartbeat', 'agent_version'];
const MAX_EVENTS = 200;

export class NodePage {
  constructor(el, who) {
    this.el = el;
    this.who = who;
    this.node = null;
    this.uuid = null;
    this.console = null;
    this.$ = (id) => document.getElementById(id);
    this.$('console-open').addEventListener('click', () => this.openConsole());
  }

  async show(ident) {
    this.close();
    this.uuid = null;
    this.$('node-title').textContent = ident;
    this.$('node-message').textContent = '';
    this.$('node-events').replaceChildren();
    this.$('node-history').replaceChildren();
    this.$('node-ports').replaceChildren();
    let node;
    try {
      node = await api(`/v1/nodes/${encodeURIComponent(ident)}`);
    } catch (e) {
      this.$('node-message').textContent = e.message;
      return;
    }
    const dii = node.driver_internal_info || {};
    for (const k of AGENT_FIELDS) node[k] = dii[k] != null ? dii[k] : null;
    this.node = node;
    this.uuid = node.uuid;
    this.renderNode();
    this.loadSide(node.uuid);
  }

  async loadSide(uuid) {
    const [ports, events, history, lock] = await Promise.allSettled([
      api(`/v1/nodes/${uuid}/ports/detail`),
      api(`/v1/events?node=${uuid}&limit=${MAX_EVENTS}`),
      api(`/v1/nodes/${uuid}/history`),
      api(`/v1/nodes/${uuid}/lock`),
    ]);
    if (this.uuid !== uuid) return;
    const ul = this.$('node-ports');
    for (const p of ports.value ? ports.value.ports : []) {
      const li = document.createElement('li');
      li.textContent = `${p.address}${p.pxe_enabled ? ' (PXE)' : ''}`;
      ul.appendChild(li);
    }
    if (events.value) {
      // older events the live feed may also deliver are recognised by seq
      for (const ev of events.value.events) this.event(ev);
    }
    const hist = this.$('node-history');
    for (const h of history.value ? history.value.history : []) {
      const li = document.createElement('li');
      li.textContent = `${h.created_at} ${h.severity} ${h.event}`;
      hist.appendChild(li);
    }
    if (lock.value) {
      this.lock = lock.value;
      this.renderNode();
    }
  }

  /** A feed event: updates the node and appends to its list when it is this node's. */
  event(ev) {
    if (!this.uuid || ev.node_uuid !== this.uuid) return;
    if (this.lastSeq != null && ev.seq <= this.lastSeq) return;
    this.lastSeq = ev.seq;
    const ol = this.$('node-events');
    const li = document.createElement('li');
    const p = ev.payload || {};
    li.textContent = `${ev.time} ${ev.event_type}` + (p.provision_state ? ` → ${p.provision_state}` : '')
      + (ev.event_type.includes('power') && p.power_state ? ` (${p.power_state})` : '');
    ol.appendChild(li);
    while (ol.children.length > MAX_EVENTS) ol.firstChild.remove();
    ol.scrollTop = ol.scrollHeight;
    if (ev.event_type === HEARTBEAT_EVENT) {
      // the agent's liveness only, not the node: no other field, no lock change
      if (this.node && newerHeartbeat(p.agent_last_heartbeat, this.node.agent_last_heartbeat)) {
        for (const k of AGENT_FIELDS) this.node[k] = p[k] != null ? p[k] : null;
        this.renderNode();
      }
      return;
    }
    if (ev.event_type.startsWith('baremetal.node.') && ev.event_type !== 'baremetal.node.delete.end' && this.node) {
      for (const k of Object.keys(p)) if (k in this.node) this.node[k] = p[k];
      // the payload's holder held the lock while writing; a change that ended with no target left has let go
      if (!ev.event_type.endsWith('.start') && !p.target_provision_state && !p.target_power_state) {
        this.node.reservation = null;
      }
      this.renderNode();
      const uuid = this.uuid;
      api(`/v1/nodes/${uuid}/lock`).then((l) => {
        if (this.uuid === uuid) { this.lock = l; this.renderNode(); }
      }).catch(() => {});
    }
  }

  renderNode() {
    const n = this.node;
    this.$('node-title').textContent = n.name ? `${n.name}` : n.uuid;
    // the list is built once per node and its values updated in place (screen readers and tests keep their place)
    const dl = this.$('node-fields');
    if (dl.dataset.uuid !== n.uuid) {
      dl.dataset.uuid = n.uuid;
      dl.replaceChildren();
      for (const k of [...SHOWN, 'lock']) {
        const dt = document.createElement('dt');
        dt.textContent = k;
        const dd = document.createElement('dd');
        dd.dataset.field = k;
        dl.append(dt, dd);
      }
    }
    const lockText = this.lock
      ? `${this.lock.exclusive ? this.lock.exclusive.owner + ' (' + this.lock.exclusive.purpose + ')' : 'free'},`
        + ` ${this.lock.queue_length} waiting`
      : '—';
    for (const dd of dl.querySelectorAll('dd')) {
      const k = dd.dataset.field;
      const v = k === 'lock' ? lockText : n[k];
      const text = v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      if (dd.textContent !== text) dd.textContent = text;
    }
    // the buttons are made once per node and only enabled or disabled afterwards, so one stays the same element
    const box = this.$('node-actions');
    if (box.dataset.uuid !== n.uuid) {
      box.dataset.uuid = n.uuid;
      box.replaceChildren();
      if (mayAct(this.who, n)) {
        for (const a of ACTIONS) {
          const b = document.createElement('button');
          b.type = 'button';
          b.textContent = a.label;
          b.dataset.action = a.id;
          b.addEventListener('click', () => this.act(a, b));
          box.appendChild(b);
        }
      }
    }
    for (const b of box.querySelectorAll('button')) {
      const a = ACTIONS.find((x) => x.id === b.dataset.action);
      if (b.dataset.busy !== '1') b.disabled = !a.allowed(n);
    }
    this.$('console-state').textContent = n.console_enabled ? 'The console is enabled.' : 'The console is not enabled.';
    this.$('console-open').hidden = !n.console_enabled || !mayAct(this.who, n) || this.console != null;
  }

  async act(action, button) {
    button.disabled = true;
    button.dataset.busy = '1';
    this.$('node-message').textContent = `${action.label}…`;
    try {
      await api(`/v1/nodes/${this.uuid}/${action.call.path}`, { method: action.call.method, body: action.call.body });
      this.$('node-message').textContent = `${action.label}: accepted`;
    } catch (e) {
      this.$('node-message').textContent = `${action.label}: ${e.message}`;
    }
    delete button.dataset.busy;
    if (this.node) this.renderNode();
  }

  /** A plain terminal: output bytes as text (escape sequences stripped), keys typed into it sent as they are. */
  openConsole() {
    const pre = this.$('console');
    pre.hidden = false;
    pre.textContent = '';
    const ws = new WebSocket(webSocketUrl(`/v1/nodes/${this.uuid}/console`), webSocketProtocols());
    ws.binaryType = 'arraybuffer';
    const decoder = new TextDecoder();
    ws.onmessage = (m) => {
      if (typeof m.data === 'string') {
        try { this.$('console-state').textContent = `console: ${JSON.parse(m.data).message || m.data}`; } catch { /**/ }
        return;
      }
      // eslint-disable-next-line no-control-regex
      const text = decoder.decode(m.data, { stream: true }).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
      pre.textContent = (pre.textContent + text).slice(-100000);
      pre.scrollTop = pre.scrollHeight;
    };
    ws.onclose = () => { this.$('console-state').textContent = 'Console closed.'; this.console = null; };
    pre.onkeydown = (e) => {
      const keys = { Enter: '\r', Backspace: '\x7f', Tab: '\t', Escape: '\x1b' };
      const s = e.key.length === 1 ? (e.ctrlKey ? String.fromCharCode(e.key.toUpperCase().charCodeAt(0) - 64) : e.key)
        : keys[e.key];
      if (s && ws.readyState === 1) {
        ws.send(new TextEncoder().encode(s));
        e.preventDefault();
      }
    };
    this.console = ws;
    this.$('console-open').hidden = true;
    pre.focus();
  }

  close() {
    this.$('node-actions').dataset.uuid = '';
    this.$('node-fields').dataset.uuid = '';
    if (this.console) this.console.close(1000);
    this.console = null;
    this.lock = null;
    this.lastSeq = null;
    this.$('console').hidden = true;
  }
}
