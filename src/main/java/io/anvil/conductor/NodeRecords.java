package io.anvil.conductor;

import io.anvil.events.Outbox;
import io.anvil.store.ResourceStore;
import io.anvil.store.Resources;
import io.anvil.store.RowJson;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;

/**
 * Fenced node rows (docs/locks.md#fencing, invariant 2 of docs/architecture.md#invariants). Taking a node exclusively
 * claims its row with the lock's fencing token ({@code lock_fence < token}); every later write is conditioned on
 * {@code lock_fence = token}, so a holder whose lease was lost (and whose node was re-granted with a higher token)
 * writes nothing. A short record edit may instead claim the row with its first write ({@link NodeFence}).
 */
final class NodeRecords {
    private final ResourceStore store;
    private final Outbox outbox;

    NodeRecords(ResourceStore store, Outbox outbox) {
        this.store = store;
        this.outbox = outbox;
    }

    /**
     * Claims the row for {@code fence} and returns it as claimed (as stored: secrets sealed); fails with LeaseLost
     * when a newer holder already claimed it.
     */
    Future<JsonObject> claim(String uuid, String host, long fence) {
        // the transaction pool, not the pipelined reads: an UPDATE may wait on a row lock, and every read pipelined
        // behind it on the same connection (heartbeat validation, node views) would wait with it
        return store.database()
                .pool()
                .preparedQuery(
                        "UPDATE nodes t SET reservation = $2, lock_fence = $3 WHERE uuid = $1::uuid AND lock_fence < $3"
                                + " RETURNING " + Resources.NODE.returning())
                .execute(Tuple.of(uuid, host, fence))
                .compose(rows -> {
                    if (rows.rowCount() == 1) {
                        return Future.succeededFuture(
                                RowJson.toJson(rows.iterator().next()));
                    }
                    return store.find(Resources.NODE, uuid)
                            .compose(row -> Future.failedFuture(
                                    row == null
                                            ? new ConductorErrors.NodeNotFound(uuid)
                                            : new ConductorErrors.LeaseLost(uuid)));
                });
    }

    /**
     * A fenced update inside {@code tx}; LeaseLost (and nothing written) if the fence moved on. The store seals the
     * secret values written; the row returned has them decrypted again, as the task's node.
     */
    Future<JsonObject> save(SqlClient tx, long id, String uuid, NodeFence fence, Map<String, Object> columns) {
        return store.updateGuarded(tx, Resources.NODE, id, fence.columns(columns), fence.guard())
                .compose(row -> row == null
                        ? Future.failedFuture(fence.refused(uuid))
                        : Future.succeededFuture(store.secrets().openNode(row)));
    }

    /**
     * {@link #save} and its notifications in one autocommit statement (the events are inserted from the UPDATE's
     * row, so they exist exactly when the change does, as the outbox requires), without a transaction's BEGIN,
     * COMMIT and per-statement round trips. LeaseLost, and nothing written, if the fence moved on.
     */
    Future<JsonObject> saveWithEvents(
            long id, String uuid, NodeFence fence, Map<String, Object> columns, List<Outbox.NodeEvent> events) {
        return store.database()
                .inGroupCommit(group -> store.updateGuardedThen(
                        group,
                        Resources.NODE,
                        id,
                        fence.columns(columns),
                        fence.guard(),
                        (first, params) -> outbox.insertAfter(events, first, params)))
                .compose(row -> {
                    if (row == null) {
                        return Future.failedFuture(fence.refused(uuid));
                    }
                    outbox.statementCommitted();
                    return Future.succeededFuture(store.secrets().openNode(row));
                });
    }

    /** A fenced delete; LeaseLost (and nothing deleted) if the fence moved on. */
    Future<Void> delete(SqlClient tx, long id, String uuid, long fence) {
        return tx.preparedQuery("DELETE FROM nodes WHERE id = $1 AND lock_fence = $2")
                .execute(Tuple.of(id, fence))
                .compose(rows -> rows.rowCount() == 1
                        ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new ConductorErrors.LeaseLost(uuid)));
    }

    /** Clears the reservation if this fence still owns the row; a no-op otherwise. */
    Future<Void> unclaim(long id, long fence) {
        return store.database()
                .pool()
                .preparedQuery("UPDATE nodes SET reservation = NULL WHERE id = $1 AND lock_fence = $2")
                .execute(Tuple.of(id, fence))
                .mapEmpty();
    }
}
