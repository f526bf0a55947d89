// The live event feed (GET /v1/events as a WebSocket, docs/events.md). It keeps the seq of the last event (or the
// resume_from of a pong/closing control) and reconnects with since=<it>, so nothing is lost or repeated across a
// drop. A resume that keeps failing (410: older than what retention kept) asks the page to reload the fleet.
import { webSocketProtocols, webSocketUrl } from './api.js';

export class Feed {
  constructor({ onEvent, onStatus, onResync }) {
    this.onEvent = onEvent;
    this.onStatus = onStatus || (() => {});
    this.onResync = onResync || (() => {});
    this.since = null;
    this.failures = 0;
    this.ws = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close(1000);
  }

  connect() {
    const query = this.since == null ? '' : `?since=${this.since}`;
    const ws = new WebSocket(webSocketUrl('/v1/events' + query), webSocketProtocols());
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.failures = 0;
      this.onStatus('live');
      // the pong's resume_from gives a live stream a position before its first event
      ws.send(JSON.stringify({ ping: 1 }));
    };
    ws.onmessage = (m) => {
      let ev;
      try { ev = JSON.parse(m.data); } catch { return; }
      if (ev.control) {
        if (typeof ev.resume_from === 'number' && (this.since == null || ev.resume_from > this.since)) {
          this.since = ev.resume_from;
        }
        return;
      }
      if (this.since == null || ev.seq > this.since) this.since = ev.seq;
      this.onEvent(ev);
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      this.failures = opened ? 0 : this.failures + 1;
      this.onStatus('down');
      if (!opened && this.failures >= 3 && this.since != null) {
        // refused before the upgrade with a resume point: most likely 410 (pruned); resync and go live again
        this.since = null;
        this.failures = 0;
        this.onResync();
      }
      const delay = Math.min(10000, 250 * 2 ** Math.min(this.failures, 6));
      setTimeout(() => { if (!this.stopped) this.connect(); }, opened ? 250 : delay);
    };
  }
}
