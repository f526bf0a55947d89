// The fleet in memory: one small record per node, from the initial list and then from the feed's node payloads.
// Filtering is a plain pass over the records (10,000 take well under a millisecond); sorting by name happens only
// when the set of nodes changes, not on every state change.

/** The node fields the table shows, as the list API names them. */
export const LIST_FIELDS = ['uuid', 'name', 'provision_state', 'target_provision_state', 'power_state',
  'target_power_state', 'maintenance', 'fault', 'reservation', 'last_error', 'driver_internal_info', 'owner',
  'console_enabled', 'provision_updated_at'];

/**
 * The liveness flush's event (docs/events.md#event-types): at most one per node per agent.heartbeat_event_interval,
 * its payload the node's identity and the agent's last heartbeat, not the whole node.
 */
export const HEARTBEAT_EVENT = 'baremetal.node.heartbeat';

/** Whether heartbeat time `at` (Ironic's naive-UTC isoformat, so ordered as text) is newer than `known`. */
export function newerHeartbeat(at, known) {
  return !!at && (!known || at > known);
}

export class Fleet {
  constructor() {
    this.nodes = new Map();
    this.sorted = [];
    this.order = true; // the sorted list needs rebuilding
    this.filter = { text: '', state: '', power: '', problems: false };
    this.visible = [];
    this.counts = new Map();
  }

  static record(n, old) {
    const r = old || { uuid: n.uuid };
    r.name = n.name != null ? n.name : (n.node_name != null ? n.node_name : (r.name || null));
    for (const k of ['provision_state', 'target_provision_state', 'power_state', 'target_power_state', 'maintenance',
      'fault', 'reservation', 'last_error', 'owner', 'console_enabled']) {
      if (k in n) r[k] = n[k];
    }
    const dii = n.driver_internal_info;
    if (dii && dii.agent_last_heartbeat) r.heartbeat = dii.agent_last_heartbeat;
    r.key = ((r.name || '') + ' ' + r.uuid).toLowerCase();
    return r;
  }

  load(list) {
    for (const n of list) {
      this.nodes.set(n.uuid, Fleet.record(n, this.nodes.get(n.uuid)));
    }
    this.order = true;
  }

  /** Applies one feed event; true when it changed a node. */
  apply(ev) {
    const t = ev.event_type || '';
    if (!t.startsWith('baremetal.node.') || !ev.node_uuid) return false;
    if (t === 'baremetal.node.delete.end') {
      this.nodes.delete(ev.node_uuid);
      this.order = true;
      return true;
    }
    const p = ev.payload || {};
    if (t === HEARTBEAT_EVENT) {
      // only the heartbeat column; a list read after the event may already hold a newer one
      const r = this.nodes.get(ev.node_uuid);
      if (!r || !newerHeartbeat(p.agent_last_heartbeat, r.heartbeat)) return false;
      r.heartbeat = p.agent_last_heartbeat;
      return true;
    }
    const old = this.nodes.get(ev.node_uuid);
    if (!old) this.order = true;
    const r = Fleet.record({ ...p, uuid: ev.node_uuid, node_name: ev.node_name }, old);
    // the payload's reservation is who held the lock while writing the event; once a change has ended and no work
    // goes on (no target state) that holder has let go
    if (!t.endsWith('.start') && !p.target_provision_state && !p.target_power_state) r.reservation = null;
    r.lastEvent = ev.time;
    this.nodes.set(ev.node_uuid, r);
    return true;
  }

  /** Recomputes the counts and the filtered rows. */
  refresh() {
    if (this.order) {
      this.sorted = [...this.nodes.values()].sort((a, b) => (a.name || a.uuid).localeCompare(b.name || b.uuid,
        undefined, { numeric: true }));
      this.order = false;
    }
    const f = this.filter;
    const text = f.text.trim().toLowerCase();
    const counts = new Map();
    const out = [];
    for (const r of this.sorted) {
      const st = r.provision_state || 'unknown';
      counts.set(st, (counts.get(st) || 0) + 1);
      if (f.state && st !== f.state) continue;
      if (f.power && (f.power === 'none' ? r.power_state != null : r.power_state !== f.power)) continue;
      if (f.problems && !r.maintenance && !r.fault && !r.last_error) continue;
      if (text && !r.key.includes(text)) continue;
      out.push(r);
    }
    this.counts = counts;
    this.visible = out;
  }
}
