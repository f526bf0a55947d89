package io.anvil.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes notification rows into the {@code events} outbox. Callers pass the connection of the transaction that
 * makes the change, so the event exists exactly when the change does (docs/architecture.md#invariants, invariant 4).
 * Payloads must already be masked.
 */
public final class Outbox {
    private static final String INSERT =
            "INSERT INTO events (event_type, node_uuid, priority, publisher, payload) VALUES ($1, $2, $3, $4, $5)";

    private static final String HISTORY = "INSERT INTO node_history (uuid, node_id, conductor, event_type, severity,"
            + " event) SELECT $1, id, $3, $4, 'ERROR', $5 FROM nodes WHERE uuid = $2";

    private final String publisher;
    private final String conductor;
    private volatile Runnable onCommit;

    public Outbox(String conductorHostname) {
        this.publisher = "anvil-conductor." + conductorHostname;
        this.conductor = conductorHostname;
    }

    /** The publisher its rows carry: {@code anvil-conductor.<hostname>} (Ironic's publisher_id). */
    public String publisher() {
        return publisher;
    }

    /**
     * Runs {@code hook} (on any thread) after each transaction that wrote events commits: the event feed's wake-up
     * (docs/events.md). The rows themselves stay the feed's source of truth.
     */
    public Outbox onCommit(Runnable hook) {
        this.onCommit = hook;
        return this;
    }

    private void afterCommit(SqlClient tx) {
        Runnable hook = onCommit;
        if (hook != null && tx instanceof SqlConnection c) {
            Transaction t = c.transaction();
            if (t != null) {
                t.completion().onSuccess(v -> hook.run());
            }
        }
    }

    /**
     * After an autocommit statement that wrote events ({@link #insertAfter}) succeeded: runs the commit hook, as a
     * transaction's commit does for {@link #write}.
     */
    public void statementCommitted() {
        Runnable hook = onCommit;
        if (hook != null) {
            hook.run();
        }
    }

    /**
     * A notification about a node written by the node's own UPDATE ({@link #insertAfter}). {@code asWritten}: the
     * payload describes the node after the update, so it takes the row's {@code updated_at}, which PostgreSQL sets.
     */
    public record NodeEvent(String eventType, String priority, JsonObject payload, boolean asWritten) {}

    /** Ironic's updated_at format ({@code RowJson}: Python's isoformat(), microseconds, +00:00), in SQL. */
    private static final String UPDATED_AT =
            "to_jsonb(to_char(u.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'))";

    /**
     * An INSERT of {@code events}, one row per event in this order (so their seqs follow it), for each row of the CTE
     * {@code u} (the node as its fenced UPDATE returned it: none when the fence moved on, and then no event either).
     * Its parameters, numbered from {@code first}, are appended to {@code params}. Payloads must already be masked;
     * no history rows (use {@link #write} in a transaction for error notifications).
     */
    public String insertAfter(List<NodeEvent> events, int first, List<Object> params) {
        io.vertx.core.json.JsonArray rows = new io.vertx.core.json.JsonArray();
        for (NodeEvent e : events) {
            rows.add(new JsonObject()
                    .put("event_type", e.eventType())
                    .put("priority", e.priority())
                    .put("payload", e.payload())
                    .put("as_written", e.asWritten()));
        }
        params.add(publisher);
        params.add(rows);
        return "INSERT INTO events (event_type, node_uuid, priority, publisher, payload)"
                + " SELECT e->>'event_type', u.uuid, e->>'priority', $" + first + ","
                + " CASE WHEN (e->>'as_written')::boolean THEN jsonb_set(e->'payload', '{updated_at}', " + UPDATED_AT
                + ") ELSE e->'payload' END"
                + " FROM u, jsonb_array_elements($" + (first + 1) + "::jsonb) WITH ORDINALITY AS v(e, n) ORDER BY v.n";
    }

    /** Whether {@link #write} also records this notification in the node's history (an error with a last_error). */
    public static boolean recordsHistory(String priority, JsonObject payload) {
        return "error".equals(priority) && payload.getString("last_error") != null;
    }

    /** One notification row (see {@link #write}). */
    public record Event(String eventType, String nodeUuid, String priority, JsonObject payload) {}

    /**
     * Writes many notifications inside {@code tx} as pipelined batches (one round trip for the events, one for the
     * history rows of errors): the same rows {@link #write} would write one by one.
     */
    public Future<Void> writeAll(SqlClient tx, List<Event> events) {
        if (events.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> rows = new ArrayList<>();
        List<Tuple> history = new ArrayList<>();
        for (Event e : events) {
            UUID node = e.nodeUuid() == null ? null : UUID.fromString(e.nodeUuid());
            rows.add(Tuple.of(e.eventType(), node, e.priority(), publisher, e.payload()));
            String lastError = e.payload().getString("last_error");
            if ("error".equals(e.priority()) && node != null && lastError != null) {
                String historyType = e.eventType().contains("power") ? "power" : "provisioning";
                history.add(Tuple.of(UUID.randomUUID(), node, conductor, historyType, lastError));
            }
        }
        afterCommit(tx);
        Future<Void> written = tx.preparedQuery(INSERT).executeBatch(rows).mapEmpty();
        return history.isEmpty()
                ? written
                : written.compose(
                        v -> tx.preparedQuery(HISTORY).executeBatch(history).mapEmpty());
    }

    /**
     * {@code eventType} is Ironic's, e.g. {@code baremetal.node.update.end}; priority info, or error. An error that
     * carries a last_error is also recorded in the node's history (GET /v1/nodes/{id}/history), as Ironic does.
     */
    public Future<Void> write(SqlClient tx, String eventType, String nodeUuid, String priority, JsonObject payload) {
        UUID node = nodeUuid == null ? null : UUID.fromString(nodeUuid);
        afterCommit(tx);
        Future<Void> event = tx.preparedQuery(INSERT)
                .execute(Tuple.of(eventType, node, priority, publisher, payload))
                .mapEmpty();
        String lastError = payload.getString("last_error");
        if (node == null || !recordsHistory(priority, payload)) {
            return event;
        }
        String historyType = eventType.contains("power") ? "power" : "provisioning";
        return event.compose(v -> tx.preparedQuery(HISTORY)
                .execute(Tuple.of(UUID.randomUUID(), node, conductor, historyType, lastError))
                .mapEmpty());
    }

    /** Ironic's info notification about one node, its NodePayload built from the row as written (secrets masked). */
    public Future<Void> writeNodeInfo(SqlClient tx, String eventType, JsonObject row) {
        return write(tx, eventType, row.getString("uuid"), "info", NodePayloads.node(row));
    }
}
