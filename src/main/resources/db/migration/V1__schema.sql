-- Anvil's state. Mirrors the fields of Ironic's objects that clients read; JSON documents are jsonb.
-- Every node write after an exclusive lock grant is conditioned on lock_fence (see lock/ and conductor/).

CREATE TABLE conductors (
  id              BIGSERIAL PRIMARY KEY,
  hostname        VARCHAR(255) NOT NULL UNIQUE,
  conductor_group VARCHAR(255) NOT NULL DEFAULT '',
  online          BOOLEAN NOT NULL DEFAULT TRUE,
  drivers         JSONB NOT NULL DEFAULT '[]',
  hardware_interfaces JSONB NOT NULL DEFAULT '{}',
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at      TIMESTAMPTZ
);

CREATE TABLE nodes (
  id                      BIGSERIAL PRIMARY KEY,
  uuid                    UUID NOT NULL UNIQUE,
  name                    VARCHAR(255) UNIQUE,
  driver                  VARCHAR(255) NOT NULL,
  driver_info             JSONB NOT NULL DEFAULT '{}',
  driver_internal_info    JSONB NOT NULL DEFAULT '{}',
  properties              JSONB NOT NULL DEFAULT '{}',
  extra                   JSONB NOT NULL DEFAULT '{}',
  instance_info           JSONB NOT NULL DEFAULT '{}',
  instance_uuid           UUID UNIQUE,
  chassis_uuid            UUID,
  provision_state         VARCHAR(32) NOT NULL,
  target_provision_state  VARCHAR(32),
  provision_updated_at    TIMESTAMPTZ,
  power_state             VARCHAR(32),
  target_power_state      VARCHAR(32),
  console_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
  maintenance             BOOLEAN NOT NULL DEFAULT FALSE,
  maintenance_reason      TEXT,
  fault                   VARCHAR(255),
  last_error              TEXT,
  reservation             VARCHAR(255),
  lock_fence              BIGINT NOT NULL DEFAULT 0,
  conductor_affinity      BIGINT,
  conductor_group         VARCHAR(255) NOT NULL DEFAULT '',
  resource_class          VARCHAR(80),
  owner                   VARCHAR(255),
  lessee                  VARCHAR(255),
  protected               BOOLEAN NOT NULL DEFAULT FALSE,
  protected_reason        TEXT,
  retired                 BOOLEAN NOT NULL DEFAULT FALSE,
  retired_reason          TEXT,
  description             TEXT,
  automated_clean         BOOLEAN,
  clean_step              JSONB,
  deploy_step             JSONB,
  raid_config             JSONB NOT NULL DEFAULT '{}',
  target_raid_config      JSONB NOT NULL DEFAULT '{}',
  traits                  JSONB NOT NULL DEFAULT '[]',
  network_data            JSONB NOT NULL DEFAULT '{}',
  boot_mode               VARCHAR(16),
  secure_boot             BOOLEAN,
  allocation_uuid         UUID,
  inspection_started_at   TIMESTAMPTZ,
  inspection_finished_at  TIMESTAMPTZ,
  bios_interface          VARCHAR(255),
  boot_interface          VARCHAR(255),
  console_interface       VARCHAR(255),
  deploy_interface        VARCHAR(255),
  inspect_interface       VARCHAR(255),
  management_interface    VARCHAR(255),
  network_interface       VARCHAR(255),
  power_interface         VARCHAR(255),
  raid_interface          VARCHAR(255),
  rescue_interface        VARCHAR(255),
  storage_interface       VARCHAR(255),
  vendor_interface        VARCHAR(255),
  created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at              TIMESTAMPTZ
);
CREATE INDEX nodes_provision_state_idx ON nodes (provision_state);
CREATE INDEX nodes_reservation_idx ON nodes (reservation) WHERE reservation IS NOT NULL;
CREATE INDEX nodes_driver_idx ON nodes (driver);
CREATE INDEX nodes_conductor_group_idx ON nodes (conductor_group);
CREATE INDEX nodes_provision_updated_idx ON nodes (provision_state, provision_updated_at);

CREATE TABLE portgroups (
  id                     BIGSERIAL PRIMARY KEY,
  uuid                   UUID NOT NULL UNIQUE,
  name                   VARCHAR(255) UNIQUE,
  node_id                BIGINT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  address                VARCHAR(18) UNIQUE,
  mode                   VARCHAR(255),
  properties             JSONB NOT NULL DEFAULT '{}',
  standalone_ports_supported BOOLEAN NOT NULL DEFAULT TRUE,
  extra                  JSONB NOT NULL DEFAULT '{}',
  internal_info          JSONB NOT NULL DEFAULT '{}',
  created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at             TIMESTAMPTZ
);
CREATE INDEX portgroups_node_idx ON portgroups (node_id);

CREATE TABLE ports (
  id                     BIGSERIAL PRIMARY KEY,
  uuid                   UUID NOT NULL UNIQUE,
  name                   VARCHAR(255) UNIQUE,
  address                VARCHAR(18) NOT NULL UNIQUE,
  node_id                BIGINT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  portgroup_id           BIGINT REFERENCES portgroups (id) ON DELETE SET NULL,
  local_link_connection  JSONB NOT NULL DEFAULT '{}',
  pxe_enabled            BOOLEAN NOT NULL DEFAULT TRUE,
  physical_network       VARCHAR(64),
  is_smartnic            BOOLEAN NOT NULL DEFAULT FALSE,
  extra                  JSONB NOT NULL DEFAULT '{}',
  internal_info          JSONB NOT NULL DEFAULT '{}',
  created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at             TIMESTAMPTZ
);
CREATE INDEX ports_node_idx ON ports (node_id);
CREATE INDEX ports_portgroup_idx ON ports (portgroup_id);

CREATE TABLE volume_connectors (
  id            BIGSERIAL PRIMARY KEY,
  uuid          UUID NOT NULL UNIQUE,
  node_id       BIGINT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  type          VARCHAR(32) NOT NULL,
  connector_id  VARCHAR(255) NOT NULL,
  extra         JSONB NOT NULL DEFAULT '{}',
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ,
  UNIQUE (type, connector_id)
);
CREATE INDEX volume_connectors_node_idx ON volume_connectors (node_id);

CREATE TABLE volume_targets (
  id            BIGSERIAL PRIMARY KEY,
  uuid          UUID NOT NULL UNIQUE,
  node_id       BIGINT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  volume_type   VARCHAR(64) NOT NULL,
  properties    JSONB NOT NULL DEFAULT '{}',
  boot_index    INTEGER NOT NULL,
  volume_id     VARCHAR(255) NOT NULL,
  extra         JSONB NOT NULL DEFAULT '{}',
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ,
  UNIQUE (node_id, boot_index)
);
CREATE INDEX volume_targets_node_idx ON volume_targets (node_id);

-- The outbox: every state change writes its row in the same transaction. Feeds deliver from here.
-- seq values are not committed in order; readers resume with a visibility-safe cursor (see events/).
CREATE TABLE events (
  seq           BIGSERIAL PRIMARY KEY,
  event_type    VARCHAR(128) NOT NULL,
  node_uuid     UUID,
  priority      VARCHAR(16) NOT NULL DEFAULT 'info',
  publisher     VARCHAR(255) NOT NULL,
  payload       JSONB NOT NULL,
  xid           XID8 NOT NULL DEFAULT pg_current_xact_id(),
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX events_node_idx ON events (node_uuid, seq);

-- Ironic's node history (GET /v1/nodes/{id}/history from 1.78).
CREATE TABLE node_history (
  id            BIGSERIAL PRIMARY KEY,
  uuid          UUID NOT NULL UNIQUE,
  node_id       BIGINT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  conductor     VARCHAR(255),
  event_type    VARCHAR(32) NOT NULL,
  severity      VARCHAR(16) NOT NULL,
  event         TEXT NOT NULL,
  user_id       VARCHAR(255),
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ
);
CREATE INDEX node_history_node_idx ON node_history (node_id, created_at);
