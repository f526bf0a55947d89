package io.anvil.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * Writes notification rows into the {@code events} outbox. Callers pass the connection of the transaction that
 * makes the change, so the event exists exactly when the change does (DESIGN invariant 4). Payloads must
 * already be masked.
 */
public final class Outbox {
  private static final String INSERT =
      "INSERT INTO events (event_type, node_uuid, priority, publisher, payload) VALUES ($1, $2, $3, $4, $5)";

  private final String publisher;

  public Outbox(String conductorHostname) {
    this.publisher = "anvil-conductor." + conductorHostname;
  }

  /** {@code eventType} is Ironic's, e.g. {@code baremetal.node.update.end}; priority info, or error. */
  public Future<Void> write(SqlClient tx, String eventType, String nodeUuid, String priority, JsonObject payload) {
    return tx.preparedQuery(INSERT)
        .execute(Tuple.of(eventType, nodeUuid == null ? null : UUID.fromString(nodeUuid), priority, publisher,
            payload))
        .mapEmpty();
  }
}
