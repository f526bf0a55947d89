-- The live event feed (docs/events.md).
--
-- 1. A row's transaction id exists before its sequence number does. The feed hands out only sequence numbers that
--    no running transaction can still commit: it reads the sequence's last value, then the ids of the transactions in
--    flight, and waits for those to end. That holds only if a transaction that drew a number was already in flight
--    (had its id) when the number was drawn; the column defaults alone evaluate nextval() before
--    pg_current_xact_id(), so seq draws through this function, which takes the id first.
CREATE FUNCTION events_next_seq() RETURNS BIGINT LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_current_xact_id();
  RETURN nextval('events_seq_seq');
END
$$;
ALTER TABLE events ALTER COLUMN seq SET DEFAULT events_next_seq();

-- 2. Retention: the highest sequence number pruned so far. A resume from below it would miss events, so it is refused
--    (410) and the client resyncs from the REST API.
CREATE TABLE event_retention (
  id              SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  pruned_through  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO event_retention (id, pruned_through) VALUES (1, 0);

-- 3. Pruning by age walks events by time, and node_history by age per node.
CREATE INDEX events_created_idx ON events (created_at);
CREATE INDEX node_history_created_idx ON node_history (created_at);
