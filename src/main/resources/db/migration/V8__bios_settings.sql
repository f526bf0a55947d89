-- A node's BIOS settings (Ironic's bios_settings table, API 1.40; the registry fields of 1.74): what the node's bios
-- interface last read or applied, shown by GET /v1/nodes/{id}/bios. Rows go with their node.
CREATE TABLE bios_settings (
  node_id           BIGINT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  name              VARCHAR(255) NOT NULL,
  value             TEXT,
  attribute_type    VARCHAR(255),
  allowable_values  JSONB,
  lower_bound       INTEGER,
  max_length        INTEGER,
  min_length        INTEGER,
  read_only         BOOLEAN,
  reset_required    BOOLEAN,
  "unique"          BOOLEAN,
  upper_bound       INTEGER,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ,
  PRIMARY KEY (node_id, name)
);
