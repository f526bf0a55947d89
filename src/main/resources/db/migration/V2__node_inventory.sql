-- Inspection data (Ironic's node_inventory table): the agent's inventory and the processed plugin data, one row
-- per node, replaced by each inspection and gone with the node. Served by GET /v1/nodes/{id}/inventory.
CREATE TABLE node_inventory (
  node_id         BIGINT PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
  inventory_data  JSONB NOT NULL,
  plugin_data     JSONB NOT NULL DEFAULT '{}',
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ
);
