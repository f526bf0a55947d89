package io.anvil.conductor;

import io.anvil.events.NodePayloads;
import io.anvil.events.Outbox;
import io.anvil.fsm.InvalidStateException;
import io.anvil.fsm.NotificationStatus;
import io.anvil.fsm.ProvisionEvent;
import io.anvil.fsm.ProvisionState;
import io.anvil.fsm.Transition;
import io.anvil.lock.LockLease;
import io.anvil.lock.NodeLockedException;
import io.anvil.store.RowJson;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Take-over of the nodes a dead conductor left reserved, many at a time: what {@code Task} does for one node (claim
 * the row with the lock's fence, clear a pending power target, fail an interrupted *-ing state, write its notification,
 * un-claim), with the round trips of a whole batch shared.
 *
 * <p>Fencing is exactly the per-node one: every node is still locked on its own in Redis (try-once exclusive, granted
 * only once the dead holder's lease ran out, with a new fencing token), the claim raises each row's fence
 * ({@code lock_fence < token}) and every later write is conditioned on that node's token ({@code lock_fence = token}).
 * What is shared is the SQL: one claim statement, one pipelined batch of fenced updates and one of notification rows,
 * all in one transaction — instead of about ten statements and a transaction per node. A failed batch writes nothing
 * and leaves its nodes to the next pass.
 */
public final class AbandonedNodes {
    private static final Logger LOG = LoggerFactory.getLogger(AbandonedNodes.class);

    /** Nodes locked and written together. */
    public static final int BATCH = 256;

    /** Ironic's fault for a node whose clean step was interrupted (cleaning_error_handler). */
    public static final String CLEAN_FAILURE = "clean failure";

    /** How one node ended. */
    public enum Outcome {
        /** Only un-claimed (maintenance, or nothing was in progress). */
        RELEASED,
        /** Its pending power target was cleared. */
        POWER_CLEARED,
        /** Its interrupted *-ing state went to the fail state. */
        FAILED,
        /** Locked by someone else, or its fence moved on: the next pass tries again. */
        BUSY,
        ERROR
    }

    public record Result(String uuid, Outcome outcome, boolean powerCleared) {}

    private static final String CLAIM = "UPDATE nodes SET reservation = $1, lock_fence = f.fence"
            + " FROM unnest($2::uuid[], $3::bigint[]) AS f(uuid, fence)"
            + " WHERE nodes.uuid = f.uuid AND nodes.lock_fence < f.fence RETURNING nodes.*";

    private static final String UNCLAIM = "UPDATE nodes SET reservation = NULL WHERE id = $1 AND lock_fence = $2";

    private static final String WRITE = "UPDATE nodes SET provision_state = $3, target_provision_state = $4,"
            + " last_error = $5, target_power_state = $6, maintenance = $7, maintenance_reason = $8, fault = $9,"
            + " provision_updated_at = CASE WHEN $10 THEN now() ELSE provision_updated_at END, reservation = NULL,"
            + " updated_at = now() WHERE id = $1 AND lock_fence = $2 RETURNING *";

    private final TaskManager tasks;

    public AbandonedNodes(TaskManager tasks) {
        this.tasks = tasks;
    }

    /** What one claimed node gets: the final columns, or only an un-claim; and its notification. */
    private record Plan(
            JsonObject before,
            long fence,
            Outcome outcome,
            boolean powerCleared,
            Map<String, Object> columns,
            boolean transitioned,
            NotificationStatus status,
            JsonObject extra) {}

    /**
     * Takes over the nodes of {@code reservedBy} (node UUID to the dead conductor that reserved it; all owned here), at
     * most {@link #BATCH} per call (the first ones of a larger map), with Ironic's messages for a cleared power target
     * and an aborted operation.
     */
    public Future<List<Result>> takeOver(Map<String, String> reservedBy, String powerMessage, String abortMessage) {
        List<String> batch = reservedBy.keySet().stream().limit(BATCH).toList();
        // completed on the lock service's context while this loop still fills it
        Map<String, Result> results = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        Map<String, LockLease> leases = new HashMap<>();
        List<Future<Void>> locking = new ArrayList<>();
        TaskOptions options = TaskOptions.exclusive("conductor take over")
                .tryOnce()
                .withoutDriver()
                .withoutReservedWorkers();
        for (String uuid : batch) {
            results.put(uuid, new Result(uuid, Outcome.BUSY, false));
            locking.add(tasks.locks()
                    .acquire(uuid, options.lockRequest())
                    .map(lease -> {
                        synchronized (leases) {
                            leases.put(uuid, lease);
                        }
                        return (Void) null;
                    })
                    .recover(e -> {
                        if (!(e instanceof NodeLockedException)) {
                            LOG.warn("take-over of node {}: locking failed: {}", uuid, e.toString());
                            results.put(uuid, new Result(uuid, Outcome.ERROR, false));
                        }
                        return Future.succeededFuture();
                    }));
        }
        return Future.join(locking)
                .transform(x -> leases.isEmpty()
                        ? Future.succeededFuture()
                        : tasks.database()
                                .inTransaction(tx -> write(tx, leases, reservedBy, powerMessage, abortMessage))
                                .map(done -> {
                                    done.forEach(r -> results.put(r.uuid(), r));
                                    return (Void) null;
                                })
                                .recover(e -> {
                                    LOG.warn(
                                            "take-over of {} node(s) failed, nothing written; the next pass retries: {}",
                                            leases.size(),
                                            e.toString());
                                    leases.keySet().forEach(u -> results.put(u, new Result(u, Outcome.ERROR, false)));
                                    return Future.succeededFuture();
                                }))
                .transform(x -> Future.join(
                        leases.values().stream().map(LockLease::release).toList()))
                .transform(x -> Future.succeededFuture(new ArrayList<>(results.values())));
    }

    private Future<List<Result>> write(
            SqlConnection tx,
            Map<String, LockLease> leases,
            Map<String, String> reservedBy,
            String powerMessage,
            String abort) {
        List<String> uuids = new ArrayList<>(leases.keySet());
        UUID[] ids = uuids.stream().map(UUID::fromString).toArray(UUID[]::new);
        Long[] fences = uuids.stream().map(u -> leases.get(u).fence()).toArray(Long[]::new);
        return tx.preparedQuery(CLAIM)
                .execute(Tuple.of(tasks.host(), ids, fences))
                .compose(claimed -> {
                    List<Plan> plans = new ArrayList<>();
                    for (Row r : claimed) {
                        JsonObject before = RowJson.toJson(r);
                        plans.add(plan(
                                before, leases.get(before.getString("uuid")).fence(), powerMessage, abort));
                    }
                    return apply(tx, plans, reservedBy);
                });
    }

    /** Decides, like Recovery.clearPowerTarget then Recovery.fail under a task, what this node gets. */
    private Plan plan(JsonObject node, long fence, String powerMessage, String abortMessage) {
        if (Boolean.TRUE.equals(node.getBoolean("maintenance"))) {
            return new Plan(node, fence, Outcome.RELEASED, false, null, false, null, null);
        }
        Map<String, Object> cols = new HashMap<>();
        boolean power = node.getString("target_power_state") != null;
        if (power) {
            cols.put("target_power_state", null);
            cols.put("last_error", powerMessage);
        }
        ProvisionState state = ProvisionState.fromValue(node.getString("provision_state"));
        if (!ProvisionState.STUCK_STATES_TREATED_AS_FAIL.contains(state)) {
            return new Plan(
                    node,
                    fence,
                    power ? Outcome.POWER_CLEARED : Outcome.RELEASED,
                    power,
                    power ? cols : null,
                    false,
                    null,
                    null);
        }
        Optional<ProvisionState> target = ProvisionState.targetFromValue(node.getString("target_provision_state"));
        Optional<ProvisionState> keep =
                target.filter(t -> t == ProvisionState.MANAGEABLE && state == ProvisionState.CLEANING);
        Transition t;
        try {
            t = tasks.fsm().apply(state, target, ProvisionEvent.FAIL, keep, false, false);
        } catch (InvalidStateException e) {
            LOG.warn("take-over of node {}: {}", node.getString("uuid"), e.getMessage());
            return new Plan(
                    node,
                    fence,
                    power ? Outcome.POWER_CLEARED : Outcome.RELEASED,
                    power,
                    power ? cols : null,
                    false,
                    null,
                    null);
        }
        cols.put("provision_state", t.state().value());
        cols.put("target_provision_state", ProvisionState.targetValue(t.target()));
        cols.put("last_error", abortMessage);
        if (state == ProvisionState.CLEANING && stepSet(node)) {
            cols.put("maintenance", true);
            cols.put("maintenance_reason", abortMessage);
            cols.put("fault", CLEAN_FAILURE);
        }
        JsonObject extra = new JsonObject()
                .put("event", ProvisionEvent.FAIL.eventName())
                .put("previous_provision_state", state.value())
                .put("previous_target_provision_state", node.getString("target_provision_state"));
        return new Plan(node, fence, Outcome.FAILED, power, cols, true, t.notificationStatus(), extra);
    }

    private static boolean stepSet(JsonObject node) {
        Object step = node.getValue("clean_step");
        if (step instanceof JsonObject o) {
            return !o.isEmpty();
        }
        return step instanceof String s && !s.isBlank() && !"{}".equals(s.trim()) && !"null".equals(s.trim());
    }

    /** The fenced writes of every plan (one pipelined batch each for un-claims and updates), then the events. */
    private Future<List<Result>> apply(SqlConnection tx, List<Plan> plans, Map<String, String> reservedBy) {
        List<Plan> unclaims = plans.stream().filter(p -> p.columns() == null).toList();
        List<Plan> writes = plans.stream().filter(p -> p.columns() != null).toList();
        List<Result> done = new ArrayList<>();
        Future<Void> first = unclaims.isEmpty()
                ? Future.succeededFuture()
                : tx.preparedQuery(UNCLAIM)
                        .executeBatch(unclaims.stream()
                                .map(p -> Tuple.of(p.before().getLong("id"), p.fence()))
                                .toList())
                        .map(rows -> {
                            RowSet<Row> r = rows;
                            for (Plan p : unclaims) {
                                done.add(result(p, r.rowCount() == 1, reservedBy));
                                r = r.next();
                            }
                            return (Void) null;
                        });
        return first.compose(x -> writes.isEmpty()
                        ? Future.succeededFuture(List.<Outbox.Event>of())
                        : tx.preparedQuery(WRITE)
                                .executeBatch(writes.stream()
                                        .map(AbandonedNodes::writeParams)
                                        .toList())
                                .map(rows -> {
                                    List<Outbox.Event> events = new ArrayList<>();
                                    RowSet<Row> r = rows;
                                    for (Plan p : writes) {
                                        boolean written = r.rowCount() == 1;
                                        done.add(result(p, written, reservedBy));
                                        if (written && p.transitioned()) {
                                            events.add(event(
                                                    p,
                                                    RowJson.toJson(r.iterator().next())));
                                        }
                                        r = r.next();
                                    }
                                    return events;
                                }))
                .compose(events -> tasks.outbox().writeAll(tx, events))
                .map(done);
    }

    private static Tuple writeParams(Plan p) {
        JsonObject n = p.before();
        Map<String, Object> c = p.columns();
        return Tuple.tuple()
                .addLong(n.getLong("id"))
                .addLong(p.fence())
                .addString((String) c.getOrDefault("provision_state", n.getString("provision_state")))
                .addString((String) c.getOrDefault("target_provision_state", n.getString("target_provision_state")))
                .addString((String) c.getOrDefault("last_error", n.getString("last_error")))
                .addString((String) c.getOrDefault("target_power_state", n.getString("target_power_state")))
                .addBoolean((Boolean) c.getOrDefault("maintenance", n.getBoolean("maintenance")))
                .addString((String) c.getOrDefault("maintenance_reason", n.getString("maintenance_reason")))
                .addString((String) c.getOrDefault("fault", n.getString("fault")))
                .addBoolean(p.transitioned());
    }

    /**
     * The provision_set notification of a failed node, as Task.transition writes it: the payload is the node as the
     * transition left it, still reserved by this conductor (the maintenance of an interrupted clean step and the
     * un-claim are separate writes there).
     */
    private Outbox.Event event(Plan p, JsonObject after) {
        JsonObject atTransition = after.copy()
                .put("reservation", tasks.host())
                .put("maintenance", p.before().getBoolean("maintenance"))
                .put("maintenance_reason", p.before().getString("maintenance_reason"))
                .put("fault", p.before().getString("fault"));
        return new Outbox.Event(
                p.status().provisionSetEventType(),
                after.getString("uuid"),
                p.status().level().value(),
                NodePayloads.node(atTransition).mergeIn(p.extra()));
    }

    private Result result(Plan p, boolean written, Map<String, String> reservedBy) {
        String uuid = p.before().getString("uuid");
        if (!written) {
            return new Result(uuid, Outcome.BUSY, false);
        }
        if (p.transitioned()) {
            LOG.error(
                    "Conductor {} took over node {} reserved by offline conductor {}: provision state \"{}\" moved to"
                            + " \"{}\" ({})",
                    tasks.host(),
                    uuid,
                    reservedBy.get(uuid),
                    p.before().getString("provision_state"),
                    p.columns().get("provision_state"),
                    p.columns().get("last_error"));
        } else {
            LOG.warn(
                    "Conductor {} took over node {} reserved by offline conductor {} (provision state \"{}\"{})",
                    tasks.host(),
                    uuid,
                    reservedBy.get(uuid),
                    p.before().getString("provision_state"),
                    p.powerCleared() ? ", pending power operation aborted" : "");
        }
        return new Result(uuid, p.outcome(), p.powerCleared());
    }
}
