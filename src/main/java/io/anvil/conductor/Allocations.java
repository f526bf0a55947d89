package io.anvil.conductor;

import io.anvil.errors.AnvilException;
import io.anvil.fsm.ProvisionState;
import io.anvil.store.ResourceStore;
import io.anvil.store.SchedulingResources;
import io.anvil.util.Secrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's allocation processing (ironic/conductor/allocations.py and the allocation parts of manager.py and the
 * database API). An allocation picks an {@code available}, powered, not-in-maintenance node with no instance that
 * matches its resource class, all its traits and (if given) its candidate list; the chosen node gets
 * {@code allocation_uuid} and {@code instance_uuid} (the allocation's UUID) and {@code instance_info.traits}.
 *
 * <p>Atomic: each candidate is taken under its exclusive node lock (a short bounded wait in the node's fair queue,
 * where Ironic tries once and retries the pass), re-checked as read under the lock, and claimed by one transaction
 * whose node update is fenced and conditioned on the node still having no allocation and no instance
 * ({@code allocation_uuid IS NULL AND instance_uuid IS NULL}); {@code allocations.node_id} is unique besides. Two
 * allocations racing for the last node can therefore never both get it: the second finds it taken and moves on.
 */
public final class Allocations {
    private static final Logger LOG = LoggerFactory.getLogger(Allocations.class);

    public static final String ALLOCATING = "allocating";
    public static final String ACTIVE = "active";
    public static final String ERROR = "error";

    private final TaskManager tasks;
    private final ResourceStore store;
    private final java.util.function.LongSupplier conductorId;

    /** Without a conductor registry: allocations record no conductor_affinity. */
    public Allocations(TaskManager tasks) {
        this(tasks, () -> -1);
    }

    /** @param conductorId this conductor's {@code conductors.id} (negative while unregistered) */
    public Allocations(TaskManager tasks, java.util.function.LongSupplier conductorId) {
        this.tasks = tasks;
        this.store = tasks.store();
        this.conductorId = conductorId;
    }

    /** Ironic's AllocationFailed: its message is what last_error keeps. */
    static final class AllocationFailed extends AnvilException {
        AllocationFailed(String uuid, String error) {
            this(500, uuid, error);
        }

        /**
         * With the status a backfill answers: Ironic's AllocationFailed has no code of its own (500 there), but a
         * node that does not match the request is the request's fault (docs/api.md#allocations).
         */
        AllocationFailed(int status, String uuid, String error) {
            super(status, "Failed to process allocation " + uuid + ": " + error + ".");
        }
    }

    /** The allocation was deleted while it was being processed: nothing more to do. */
    private static final class Gone extends RuntimeException {
        Gone() {
            super(null, null, false, false);
        }
    }

    /**
     * Ironic's create_allocation: stores the allocation ({@code allocating}) with its create notification, then
     * processes it in the background; the answer is the allocation as stored. With {@code backfillNode} (an
     * {@code active} node's UUID, API 1.58) the node is checked and recorded at once instead.
     *
     * @param given validated columns: uuid, name, resource_class, traits, candidate_nodes (UUIDs), extra, owner
     */
    public Future<JsonObject> create(Map<String, Object> given, String backfillNode) {
        Map<String, Object> columns = new java.util.LinkedHashMap<>(given);
        long me = conductorId.getAsLong();
        if (me >= 0) {
            // Ironic's create_allocation: the conductor that processes it; a restart or a take-over resumes it
            columns.put("conductor_affinity", me);
        }
        if (backfillNode == null) {
            return store.database()
                    .inTransaction(tx -> store.insert(tx, SchedulingResources.ALLOCATION, columns)
                            .compose(row -> event(tx, "baremetal.allocation.create.end", "info", row)
                                    .map(row)))
                    .onSuccess(row -> process(row)
                            .onFailure(e -> LOG.error(
                                    "Processing allocation {} failed unexpectedly", row.getString("uuid"), e)));
        }
        return store.database()
                .inTransaction(tx -> store.insert(tx, SchedulingResources.ALLOCATION, columns))
                .compose(row -> backfill(row, backfillNode));
    }

    // ---- resuming (Ironic's _resume_allocations and _check_orphan_allocations) ----

    /**
     * Takes over the allocations left {@code allocating} by a conductor that is gone — not alive (offline, or silent
     * longer than {@code heartbeatTimeout}) or, with {@code atStart}, this very conductor before its restart (and
     * those that name no conductor) — and processes them again: each ends {@code active} or {@code error} with its
     * reason, as a new one would. The take-over is one conditional update, so two conductors never both resume one.
     *
     * @return how many were taken over
     */
    public Future<Integer> resumeUnfinished(boolean atStart, java.time.Duration heartbeatTimeout) {
        long me = conductorId.getAsLong();
        if (me < 0) {
            return Future.succeededFuture(0);
        }
        return store.database()
                .pool()
                .preparedQuery("UPDATE allocations SET conductor_affinity = $1, updated_at = now()"
                        + " WHERE state = 'allocating' AND ((conductor_affinity IS NULL OR conductor_affinity = $1)"
                        + " AND $2 OR conductor_affinity IN (SELECT id FROM conductors WHERE id <> $1 AND NOT (online"
                        + " AND updated_at > now() - make_interval(secs => $3)))) RETURNING id")
                .execute(Tuple.of(me, atStart, (double) heartbeatTimeout.toMillis() / 1000.0))
                .compose(rows -> {
                    List<Long> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getLong(0)));
                    if (ids.isEmpty()) {
                        return Future.succeededFuture(0);
                    }
                    for (long id : ids) {
                        // read from the primary: the take-over just wrote these rows
                        store.findById(store.database().pool(), SchedulingResources.ALLOCATION, id)
                                .compose(allocation -> {
                                    if (allocation == null) {
                                        return Future.succeededFuture();
                                    }
                                    LOG.info("Resuming unfinished allocation {}", allocation.getString("uuid"));
                                    return process(allocation);
                                })
                                .onFailure(e -> LOG.error("Resuming allocation {} failed unexpectedly", id, e));
                    }
                    return Future.succeededFuture(ids.size());
                });
    }

    // ---- processing (do_allocate) ----

    private Future<Void> process(JsonObject allocation) {
        String uuid = allocation.getString("uuid");
        return candidates(allocation)
                .compose(nodes -> tryNodes(allocation, nodes, 0, 0))
                .recover(e -> {
                    if (e instanceof Gone) {
                        LOG.debug("Allocation {} was deleted while it was being processed", uuid);
                        return Future.succeededFuture();
                    }
                    String reason = e instanceof AllocationFailed
                            ? e.getMessage()
                            : "Unexpected exception during allocation: " + e.getMessage();
                    LOG.error("{}", reason);
                    return failed(allocation, reason).mapEmpty();
                });
    }

    /** Ironic's _candidate_nodes: the matching nodes, shuffled, one named like the allocation first. */
    private Future<List<JsonObject>> candidates(JsonObject allocation) {
        String uuid = allocation.getString("uuid");
        String rc = allocation.getString("resource_class");
        JsonArray candidates = allocation.getJsonArray("candidate_nodes", new JsonArray());
        String owner = allocation.getString("owner");
        List<Object> params = new ArrayList<>(List.of(rc));
        StringBuilder sql = new StringBuilder("SELECT uuid, name, traits FROM nodes WHERE resource_class = $1"
                + " AND provision_state = 'available' AND instance_uuid IS NULL AND power_state IS NOT NULL"
                + " AND NOT maintenance");
        if (!candidates.isEmpty()) {
            UUID[] ids =
                    candidates.stream().map(c -> UUID.fromString((String) c)).toArray(UUID[]::new);
            params.add(ids);
            sql.append(" AND uuid = ANY($").append(params.size()).append(")");
        }
        if (owner != null) {
            params.add(owner);
            sql.append(" AND (owner = $")
                    .append(params.size())
                    .append(" OR lessee = $")
                    .append(params.size())
                    .append(")");
        }
        return store.database()
                .reads()
                .preparedQuery(sql.toString())
                .execute(Tuple.from(params))
                .map(rows -> {
                    List<JsonObject> nodes = new ArrayList<>();
                    rows.forEach(r -> nodes.add(new JsonObject()
                            .put("uuid", r.getUUID(0).toString())
                            .put("name", r.getString(1))
                            .put("traits", r.getValue(2))));
                    if (nodes.isEmpty()) {
                        throw new AllocationFailed(
                                uuid,
                                candidates.isEmpty()
                                        ? "no available nodes match the resource class " + rc
                                        : "none of the requested nodes are available and match the resource class "
                                                + rc);
                    }
                    Set<String> wanted = traits(allocation.getValue("traits"));
                    if (!wanted.isEmpty()) {
                        nodes.removeIf(n -> !traits(n.getValue("traits")).containsAll(wanted));
                        if (nodes.isEmpty()) {
                            throw new AllocationFailed(
                                    uuid, "no suitable nodes have the requested traits " + String.join(", ", wanted));
                        }
                    }
                    Collections.shuffle(nodes);
                    String name = allocation.getString("name");
                    if (name != null) {
                        for (int i = 0; i < nodes.size(); i++) {
                            if (name.equals(nodes.get(i).getString("name"))) {
                                nodes.add(0, nodes.remove(i));
                                break;
                            }
                        }
                    }
                    LOG.debug("{} nodes are candidates for allocation {}", nodes.size(), uuid);
                    return nodes;
                });
    }

    /** Ironic's _allocate_node: each candidate in turn under its lock; a locked one is counted and passed. */
    private Future<Void> tryNodes(JsonObject allocation, List<JsonObject> nodes, int at, int locked) {
        String uuid = allocation.getString("uuid");
        if (at == nodes.size()) {
            return Future.failedFuture(new AllocationFailed(
                    uuid,
                    locked > 0
                            ? "could not reserve any of " + locked + " suitable nodes"
                            : "all nodes were filtered out during reservation"));
        }
        String node = nodes.get(at).getString("uuid");
        return tasks.withTask(node, tasks.apiWrite("allocating"), task -> claim(task, allocation))
                .transform(ar -> {
                    if (ar.succeeded() && ar.result()) {
                        LOG.info("Node {} has been successfully reserved for allocation {}", node, uuid);
                        return Future.succeededFuture();
                    }
                    if (ar.failed() && ar.cause() instanceof Gone) {
                        return Future.failedFuture(ar.cause());
                    }
                    boolean wasLocked = ar.failed() && !(ar.cause() instanceof ConductorErrors.NodeNotFound);
                    if (ar.failed()) {
                        LOG.debug(
                                "Node {} could not be taken for allocation {}: {}",
                                node,
                                uuid,
                                ar.cause().toString());
                    }
                    return tryNodes(allocation, nodes, at + 1, locked + (wasLocked ? 1 : 0));
                });
    }

    /** Under the node's lock: Ironic's _verify_node on the row as it is now, then the fenced claim. */
    private Future<Boolean> claim(Task task, JsonObject allocation) {
        JsonObject node = task.node();
        String rc = allocation.getString("resource_class");
        if (Boolean.TRUE.equals(node.getBoolean("maintenance"))
                || node.getValue("instance_uuid") != null
                || node.getValue("allocation_uuid") != null
                || !ProvisionState.AVAILABLE.value().equals(node.getString("provision_state"))
                || !rc.equals(node.getString("resource_class"))
                || !traits(node.getValue("traits")).containsAll(traits(allocation.getValue("traits")))) {
            LOG.debug("Node {} no longer suits allocation {}, skipping", task.uuid(), allocation.getString("uuid"));
            return Future.succeededFuture(false);
        }
        return record(task, allocation, false).map(row -> row != null);
    }

    /**
     * One transaction: the node (fenced, and only while it has no allocation and no instance, unless
     * {@code backfill} finds the allocation's own UUID there) and the allocation ({@code active}, while it still
     * exists and is not done), with the create notification for a backfill (a background allocation had its own when
     * it was stored). Null when the node was taken meanwhile; fails with {@link Gone} when the allocation was deleted.
     */
    private Future<JsonObject> record(Task task, JsonObject allocation, boolean withCreateEvent) {
        UUID allocationUuid = UUID.fromString(allocation.getString("uuid"));
        long nodeId = task.node().getLong("id");
        JsonArray traits = allocation.getJsonArray("traits", new JsonArray());
        return store.database().inTransaction(tx -> tx.preparedQuery("UPDATE nodes SET allocation_uuid = $1,"
                        + " instance_uuid = $1, instance_info = instance_info || jsonb_build_object('traits',"
                        + " $2::jsonb), updated_at = now() WHERE id = $3 AND lock_fence = $4"
                        + " AND allocation_uuid IS NULL AND (instance_uuid IS NULL OR instance_uuid = $1)")
                .execute(Tuple.of(allocationUuid, traits, nodeId, task.fence()))
                .recover(e -> Future.failedFuture(translate(e, allocation, task.uuid())))
                .compose(rows -> {
                    if (rows.rowCount() == 0) {
                        return Future.succeededFuture(null);
                    }
                    return tx.preparedQuery("UPDATE allocations SET node_id = $1, state = 'active',"
                                    + " last_error = NULL, updated_at = now() WHERE uuid = $2"
                                    + " AND state = 'allocating' RETURNING id")
                            .execute(Tuple.of(nodeId, allocationUuid))
                            .compose(a -> a.rowCount() == 0
                                    ? Future.<JsonObject>failedFuture(new Gone())
                                    : store.findById(
                                            tx,
                                            SchedulingResources.ALLOCATION,
                                            a.iterator().next().getLong(0)))
                            .compose(row -> withCreateEvent
                                    ? event(tx, "baremetal.allocation.create.end", "info", row)
                                            .map(row)
                                    : Future.succeededFuture(row));
                }));
    }

    /** Ironic's InstanceAssociated: the allocation's UUID is already some other node's instance_uuid. */
    private static Throwable translate(Throwable e, JsonObject allocation, String node) {
        if (e instanceof PgException pg && "23505".equals(pg.getSqlState())) {
            return AnvilException.conflict("Instance " + allocation.getString("uuid")
                    + " is already associated with a node, it cannot be associated with this other node " + node);
        }
        return e;
    }

    /** Ironic's _allocation_failed: error state, no node, the reason kept (nothing to do if it was deleted). */
    private Future<JsonObject> failed(JsonObject allocation, String reason) {
        return store.database()
                .inTransaction(tx -> tx.preparedQuery("UPDATE allocations SET state = 'error', node_id = NULL,"
                                + " last_error = $2, updated_at = now() WHERE uuid = $1 RETURNING id")
                        .execute(Tuple.of(UUID.fromString(allocation.getString("uuid")), reason))
                        .compose(rows -> rows.rowCount() == 0
                                ? Future.succeededFuture(null)
                                : store.findById(
                                        tx,
                                        SchedulingResources.ALLOCATION,
                                        rows.iterator().next().getLong(0))))
                .recover(e -> {
                    LOG.error(
                            "Could not save the failed allocation {}: {}", allocation.getString("uuid"), e.toString());
                    return Future.succeededFuture(null);
                });
    }

    // ---- backfilling (API 1.58) ----

    private Future<JsonObject> backfill(JsonObject allocation, String nodeUuid) {
        String uuid = allocation.getString("uuid");
        return tasks.withTask(nodeUuid, tasks.apiWrite("allocation backfilling"), task -> {
                    JsonObject node = task.node();
                    List<String> errors = new ArrayList<>();
                    boolean notActive = !ProvisionState.ACTIVE.value().equals(node.getString("provision_state"));
                    if (notActive) {
                        errors.add("Node must be in the \"active\" state, but the current state is \""
                                + node.getString("provision_state") + "\"");
                    }
                    String rc = allocation.getString("resource_class");
                    if (rc != null && !rc.equals(node.getString("resource_class"))) {
                        errors.add("Resource class " + node.getString("resource_class")
                                + " does not match the requested resource class " + rc);
                    }
                    Set<String> wanted = traits(allocation.getValue("traits"));
                    if (!wanted.isEmpty() && !traits(node.getValue("traits")).containsAll(wanted)) {
                        errors.add("List of traits " + traits(node.getValue("traits"))
                                + " does not match the requested traits " + allocation.getValue("traits"));
                    }
                    JsonArray candidates = allocation.getJsonArray("candidate_nodes", new JsonArray());
                    if (!candidates.isEmpty() && !candidates.contains(task.uuid())) {
                        errors.add("Candidate nodes must be empty or contain the target node, but got "
                                + candidates.encode());
                    }
                    if (!errors.isEmpty()) {
                        // a node in the wrong state is a conflict with it; any other mismatch, a bad request
                        return Future.failedFuture(new AllocationFailed(
                                notActive ? 409 : 400,
                                uuid,
                                "Cannot backfill an allocation for node " + task.uuid() + ": "
                                        + String.join("; ", errors)));
                    }
                    String other = node.getString("instance_uuid");
                    if (node.getValue("allocation_uuid") != null || (other != null && !other.equals(uuid))) {
                        return Future.failedFuture(new ConductorErrors.InvalidState("Node " + task.uuid()
                                + " is associated with instance "
                                + (other == null ? node.getString("allocation_uuid") : other) + "."));
                    }
                    return record(task, allocation, true)
                            .compose(row -> row == null
                                    ? Future.failedFuture(new ConductorErrors.LeaseLost(task.uuid()))
                                    : Future.succeededFuture(row));
                })
                .recover(e -> {
                    if (e instanceof Gone) {
                        return Future.failedFuture(
                                AnvilException.notFound("Allocation " + uuid + " could not be found."));
                    }
                    String reason = e.getMessage();
                    LOG.error("{}", reason);
                    return failed(allocation, reason)
                            .compose(row -> row == null
                                    ? Future.succeededFuture()
                                    : store.database()
                                            .inTransaction(
                                                    tx -> event(tx, "baremetal.allocation.create.error", "error", row)))
                            .transform(x -> Future.failedFuture(e));
                });
    }

    // ---- deletion (destroy_allocation) ----

    /**
     * Ironic's destroy_allocation: an allocation holding a node is deleted under the node's lock, and only where
     * Ironic allows (verify_node_for_deallocation); the node loses allocation_uuid and instance_uuid in the same
     * transaction, with the delete notification.
     */
    public Future<Void> destroy(JsonObject allocation) {
        String nodeUuid = allocation.getString("node_uuid");
        if (nodeUuid == null) {
            // not holding a node as read: delete only if that is still so (the processing may claim one meanwhile)
            return store.database()
                    .inTransaction(tx -> tx.preparedQuery(
                                    "DELETE FROM allocations WHERE id = $1 AND node_id IS NULL RETURNING id")
                            .execute(Tuple.of(allocation.getLong("id")))
                            .compose(rows -> rows.rowCount() == 0
                                    ? Future.succeededFuture(false)
                                    : event(tx, "baremetal.allocation.delete.end", "info", allocation)
                                            .map(true)))
                    .compose(deleted -> deleted
                            ? Future.succeededFuture()
                            : reload(allocation).compose(this::destroy));
        }
        return tasks.withTask(nodeUuid, tasks.apiWrite("allocation deletion"), task -> {
            verifyForDeallocation(task.node(), allocation.getString("uuid"));
            return store.database().inTransaction(tx -> release(tx, task, allocation));
        });
    }

    private Future<JsonObject> reload(JsonObject allocation) {
        return store.find(SchedulingResources.ALLOCATION, allocation.getString("uuid"))
                .compose(row -> row == null
                        ? Future.failedFuture(AnvilException.notFound(
                                "Allocation " + allocation.getString("uuid") + " could not be found."))
                        : Future.succeededFuture(row));
    }

    /**
     * Deletes the allocation and frees its node (fenced) with the delete notification. Used by deletion and by a
     * node's tear-down, which Ironic ends by destroying the node's allocation.
     */
    Future<Void> release(SqlClient tx, Task task, JsonObject allocation) {
        return tx.preparedQuery("UPDATE nodes SET allocation_uuid = NULL, instance_uuid = NULL, updated_at = now()"
                        + " WHERE id = $1 AND lock_fence = $2")
                .execute(Tuple.of(task.node().getLong("id"), task.fence()))
                .compose(rows -> rows.rowCount() == 0
                        ? Future.failedFuture(new ConductorErrors.LeaseLost(task.uuid()))
                        : tx.preparedQuery("DELETE FROM allocations WHERE uuid = $1")
                                .execute(Tuple.of(UUID.fromString(allocation.getString("uuid")))))
                .compose(rows -> event(tx, "baremetal.allocation.delete.end", "info", allocation));
    }

    /** Deletes an allocation with its delete notification inside {@code tx}; nothing if it is already gone. */
    public Future<Void> deleteInTx(SqlClient tx, String allocationUuid) {
        return store.findForUpdate(tx, SchedulingResources.ALLOCATION, allocationUuid)
                .compose(row -> row == null
                        ? Future.<Void>succeededFuture()
                        : store.delete(tx, SchedulingResources.ALLOCATION, row.getLong("id"))
                                .compose(x -> event(tx, "baremetal.allocation.delete.end", "info", row)));
    }

    /** Ironic's do_node_tear_down end: the node's allocation goes (no-op without one). */
    public Future<Void> releaseForNode(Task task) {
        String allocationUuid = task.node().getString("allocation_uuid");
        if (allocationUuid == null) {
            return Future.succeededFuture();
        }
        return store.find(SchedulingResources.ALLOCATION, allocationUuid)
                .compose(allocation -> allocation == null
                        ? Future.succeededFuture()
                        : store.database()
                                .inTransaction(tx -> release(tx, task, allocation))
                                .compose(v -> store.find(io.anvil.store.Resources.NODE, task.uuid()))
                                .map(row -> {
                                    task.refresh(row);
                                    return (Void) null;
                                }));
    }

    /** Ironic's verify_node_for_deallocation. */
    static void verifyForDeallocation(JsonObject node, String allocationUuid) {
        if (Boolean.TRUE.equals(node.getBoolean("maintenance"))) {
            return;
        }
        ProvisionState state = ProvisionState.fromValue(node.getString("provision_state"));
        String uuid = node.getString("uuid");
        if (node.getString("target_provision_state") != null && !ProvisionState.UPDATE_ALLOWED_STATES.contains(state)) {
            throw new ConductorErrors.InvalidState("Cannot remove allocation " + allocationUuid + " for node " + uuid
                    + ", because the node is in state " + state.value() + " where updates are not allowed (and "
                    + "maintenance mode is off)");
        }
        if (state == ProvisionState.ACTIVE) {
            throw new ConductorErrors.InvalidState("Cannot remove allocation " + allocationUuid + " for node " + uuid
                    + ", because the node is active (and maintenance mode is off)");
        }
    }

    // ---- update (API 1.57: name and extra) ----

    /** Stores a patched name/extra with the update notification, in one transaction. */
    public Future<JsonObject> update(JsonObject allocation, Map<String, Object> columns) {
        return store.database()
                .inTransaction(tx -> store.update(tx, SchedulingResources.ALLOCATION, allocation.getLong("id"), columns)
                        .compose(row -> event(tx, "baremetal.allocation.update.end", "info", row)
                                .map(row)));
    }

    // ---- helpers ----

    /** Ironic's AllocationCRUDPayload: the allocation as the API shows it, extra masked. */
    private Future<Void> event(SqlClient tx, String type, String priority, JsonObject row) {
        JsonObject payload = row.copy();
        payload.remove("id");
        payload.remove("row_version");
        if (payload.getValue("extra") instanceof JsonObject o) {
            payload.put("extra", Secrets.mask(o));
        }
        return tasks.outbox().write(tx, type, row.getString("node_uuid"), priority, payload);
    }

    /** A node's or an allocation's traits as names (stored as strings, or as objects with a "trait"). */
    static Set<String> traits(Object value) {
        Set<String> out = new LinkedHashSet<>();
        if (value instanceof JsonArray a) {
            for (Object t : a) {
                if (t instanceof String s) {
                    out.add(s);
                } else if (t instanceof JsonObject o && o.getValue("trait") instanceof String s) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
