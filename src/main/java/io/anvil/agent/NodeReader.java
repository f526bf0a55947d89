package io.anvil.agent;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads the nodes heartbeats name, batched: every heartbeat that arrives on this event loop in the same turn (Netty
 * reads all ready sockets, then runs queued tasks) shares one prepared SELECT by primary key, and while
 * {@value #MAX_IN_FLIGHT} such reads are out, later heartbeats wait for one to come back and then go together (each
 * statement costs PostgreSQL far more than a row of it: under load the batches grow instead of the statements,
 * docs/benchmarks.md). One reader per event loop, used only from it: no lock, no cache to go stale.
 */
final class NodeReader {
    private static final String COLUMNS = "SELECT uuid, name, provision_state, maintenance, deploy_interface,"
            + " driver_internal_info->>'agent_secret_token', driver_internal_info->>'agent_url' FROM nodes";
    /** Agents name their node by UUID: a plain index scan, without the bitmap OR the names need. */
    private static final String BY_UUID = COLUMNS + " WHERE uuid = ANY($1::uuid[])";

    private static final String BY_UUID_OR_NAME = COLUMNS + " WHERE uuid = ANY($1::uuid[]) OR name = ANY($2::text[])";
    private static final int MAX_BATCH = 1000;
    /** Reads out at once per event loop: two keep the pipelined connections busy while the next batch gathers. */
    static final int MAX_IN_FLIGHT = 2;

    /** {@code uuid}: the ident parsed once, null for a name. */
    private record Pending(String ident, UUID uuid, Promise<NodeSnapshot> promise) {}

    private final SqlClient db;
    private final Context context;
    private final AgentMetrics metrics;
    private List<Pending> batch = new ArrayList<>();
    private int inFlight;

    NodeReader(SqlClient db, Context context, AgentMetrics metrics) {
        this.db = db;
        this.context = context;
        this.metrics = metrics;
    }

    /** The node by UUID or name, or null when absent. Call on this reader's event loop. */
    Future<NodeSnapshot> load(String ident) {
        Promise<NodeSnapshot> p = Promise.promise();
        batch.add(new Pending(ident, NodeIdents.uuidOrNull(ident), p));
        if (inFlight < MAX_IN_FLIGHT) {
            if (batch.size() == 1) {
                context.runOnContext(v -> flush());
            } else if (batch.size() >= MAX_BATCH) {
                flush();
            }
        } // else: the next read to come back sends this batch
        return p.future();
    }

    private void flush() {
        if (batch.isEmpty() || inFlight >= MAX_IN_FLIGHT) {
            return;
        }
        inFlight++;
        List<Pending> mine = batch;
        batch = new ArrayList<>();
        List<UUID> uuids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Pending p : mine) {
            UUID u = p.uuid();
            if (u != null) {
                uuids.add(u);
            } else {
                names.add(p.ident());
            }
        }
        metrics.readBatches.increment();
        // addValue, not Tuple.of: an array argument would be spread as varargs
        Tuple args = Tuple.tuple().addValue(uuids.toArray(new UUID[0]));
        Future<RowSet<Row>> read = names.isEmpty()
                ? db.preparedQuery(BY_UUID).execute(args)
                : db.preparedQuery(BY_UUID_OR_NAME).execute(args.addValue(names.toArray(new String[0])));
        read.onComplete(ar -> {
            inFlight--;
            try {
                answer(mine, names, ar);
            } finally {
                flush(); // what gathered meanwhile
            }
        });
    }

    private void answer(List<Pending> mine, List<String> names, io.vertx.core.AsyncResult<RowSet<Row>> ar) {
        if (ar.failed()) {
            mine.forEach(p -> p.promise().fail(ar.cause()));
            return;
        }
        Map<UUID, NodeSnapshot> byUuid = new HashMap<>();
        Map<String, NodeSnapshot> byName = names.isEmpty() ? Map.of() : new HashMap<>();
        for (Row r : ar.result()) {
            UUID id = r.getUUID(0);
            NodeSnapshot n = new NodeSnapshot(
                    id,
                    id.toString(),
                    r.getString(1),
                    r.getString(2),
                    Boolean.TRUE.equals(r.getBoolean(3)),
                    r.getString(4),
                    r.getString(5),
                    r.getString(6));
            byUuid.put(id, n);
            if (n.name() != null && !names.isEmpty()) {
                byName.put(n.name(), n);
            }
        }
        for (Pending p : mine) {
            UUID u = p.uuid();
            p.promise().complete(u != null ? byUuid.get(u) : byName.get(p.ident()));
        }
    }
}
