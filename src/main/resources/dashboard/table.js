// A virtualized table: only the rows in view (plus a few) exist in the DOM, positioned inside a spacer as tall as
// every row together, so 10,000 nodes cost what 40 do. Cells are rewritten only when their text changes.
const ROW = 28;
const OVERSCAN = 8;

function stateClass(s) {
  if (!s) return '';
  if (s === 'error' || s.endsWith('failed')) return 'st-failed';
  if (s === 'active') return 'st-active';
  if (s.endsWith('ing') || s.startsWith('wait')) return 'st-busy';
  return '';
}

export class VirtualTable {
  constructor(table, viewport, spacer, { queueOf }) {
    this.table = table;
    this.viewport = viewport;
    this.spacer = spacer;
    this.queueOf = queueOf;
    this.rows = [];
    this.pool = [];
    viewport.addEventListener('scroll', () => this.render(), { passive: true });
    viewport.addEventListener('keydown', (e) => this.key(e));
    new ResizeObserver(() => this.render()).observe(viewport);
  }

  setRows(rows) {
    this.rows = rows;
    this.spacer.style.height = `${rows.length * ROW}px`;
    this.table.setAttribute('aria-rowcount', String(rows.length + 1));
    this.render();
  }

  /** The rows in view, for whoever wants to fetch more about them (the lock queues). */
  inView() {
    const first = Math.floor(this.viewport.scrollTop / ROW);
    const count = Math.ceil(this.viewport.clientHeight / ROW) + 1;
    return this.rows.slice(first, first + count);
  }

  key(e) {
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW) - 1) * ROW;
    const moves = { ArrowDown: ROW, ArrowUp: -ROW, PageDown: page, PageUp: -page };
    if (e.key in moves) {
      this.viewport.scrollTop += moves[e.key];
      e.preventDefault();
    } else if (e.key === 'Home') {
      this.viewport.scrollTop = 0;
      e.preventDefault();
    } else if (e.key === 'End') {
      this.viewport.scrollTop = this.rows.length * ROW;
      e.preventDefault();
    }
  }

  row() {
    const el = document.createElement('div');
    el.className = 'vrow';
    el.setAttribute('role', 'row');
    const cells = [];
    for (let i = 0; i < 9; i++) {
      const c = document.createElement('span');
      c.setAttribute('role', 'cell');
      el.appendChild(c);
      cells.push(c);
    }
    const a = document.createElement('a');
    cells[0].appendChild(a);
    return { el, cells, a, text: new Array(9).fill(null), uuid: null };
  }

  static set(r, i, text, cls) {
    if (r.text[i] !== text) {
      r.text[i] = text;
      if (i === 0) r.a.textContent = text; else r.cells[i].textContent = text;
      r.cells[i].title = text;
    }
    if (cls !== undefined && r.cells[i].className !== cls) r.cells[i].className = cls;
  }

  render() {
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((top + height) / ROW) + OVERSCAN);
    const need = Math.max(0, last - first);
    while (this.pool.length < need) {
      const r = this.row();
      this.pool.push(r);
      this.viewport.appendChild(r.el);
    }
    for (let i = 0; i < this.pool.length; i++) {
      const r = this.pool[i];
      if (i >= need) {
        if (!r.el.hidden) r.el.hidden = true;
        continue;
      }
      const index = first + i;
      const n = this.rows[index];
      if (r.el.hidden) r.el.hidden = false;
      r.el.style.transform = `translateY(${index * ROW}px)`;
      r.el.setAttribute('aria-rowindex', String(index + 2));
      if (r.uuid !== n.uuid) {
        r.uuid = n.uuid;
        r.a.href = `#/node/${n.uuid}`;
        r.el.dataset.uuid = n.uuid;
      }
      VirtualTable.set(r, 0, n.name || n.uuid);
      VirtualTable.set(r, 1, n.provision_state || '', stateClass(n.provision_state));
      VirtualTable.set(r, 2, n.target_provision_state || '');
      VirtualTable.set(r, 3, (n.power_state || 'unknown') + (n.target_power_state ? ` → ${n.target_power_state}` : ''));
      const flags = [n.maintenance ? 'maintenance' : '', n.fault ? `fault: ${n.fault}` : ''].filter(Boolean).join(', ');
      VirtualTable.set(r, 4, flags, flags ? 'bad' : '');
      VirtualTable.set(r, 5, n.reservation || '');
      const q = this.queueOf(n);
      VirtualTable.set(r, 6, q == null ? '' : String(q));
      VirtualTable.set(r, 7, n.heartbeat || '');
      VirtualTable.set(r, 8, n.last_error || '', n.last_error ? 'bad' : '');
    }
  }
}
