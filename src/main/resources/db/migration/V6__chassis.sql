-- Ironic's chassis (API /v1/chassis): a group of nodes with a description. A node names its chassis by UUID; the
-- foreign key makes "a chassis with nodes cannot be deleted" (Ironic's ChassisNotEmpty) and "a node's chassis
-- exists" hold under concurrent writes, not only at the moment the API checked.
CREATE TABLE chassis (
  id            BIGSERIAL PRIMARY KEY,
  uuid          UUID NOT NULL UNIQUE,
  description   VARCHAR(255),
  extra         JSONB NOT NULL DEFAULT '{}',
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ
);

-- chassis_uuid was stored before chassis existed: keep each such grouping as a chassis rather than lose it
INSERT INTO chassis (uuid) SELECT DISTINCT chassis_uuid FROM nodes WHERE chassis_uuid IS NOT NULL;

ALTER TABLE nodes ADD CONSTRAINT nodes_chassis_uuid_fkey
  FOREIGN KEY (chassis_uuid) REFERENCES chassis (uuid) ON DELETE RESTRICT;
CREATE INDEX nodes_chassis_uuid_idx ON nodes (chassis_uuid) WHERE chassis_uuid IS NOT NULL;
