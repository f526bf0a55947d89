-- Leave room on every nodes page so an update that changes no indexed column (agent liveness, power sync's
-- power_state, most PATCHes) stays on its page as a heap-only tuple: no new entry in any of the table's indexes.
-- Rows written before this migration move to roomier pages on their next update.
ALTER TABLE nodes SET (fillfactor = 50);
