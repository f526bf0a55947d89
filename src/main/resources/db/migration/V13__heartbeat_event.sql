-- When the liveness flush last wrote a baremetal.node.heartbeat event for the node (docs/events.md#event-types,
-- docs/agent.md): the flush writes at most one per agent.heartbeat_event_interval and node, deciding in the same
-- UPDATE that writes the liveness. Not indexed, so that update stays heap-only (V3); bookkeeping, never shown.
ALTER TABLE nodes ADD COLUMN heartbeat_event_at TIMESTAMPTZ;
