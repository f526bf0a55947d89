package io.anvil.conductor;

import io.anvil.driver.Driver;
import io.anvil.driver.DriverTask;
import io.anvil.errors.AnvilException;
import io.anvil.events.NodePayloads;
import io.anvil.events.Outbox;
import io.anvil.fsm.InvalidStateException;
import io.anvil.fsm.NotificationStatus;
import io.anvil.fsm.ProvisionEvent;
import io.anvil.fsm.ProvisionState;
import io.anvil.fsm.Transition;
import io.anvil.lock.LockLease;
import io.anvil.lock.LockMode;
import io.anvil.store.ListQuery;
import io.anvil.store.Resources;
import io.anvil.store.RowJson;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's TaskManager context for one node: the node as read under the lock, its driver, and the lock itself.
 * Writes go through {@link #save} and are fenced. {@link #processEvent(ProvisionEvent, Function)} defers the
 * state change to the moment its worker starts (docs/architecture.md#invariants, invariant 3);
 * {@link TaskManager#withTask} then hands the lock to that worker, which releases it however it ends.
 */
public final class Task implements DriverTask {
    private static final Logger LOG = LoggerFactory.getLogger(Task.class);

    /** A state change waiting for its worker. */
    record Spawn(
            ProvisionEvent event,
            Optional<ProvisionState> targetOverride,
            String lastError,
            Function<Task, Future<Void>> begin,
            Function<Task, Future<Void>> worker,
            String name) {}

    private final TaskManager manager;
    private final TaskOptions options;
    private LockLease lease;
    private JsonObject node;
    private Driver driver;
    private String purpose;
    private Spawn spawn;
    private Consumer<Throwable> spawnErrorHook;
    private Future<Void> released;
    /**
     * The row carries no reservation of this task (a write cleared it, the row was deleted, or it was never claimed):
     * release needs no write.
     */
    private boolean unclaimed;
    /** While not null: the row was read under the lock but not claimed; this is its version (xmin) as read. */
    private Long unclaimedVersion;
    /** The row was claimed after a first write found it changed: the work is to run once more. */
    private boolean rerun;

    /** {@code readVersion}: null when the row was claimed with the lock, else its version as read (see NodeFence). */
    Task(TaskManager manager, TaskOptions options, LockLease lease, JsonObject node, Driver driver, Long readVersion) {
        this.manager = manager;
        this.options = options;
        this.lease = lease;
        this.node = node;
        this.driver = driver;
        this.purpose = options.purpose();
        this.unclaimedVersion = readVersion;
        this.unclaimed = readVersion != null;
    }

    @Override
    public JsonObject node() {
        return node;
    }

    @Override
    public String uuid() {
        return node.getString("uuid");
    }

    public Driver driver() {
        return driver;
    }

    @Override
    public boolean isShared() {
        return lease.mode() == LockMode.SHARED;
    }

    @Override
    public String purpose() {
        return purpose;
    }

    @Override
    public long fence() {
        requireClaimed();
        return lease.fence();
    }

    /** Writes conditioned on {@code lock_fence = token} need the row claimed: a claim-on-first-write task has none. */
    private void requireClaimed() {
        if (unclaimedVersion != null) {
            throw new IllegalStateException("node " + uuid() + " is not claimed yet: only its node write claims it");
        }
    }

    /** How the next node write is fenced. */
    private NodeFence writeFence() {
        return unclaimedVersion == null
                ? NodeFence.claimed(lease.fence())
                : NodeFence.firstWrite(lease.fence(), unclaimedVersion);
    }

    /**
     * A first write found the row changed since it was read (NodeFence.RowChangedSinceRead): claims the row now, as a
     * task normally does when it takes the lock, and marks the task to run its work again on the row as claimed.
     * Any other failure passes through.
     */
    private <T> Future<T> claimIfChanged(Throwable e) {
        if (!(e instanceof NodeFence.RowChangedSinceRead)) {
            return Future.failedFuture(e);
        }
        LOG.debug("node {} changed after it was read under the lock; claiming it and running the work again", uuid());
        return manager.records().claim(uuid(), manager.host(), lease.fence()).compose(row -> {
            node = manager.store().secrets().openNode(row);
            unclaimedVersion = null;
            unclaimed = false;
            spawn = null;
            spawnErrorHook = null;
            rerun = true;
            return Future.failedFuture(e);
        });
    }

    /** Whether the work's failure asked for it to run again (the row was claimed after it changed); clears the mark. */
    boolean takeRerun() {
        boolean r = rerun;
        rerun = false;
        return r;
    }

    public ProvisionState provisionState() {
        return ProvisionState.fromValue(node.getString("provision_state"));
    }

    @Override
    public Future<List<JsonObject>> ports() {
        return children(Resources.PORT);
    }

    @Override
    public io.anvil.driver.NetworkInterface network() {
        return manager.drivers().networkFor(node);
    }

    @Override
    public Future<List<JsonObject>> portgroups() {
        return children(Resources.PORTGROUP);
    }

    @Override
    public Future<Void> savePortLike(String uuid, boolean portgroup, JsonObject internalInfo, JsonObject extra) {
        requireExclusive("Saving a " + (portgroup ? "portgroup" : "port"));
        requireClaimed();
        // the port belongs to this node and the node's fence is still ours, or nothing is written
        String sql = "UPDATE " + (portgroup ? "portgroups" : "ports")
                + " p SET internal_info = $1, extra = $2, updated_at = now() FROM nodes n"
                + " WHERE p.uuid = $3 AND n.id = p.node_id AND n.id = $4 AND n.lock_fence = $5";
        return manager.database()
                .pool()
                .preparedQuery(sql)
                .execute(io.vertx.sqlclient.Tuple.of(
                        internalInfo, extra, java.util.UUID.fromString(uuid), node.getLong("id"), lease.fence()))
                .compose(rows -> rows.rowCount() == 1
                        ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new ConductorErrors.LeaseLost(uuid())));
    }

    @Override
    public Future<List<String>> createPorts(List<String> macs, boolean pxeEnabled) {
        requireExclusive("Creating ports");
        requireClaimed();
        // one statement: only while this node's fence is still ours; an address that has a port is skipped
        String sql = "INSERT INTO ports (uuid, address, node_id, pxe_enabled, extra)"
                + " SELECT gen_random_uuid(), m, n.id, $3, '{}'::jsonb FROM nodes n, unnest($1::text[]) AS m"
                + " WHERE n.id = $2 AND n.lock_fence = $4 ON CONFLICT (address) DO NOTHING RETURNING address";
        return manager.database()
                .pool()
                .preparedQuery(sql)
                .execute(io.vertx.sqlclient.Tuple.of(
                        (Object) macs.toArray(new String[0]), node.getLong("id"), pxeEnabled, lease.fence()))
                .map(rows -> {
                    List<String> out = new java.util.ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    /** The node as just written by a statement of its own (the fence was checked there). */
    void refresh(JsonObject row) {
        node = row;
    }

    /** The task's manager, for conductor work that reads or writes other resources under this task. */
    TaskManager manager() {
        return manager;
    }

    public Future<List<JsonObject>> volumeConnectors() {
        return children(Resources.VOLUME_CONNECTOR);
    }

    public Future<List<JsonObject>> volumeTargets() {
        return children(Resources.VOLUME_TARGET);
    }

    private Future<List<JsonObject>> children(io.anvil.store.ResourceDef def) {
        ListQuery q = new ListQuery();
        q.where("t.node_id = " + q.param(node.getLong("id"))).limit(100_000);
        return manager.store().list(def, q);
    }

    /** Ironic's require_exclusive_lock. */
    private void requireExclusive(String what) {
        if (isShared()) {
            throw new AnvilException(
                    403, what + " requires an exclusive lock on node " + uuid() + ", but the task holds a shared one.");
        }
    }

    /** Turns a shared task into an exclusive one and re-reads the node; callers must re-check their preconditions. */
    public Future<Void> upgradeLock(String newPurpose) {
        if (!isShared()) {
            purpose = newPurpose;
            return Future.succeededFuture();
        }
        LockLease old = lease;
        TaskOptions exclusive = new TaskOptions(
                LockMode.EXCLUSIVE,
                newPurpose,
                options.waitPolicy(),
                options.allowReservedWorkers(),
                options.loadDriver(),
                options.unclaimWithWrite(),
                false,
                false);
        return old.release()
                .compose(x -> manager.lockAndClaim(uuid(), exclusive))
                .map(grant -> {
                    lease = grant.lease();
                    node = grant.node();
                    driver = options.loadDriver() ? manager.drivers().forNode(node) : null;
                    purpose = newPurpose;
                    return (Void) null;
                });
    }

    /** Fenced update of the node; the task's node becomes the stored row. */
    @Override
    public Future<JsonObject> save(Map<String, Object> columns) {
        requireExclusive("Saving the node");
        // one statement: atomic on its own, no BEGIN/COMMIT round trips
        return manager.database()
                .inStatement(
                        db -> manager.records().save(db, node.getLong("id"), uuid(), writeFence(), written(columns)))
                .recover(this::claimIfChanged)
                .map(this::stored);
    }

    /** Fenced update plus its notification row, in one statement (see {@link NodeRecords#saveWithEvents}). */
    public Future<JsonObject> saveWithEvent(
            Map<String, Object> columns, String eventType, String priority, JsonObject extra) {
        requireExclusive("Saving the node");
        JsonObject payload = withContext(
                NodePayloads.node(asWritten(columns)).mergeIn(extra == null ? new JsonObject() : extra), node);
        if (Outbox.recordsHistory(priority, payload)) {
            // an error notification also writes a history row: the transaction path does both
            return saveWithEvent(columns, eventType, priority, extra, tx -> Future.succeededFuture());
        }
        return saveWithNodeEvents(columns, List.of(new Outbox.NodeEvent(eventType, priority, payload, true)));
    }

    /** Like {@link #saveWithEvent}, with {@code alongside} (other rows the change implies) first in the same transaction. */
    public Future<JsonObject> saveWithEvent(
            Map<String, Object> columns,
            String eventType,
            String priority,
            JsonObject extra,
            java.util.function.Function<io.vertx.sqlclient.SqlClient, Future<Void>> alongside) {
        requireExclusive("Saving the node");
        JsonObject before = node;
        return manager.database()
                .inTransaction(tx -> alongside
                        .apply(tx)
                        .compose(x ->
                                manager.records().save(tx, node.getLong("id"), uuid(), writeFence(), written(columns)))
                        .compose(row -> manager.outbox()
                                .write(
                                        tx,
                                        eventType,
                                        uuid(),
                                        priority,
                                        withContext(
                                                NodePayloads.node(row)
                                                        .mergeIn(extra == null ? new JsonObject() : extra),
                                                before))
                                .map(row)))
                .recover(this::claimIfChanged)
                .map(this::stored);
    }

    /**
     * Like {@link #saveWithEvent} with a preceding {@code beforeEventType} notification carrying the node as it was
     * (Ironic's *.start), all in one statement.
     */
    public Future<JsonObject> saveWithEvents(Map<String, Object> columns, String beforeEventType, String eventType) {
        requireExclusive("Saving the node");
        JsonObject before = withContext(NodePayloads.node(node), node);
        JsonObject after = withContext(NodePayloads.node(asWritten(columns)), node);
        return saveWithNodeEvents(
                columns,
                List.of(
                        new Outbox.NodeEvent(beforeEventType, "info", before, false),
                        new Outbox.NodeEvent(eventType, "info", after, true)));
    }

    private Future<JsonObject> saveWithNodeEvents(Map<String, Object> columns, List<Outbox.NodeEvent> events) {
        return manager.records()
                .saveWithEvents(node.getLong("id"), uuid(), writeFence(), written(columns), events)
                .recover(this::claimIfChanged)
                .map(this::stored);
    }

    /** The columns a node write stores: with the reservation cleared when the task unclaims with its writes. */
    private Map<String, Object> written(Map<String, Object> columns) {
        if (!options.unclaimWithWrite()) {
            return columns;
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>(columns);
        out.put("reservation", null);
        return out;
    }

    /**
     * The row a write returned becomes the task's node. When the write cleared the reservation the task still holds
     * the node until it is released, so its node (and an API answer built from it, as Ironic's shows the conductor
     * that holds it) keeps this conductor as the holder.
     */
    private JsonObject stored(JsonObject row) {
        unclaimedVersion = null; // the row carries this task's token from this write on
        if (options.unclaimWithWrite()) {
            unclaimed = true;
            row.put("reservation", manager.host());
        }
        node = row;
        return row;
    }

    /**
     * The node as {@code columns} will leave it, as a read would show it (the payload of an event written by the
     * same statement as the change); only {@code updated_at}, which PostgreSQL sets, is the old one.
     */
    private JsonObject asWritten(Map<String, Object> columns) {
        // shallow: only read, by NodePayloads.node, which copies what it keeps
        JsonObject row = new JsonObject(new java.util.LinkedHashMap<>(node.getMap()));
        columns.forEach((k, v) -> row.put(k, RowJson.value(v)));
        return row;
    }

    /**
     * What the event feed shows beside the node (docs/events.md#event-objects): the provision and power states
     * before this change (unless the caller said) and the lock holder, this conductor, which holds the node
     * exclusively while it writes the event.
     */
    private JsonObject withContext(JsonObject payload, JsonObject before) {
        if (!payload.containsKey("previous_provision_state")) {
            payload.put("previous_provision_state", before.getString("provision_state"));
        }
        if (!payload.containsKey("previous_power_state")) {
            payload.put("previous_power_state", before.getString("power_state"));
        }
        if (payload.getValue("reservation") == null) {
            payload.put("reservation", manager.host());
        }
        return payload;
    }

    /** Deletes the node (fenced) and writes its delete notification in the same transaction. */
    public Future<Void> destroy(String eventType) {
        requireExclusive("Deleting the node");
        requireClaimed();
        JsonObject before = withContext(NodePayloads.node(node), node);
        return manager.database()
                .inTransaction(tx -> manager.records()
                        .delete(tx, node.getLong("id"), uuid(), lease.fence())
                        .compose(x -> manager.outbox().write(tx, eventType, uuid(), "info", before)))
                .onSuccess(x -> unclaimed = true); // no row left to unclaim
    }

    /** Applies {@code event} now (no worker): a stable-to-stable change such as manage from available. */
    public Future<Void> processEvent(ProvisionEvent event) {
        return transition(event, Optional.empty(), false, false, null);
    }

    /** Applies {@code event} now, with a target override (manual cleaning) or the old target kept. */
    public Future<Void> processEvent(
            ProvisionEvent event, Optional<ProvisionState> targetOverride, boolean keepTarget, String lastError) {
        return transition(event, targetOverride, keepTarget, false, lastError);
    }

    /**
     * Validates {@code event} now and defers it: the state is written, with its notification, only when a worker
     * slot was granted and {@code worker} is about to start (see {@link TaskManager#withTask}).
     */
    public void processEvent(
            ProvisionEvent event,
            Optional<ProvisionState> targetOverride,
            String lastError,
            String name,
            Function<Task, Future<Void>> worker) {
        requireExclusive("A provision state change");
        manager.fsm().apply(provisionState(), target(), event, targetOverride, false, true);
        spawn = new Spawn(event, targetOverride, lastError, null, worker, name);
    }

    /**
     * Spawns {@code worker} after the body with no provision state change. {@code begin} (may be null) runs once
     * the worker slot is granted and before the caller is answered: power actions record their target there, so
     * nothing is written when no worker is free.
     */
    public void spawnAfter(String name, Function<Task, Future<Void>> begin, Function<Task, Future<Void>> worker) {
        spawn = new Spawn(null, Optional.empty(), null, begin, worker, name);
    }

    /** Runs only if spawning fails (no free worker); a failing hook is logged, never rethrown. */
    public void setSpawnErrorHook(Consumer<Throwable> hook) {
        this.spawnErrorHook = hook;
    }

    Spawn pendingSpawn() {
        return spawn;
    }

    Consumer<Throwable> spawnErrorHook() {
        return spawnErrorHook;
    }

    TaskOptions options() {
        return options;
    }

    LockLease lease() {
        return lease;
    }

    private Optional<ProvisionState> target() {
        return ProvisionState.targetFromValue(node.getString("target_provision_state"));
    }

    /** Writes a transition and its provision_set notification in one fenced transaction. */
    Future<Void> transition(
            ProvisionEvent event,
            Optional<ProvisionState> targetOverride,
            boolean keepTarget,
            boolean hasCallback,
            String lastError) {
        requireExclusive("A provision state change");
        ProvisionState previous = provisionState();
        String previousTarget = node.getString("target_provision_state");
        Transition t;
        try {
            t = manager.fsm().apply(previous, target(), event, targetOverride, keepTarget, hasCallback);
        } catch (InvalidStateException e) {
            return Future.failedFuture(new ConductorErrors.InvalidState(e.getMessage()));
        }
        Map<String, Object> cols = new HashMap<>();
        cols.put("provision_state", t.state().value());
        cols.put("target_provision_state", ProvisionState.targetValue(t.target()));
        cols.put("provision_updated_at", OffsetDateTime.now());
        if (lastError != null) {
            cols.put("last_error", lastError.isEmpty() ? null : lastError);
        }
        NotificationStatus status = t.notificationStatus();
        JsonObject extra = new JsonObject()
                .put("event", event.eventName())
                .put("previous_provision_state", previous.value())
                .put("previous_target_provision_state", previousTarget);
        if (t.state().isFailure() || t.state() == ProvisionState.ERROR) {
            LOG.error(
                    "Node {} moved to provision state \"{}\" from state \"{}\"; target provision state is \"{}\"",
                    uuid(),
                    t.state().value(),
                    previous.value(),
                    ProvisionState.targetValue(t.target()));
        } else {
            LOG.info(
                    "Node {} moved to provision state \"{}\" from state \"{}\"; target provision state is \"{}\"",
                    uuid(),
                    t.state().value(),
                    previous.value(),
                    ProvisionState.targetValue(t.target()));
        }
        return saveWithEvent(
                        cols, status.provisionSetEventType(), status.level().value(), extra)
                .mapEmpty();
    }

    /** Idempotent: un-claims the row (if still ours) and releases the lock. */
    public Future<Void> release() {
        if (released == null) {
            manager.taskReleased();
            Future<Void> unclaim = isShared() || unclaimed
                    ? Future.succeededFuture()
                    : manager.records()
                            .unclaim(node.getLong("id"), lease.fence())
                            .recover(e -> {
                                LOG.warn("could not clear the reservation of node {}: {}", uuid(), e.getMessage());
                                return Future.succeededFuture();
                            });
            released = unclaim.compose(x -> lease.release()).mapEmpty();
        }
        return released;
    }
}
