package io.anvil.conductor;

import io.anvil.driver.DriverFactory;
import io.anvil.events.Outbox;
import io.anvil.fsm.ProvisionStateMachine;
import io.anvil.lock.LockLease;
import io.anvil.lock.LockMode;
import io.anvil.lock.NodeLockService;
import io.anvil.logging.LogContext;
import io.anvil.store.Database;
import io.anvil.store.ResourceStore;
import io.anvil.store.Resources;
import io.anvil.store.SqlValues;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's TaskManager, non-blocking: acquire a node shared or exclusive with a purpose and a wait policy from
 * the fair lock, claim its row with the fencing token, load its driver. {@link #withTask} releases however the
 * work ends, or hands the lock to a spawned worker.
 */
public final class TaskManager {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManager.class);

    /**
     * A granted lock with the node row read under it; {@code readVersion} is null when the row was claimed, else its
     * version as read (a claim-on-first-write task, {@link NodeFence}).
     */
    record Grant(LockLease lease, JsonObject node, Long readVersion) {
        boolean claimed() {
            return lease.mode() == LockMode.EXCLUSIVE && readVersion == null;
        }
    }

    private final NodeLockService locks;
    private final ResourceStore store;
    private final NodeRecords records;
    private final DriverFactory drivers;
    private final WorkerPool workers;
    private final Outbox outbox;
    private final String host;
    private final ProvisionStateMachine fsm = ProvisionStateMachine.ironic();
    private java.time.Duration apiLockWait = TaskOptions.API_WAIT;
    /** Tasks of this process not yet released (what a graceful stop waits for). */
    private final java.util.concurrent.atomic.AtomicInteger openTasks = new java.util.concurrent.atomic.AtomicInteger();

    public TaskManager(
            NodeLockService locks,
            ResourceStore store,
            DriverFactory drivers,
            WorkerPool workers,
            Outbox outbox,
            String host) {
        this.locks = locks;
        this.store = store;
        this.records = new NodeRecords(store, outbox);
        this.drivers = drivers;
        this.workers = workers;
        this.outbox = outbox;
        this.host = host;
    }

    /** Resolves the node (NodeNotFound at once, never retried), locks it, reads it under the lock, loads its driver. */
    public Future<Task> acquire(String ident, TaskOptions options) {
        java.util.UUID given = SqlValues.uuidOrNull(ident);
        if (given != null) {
            // a UUID names its lock already: no lookup first. The row is read (claimed) under the lock, which tells
            // a missing node as well; the error names the node as the caller did.
            return acquireUuid(given.toString(), options)
                    .recover(e -> Future.failedFuture(
                            e instanceof ConductorErrors.NodeNotFound ? new ConductorErrors.NodeNotFound(ident) : e));
        }
        // a name: only which node: its row is read under the lock (claimed), so a full read here would be thrown away
        return store.uuidOf(Resources.NODE, ident).compose(uuid -> {
            if (uuid == null) {
                return Future.failedFuture(new ConductorErrors.NodeNotFound(ident));
            }
            return acquireUuid(uuid, options);
        });
    }

    /** Locks the node of this UUID, reads it under the lock (NodeNotFound if it is gone), loads its driver. */
    private Future<Task> acquireUuid(String uuid, TaskOptions options) {
        return lockAndClaim(uuid, options).compose(grant -> {
            try {
                openTasks.incrementAndGet();
                return Future.succeededFuture(new Task(
                        this,
                        options,
                        grant.lease(),
                        grant.node(),
                        options.loadDriver() ? drivers.forNode(grant.node()) : null,
                        grant.readVersion()));
            } catch (RuntimeException e) {
                return releaseAfterFailure(grant, e);
            }
        });
    }

    Future<Grant> lockAndClaim(String uuid, TaskOptions options) {
        Future<LockLease> leased = options.lockFree()
                ? Future.succeededFuture(new NoLockLease(uuid, options.purpose()))
                : locks.acquire(uuid, options.lockRequest());
        return leased.compose(lease -> {
            boolean claim = lease.mode() == LockMode.EXCLUSIVE && !options.claimOnFirstWrite();
            Future<JsonObject> node = claim
                    ? records.claim(uuid, host, lease.fence())
                    : store.find(Resources.NODE, uuid).compose(r -> {
                        if (r == null) {
                            return Future.failedFuture(new ConductorErrors.NodeNotFound(uuid));
                        }
                        if (lease.mode() == LockMode.EXCLUSIVE && r.getLong("lock_fence") >= lease.fence()) {
                            return Future.failedFuture(
                                    new ConductorErrors.LeaseLost(uuid)); // a newer holder claimed it
                        }
                        return Future.succeededFuture(r);
                    });
            return node.transform(ar -> {
                if (ar.failed()) {
                    return lease.release().transform(x -> Future.failedFuture(ar.cause()));
                }
                // the boundary where the stored row becomes the node drivers use: its secrets decrypted
                // (docs/security.md#secrets-at-rest); a secret that cannot be read fails the task, never garbage
                JsonObject opened;
                try {
                    opened = store.secrets().openNode(ar.result());
                } catch (RuntimeException e) {
                    LOG.error("Node {}: {}", uuid, e.getMessage());
                    Future<Void> unclaim = claim
                            ? records.unclaim(ar.result().getLong("id"), lease.fence())
                            : Future.succeededFuture();
                    return unclaim.transform(x -> lease.release()).transform(x -> Future.failedFuture(e));
                }
                Long readVersion = claim || lease.mode() != LockMode.EXCLUSIVE ? null : opened.getLong("row_version");
                return Future.succeededFuture(new Grant(lease, opened, readVersion));
            });
        });
    }

    private <T> Future<T> releaseAfterFailure(Grant grant, Throwable e) {
        Future<Void> unclaim = grant.claimed()
                ? records.unclaim(grant.node().getLong("id"), grant.lease().fence())
                : Future.succeededFuture();
        return unclaim.transform(x -> grant.lease().release()).transform(x -> Future.failedFuture(e));
    }

    /**
     * Runs {@code work} with the task. Without a spawn the lock is released when the work's future ends. With a
     * spawn (a deferred state change, or spawnAfter) a worker slot is taken: if none is free the spawn error hook
     * runs, the lock is released and NoFreeConductorWorker (503) is returned with nothing written; otherwise the
     * state is written, the worker starts and owns the lock, and this future completes once the state is stored.
     */
    public <T> Future<T> withTask(String ident, TaskOptions options, Function<Task, Future<T>> work) {
        return run(acquire(ident, options), work);
    }

    /**
     * {@link #withTask} for a node just listed by its UUID (periodic walks): no lookup before the lock — the row is
     * read under it anyway, and a node deleted meanwhile fails with NodeNotFound there. One database round trip per
     * node less in a power-sync pass.
     */
    public <T> Future<T> withListedTask(String uuid, TaskOptions options, Function<Task, Future<T>> work) {
        return run(acquireUuid(uuid, options), work);
    }

    private <T> Future<T> run(Future<Task> acquired, Function<Task, Future<T>> work) {
        return acquired.compose(task -> {
            LogContext.node(task.uuid()); // the request's log lines name the node by UUID from here
            // a claim-on-first-write task whose row changed before its first write runs once more, claimed
            Future<T> result = Futures.attempt(() -> work.apply(task))
                    .recover(e -> task.takeRerun() ? Futures.attempt(() -> work.apply(task)) : Future.failedFuture(e));
            return result.transform(ar -> {
                if (ar.failed() || task.pendingSpawn() == null) {
                    return task.release()
                            .transform(x -> ar.failed()
                                    ? Future.failedFuture(ar.cause())
                                    : Future.succeededFuture(ar.result()));
                }
                return startSpawn(task).map(ar.result());
            });
        });
    }

    private Future<Void> startSpawn(Task task) {
        Task.Spawn spawn = task.pendingSpawn();
        var slot = workers.tryAcquire(task.options().allowReservedWorkers());
        if (slot.isEmpty()) {
            ConductorErrors.NoFreeConductorWorker error = new ConductorErrors.NoFreeConductorWorker();
            if (task.spawnErrorHook() != null) {
                try {
                    task.spawnErrorHook().accept(error);
                } catch (RuntimeException e) {
                    LOG.warn("spawn error hook failed for node {}: {}", task.uuid(), e.toString());
                }
            }
            LOG.warn("No free conductor workers for {} on node {}", spawn.name(), task.uuid());
            return task.release().transform(x -> Future.failedFuture(error));
        }
        Future<Void> begin = Futures.attempt(() -> spawn.event() != null
                ? task.transition(spawn.event(), spawn.targetOverride(), false, true, spawn.lastError())
                : spawn.begin() != null ? spawn.begin().apply(task) : Future.succeededFuture());
        // a failed start gives its slot and the lock back before the caller hears of it (as the no-slot path does)
        return begin.transform(ar -> {
            if (ar.failed()) {
                slot.get().release();
                return task.release().transform(x -> Future.<Void>failedFuture(ar.cause()));
            }
            runWorker(task, spawn, slot.get());
            return Future.<Void>succeededFuture();
        });
    }

    private void runWorker(Task task, Task.Spawn spawn, WorkerPool.Slot slot) {
        Future<Void> work = Futures.attempt(() -> spawn.worker().apply(task));
        work.onComplete(ar -> {
            Future<Void> recorded = Future.succeededFuture();
            if (ar.failed()) {
                LOG.error(
                        "Async execution of {} on node {} failed: {}",
                        spawn.name(),
                        task.uuid(),
                        ar.cause().toString());
                if (task.node().getString("last_error") == null
                        && !task.isShared()
                        && task.lease().isValid()) {
                    recorded = task.save(Map.of(
                                    "last_error",
                                    "Async execution of " + spawn.name() + " failed with error: "
                                            + ar.cause().getMessage()))
                            .<Void>mapEmpty()
                            .recover(e -> Future.succeededFuture());
                }
            }
            recorded.onComplete(x -> {
                slot.release();
                task.release();
            });
        });
    }

    /** How long API writes queue for a node before answering NodeLocked (conductor.api_lock_wait_ms). */
    public TaskManager apiLockWait(java.time.Duration wait) {
        this.apiLockWait = wait;
        return this;
    }

    /**
     * An exclusive task for an API record edit: a bounded wait in the node's fair queue, no driver loaded, the
     * reservation cleared by its node write.
     */
    public TaskOptions apiWrite(String purpose) {
        return TaskOptions.exclusive(purpose)
                .bounded(apiLockWait)
                .withoutDriver()
                .unclaimingWithWrite();
    }

    /**
     * {@link #apiWrite} for an edit of the node row alone (maintenance, a PATCH): the row is claimed by the edit's own
     * write, not by a write of its own first ({@link TaskOptions#claimingOnFirstWrite}).
     */
    public TaskOptions apiNodeEdit(String purpose) {
        return apiWrite(purpose).claimingOnFirstWrite();
    }

    /** Tasks acquired by this process and not yet released. */
    public int openTasks() {
        return openTasks.get();
    }

    void taskReleased() {
        openTasks.decrementAndGet();
    }

    public WorkerPool workers() {
        return workers;
    }

    public NodeLockService locks() {
        return locks;
    }

    ResourceStore store() {
        return store;
    }

    public Database database() {
        return store.database();
    }

    NodeRecords records() {
        return records;
    }

    public DriverFactory drivers() {
        return drivers;
    }

    Outbox outbox() {
        return outbox;
    }

    ProvisionStateMachine fsm() {
        return fsm;
    }

    public String host() {
        return host;
    }
}
