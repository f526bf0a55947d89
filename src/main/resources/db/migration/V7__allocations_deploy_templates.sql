-- Ironic's allocations (API 1.52) and deploy templates (API 1.55).
-- An allocation reserves one node: the node row carries allocation_uuid (and instance_uuid = the allocation's UUID),
-- the allocation row carries node_id. node_id is unique, so two allocations can never hold the same node even if a
-- writer skipped the node lock; a node's deletion removes its allocation, as Ironic's destroy_node does.
CREATE TABLE allocations (
  id                  BIGSERIAL PRIMARY KEY,
  uuid                UUID NOT NULL UNIQUE,
  name                VARCHAR(255) UNIQUE,
  node_id             BIGINT UNIQUE REFERENCES nodes (id) ON DELETE CASCADE,
  state               VARCHAR(15) NOT NULL DEFAULT 'allocating',
  last_error          TEXT,
  resource_class      VARCHAR(80),
  traits              JSONB NOT NULL DEFAULT '[]',
  candidate_nodes     JSONB NOT NULL DEFAULT '[]',
  extra               JSONB NOT NULL DEFAULT '{}',
  conductor_affinity  BIGINT,
  owner               VARCHAR(255),
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at          TIMESTAMPTZ
);
CREATE INDEX allocations_state_idx ON allocations (state);

-- A deploy template: named like a trait; its steps (a JSON list, in the order given) join a deployment whose
-- instance_info.traits names it (docs/steps.md).
CREATE TABLE deploy_templates (
  id          BIGSERIAL PRIMARY KEY,
  uuid        UUID NOT NULL UNIQUE,
  name        VARCHAR(255) NOT NULL UNIQUE,
  steps       JSONB NOT NULL DEFAULT '[]',
  extra       JSONB NOT NULL DEFAULT '{}',
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ
);
