package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.errors.InterfaceNotFound;
import io.anvil.lock.LockInfo;
import io.anvil.lock.LockLease;
import io.anvil.lock.LockMode;
import io.anvil.lock.LockRequest;
import io.anvil.lock.NodeLockService;
import io.anvil.lock.NodeLockedException;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md#ironic-scenarios scenarios 2, 3 and 4 on the TaskManager, plus the fencing oracle
 * (scenario 23; docs/locks.md#fencing).
 */
class TaskLockSemanticsTest extends ConductorTestBase {
    private Redis redis;
    /** lease.release() calls per grant owner, through a counting wrapper of the real lock service. */
    private final Map<String, AtomicInteger> releases = new ConcurrentHashMap<>();

    private TaskManager counted;

    @BeforeAll
    void setUp() {
        redis = Redis.createClient(vertx, TestServices.redisUrl());
        counted = new TaskManager(
                new CountingLocks(tasks().locks()),
                tasks().store(),
                tasks().drivers(),
                new WorkerPool(10, 0),
                tasks().outbox(),
                host());
    }

    @AfterAll
    void tearDown() {
        if (redis != null) {
            redis.close();
        }
    }

    private Task acquire(String uuid, TaskOptions options) {
        return await(tasks().acquire(uuid, options));
    }

    // ---------------------------------------------------------------- scenario 2

    @Test
    void unknownNodeIsNodeNotFoundAtOnceEvenWhenPatient() {
        // a retried (patient) NodeNotFound would never complete: each failure() below waits up to 30 s for it
        Throwable e = failure(
                tasks().acquire(
                                UUID.randomUUID().toString(),
                                TaskOptions.exclusive("x").patient()),
                Duration.ofSeconds(30));
        assertTrue(e instanceof ConductorErrors.NodeNotFound, e::toString);
        e = failure(tasks().acquire("no-such-name", TaskOptions.shared("x").patient()), Duration.ofSeconds(30));
        assertTrue(e instanceof ConductorErrors.NodeNotFound, e::toString);

        String uuid = createNode("available");
        sql("DELETE FROM nodes WHERE uuid = ?", uuid);
        e = failure(tasks().acquire(uuid, TaskOptions.exclusive("x").patient()), Duration.ofSeconds(30));
        assertTrue(e instanceof ConductorErrors.NodeNotFound, e::toString);
        assertTrue(lockFree(uuid));
    }

    /** A patient waiter whose node is deleted while it queues gets NodeNotFound when granted, and lets go. */
    @Test
    void nodeDeletedWhileAPatientWaiterQueuesIsNodeNotFound() {
        String uuid = createNode("available");
        Task holder = acquire(uuid, TaskOptions.exclusive("console"));
        Future<Task> waiter =
                tasks().acquire(uuid, TaskOptions.exclusive("continue deploy").patient());
        waitUntil("waiter queued", () -> lockInfo(uuid).queueLength() == 1);
        sql("DELETE FROM nodes WHERE uuid = ?", uuid);
        await(holder.release());
        Throwable e = failure(waiter);
        assertTrue(e instanceof ConductorErrors.NodeNotFound, e::toString);
        waitUntil("lock free", () -> lockFree(uuid));
    }

    @Test
    void sharedTaskNeverWritesTheRow() {
        String uuid = createNode("available");
        Map<String, Object> before = node(uuid);
        Task a = acquire(uuid, TaskOptions.shared("power sync"));
        Task b = acquire(uuid, TaskOptions.shared("validate").tryOnce());
        assertTrue(a.isShared() && b.isShared());
        assertEquals(before, node(uuid), "a shared task must not write reservation, lock_fence or anything else");
        assertNull(node(uuid).get("reservation"));
        LockInfo info = lockInfo(uuid);
        assertNull(info.exclusive());
        assertEquals(2, info.shared().size());
        // shared holders block an exclusive try-once, and cannot save
        NodeLockedException locked = failureOf(
                NodeLockedException.class,
                tasks().acquire(uuid, TaskOptions.exclusive("deploy").tryOnce()));
        assertEquals(LockMode.SHARED, locked.holderMode());
        Throwable e = assertThrowsAny(() -> a.save(Map.of("extra", new JsonObject().put("x", 1))));
        assertEquals(403, ((io.anvil.errors.AnvilException) e).status());
        await(a.release());
        await(b.release());
        assertEquals(before, node(uuid));
        assertTrue(lockFree(uuid));
    }

    @Test
    void ofConcurrentExclusiveAcquirersExactlyOneWinsAndTheOthersNameIt() {
        String uuid = createNode("available");
        int k = 12;
        List<Future<Task>> racers = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int n = i;
            racers.add(onLoop(() ->
                    tasks().acquire(uuid, TaskOptions.exclusive("racer-" + n).tryOnce())));
        }
        await(Future.join(racers).transform(ar -> Future.succeededFuture()));
        List<Task> winners =
                racers.stream().filter(Future::succeeded).map(Future::result).toList();
        assertEquals(1, winners.size(), "exactly one winner: " + racers);
        Task winner = winners.get(0);
        for (Future<Task> f : racers) {
            if (f.failed()) {
                assertTrue(f.cause() instanceof NodeLockedException, f.cause()::toString);
                NodeLockedException nl = (NodeLockedException) f.cause();
                assertEquals(winner.purpose(), nl.holderPurpose(), nl.getMessage());
                assertEquals(LockMode.EXCLUSIVE, nl.holderMode());
                assertEquals(winner.lease().owner(), nl.holderOwner());
                assertTrue(nl.getMessage().contains("'" + winner.purpose() + "'"), nl.getMessage());
            }
        }
        Map<String, Object> row = node(uuid);
        assertEquals(host(), row.get("reservation"));
        assertEquals(winner.fence(), ((Number) row.get("lock_fence")).longValue());
        assertEquals(winner.purpose(), getLock(uuid).getJsonObject("exclusive").getString("purpose"));
        await(winner.release());
    }

    /**
     * Ironic's release with the wrong tag raises NodeLocked and on an unlocked node NodeNotLocked; Anvil's release is
     * idempotent instead (the same future every time) and a late one can never touch a newer holder.
     */
    @Test
    void releaseIsIdempotentAndALateReleaseLeavesTheNewHolderAlone() {
        String uuid = createNode("available");
        Task a = acquire(uuid, TaskOptions.exclusive("first"));
        Future<Void> r1 = a.release();
        assertSame(r1, a.release());
        await(r1);
        await(a.release());
        assertNull(node(uuid).get("reservation"));
        assertTrue(lockFree(uuid));

        Task b = acquire(uuid, TaskOptions.exclusive("second"));
        await(a.release());
        assertEquals("second", lockInfo(uuid).exclusive().purpose());
        assertEquals(host(), node(uuid).get("reservation"));
        await(b.save(Map.of("extra", new JsonObject().put("by", "b"))));
        await(b.release());
        assertTrue(lockFree(uuid));
    }

    /** A driver that cannot be loaded fails the acquire (400) and un-claims the row and releases the lock. */
    @Test
    void aDriverLoadFailureReleasesEverything() {
        String uuid = createNode("available");
        sql("UPDATE nodes SET power_interface = 'no-such-power' WHERE uuid = ?", uuid);
        Throwable e = failure(tasks().acquire(uuid, TaskOptions.exclusive("deploy")));
        assertTrue(e instanceof InterfaceNotFound, e::toString);
        assertNull(node(uuid).get("reservation"));
        assertTrue(lockFree(uuid));
    }

    // ---------------------------------------------------------------- scenario 3

    @Test
    void upgradeLockReReadsTheNode() {
        String uuid = createNode("available");
        Task task = acquire(uuid, TaskOptions.shared("power sync"));
        assertEquals("available", task.node().getString("provision_state"));
        // the row changes between the shared read and the upgrade (a deploy went to wait call-back, an operator
        // set maintenance and a power target)
        sql(
                "UPDATE nodes SET provision_state = 'wait call-back', target_provision_state = 'active',"
                        + " maintenance = true, target_power_state = 'power on' WHERE uuid = ?",
                uuid);
        assertEquals("available", task.node().getString("provision_state"), "a shared task holds a snapshot");
        await(task.upgradeLock("power sync (upgraded)"));
        assertFalse(task.isShared());
        assertEquals("power sync (upgraded)", task.purpose());
        JsonObject n = task.node();
        assertEquals("wait call-back", n.getString("provision_state"));
        assertEquals("active", n.getString("target_provision_state"));
        assertEquals(true, n.getBoolean("maintenance"));
        assertEquals("power on", n.getString("target_power_state"));
        // now it is a real exclusive task: the row is claimed with its fence and it can write
        assertEquals(host(), node(uuid).get("reservation"));
        assertEquals(task.fence(), ((Number) node(uuid).get("lock_fence")).longValue());
        await(task.save(Map.of("target_power_state", "power off")));
        // upgrading an exclusive task only renames its purpose
        long fence = task.fence();
        await(task.upgradeLock("renamed"));
        assertEquals(fence, task.fence());
        assertEquals("renamed", task.purpose());
        await(task.release());
        assertTrue(lockFree(uuid));
        assertNull(node(uuid).get("reservation"));
    }

    /** An upgrade that cannot get the node (another holder) fails NodeLocked and leaves the task holding nothing. */
    @Test
    void failedUpgradeHoldsNothing() {
        String uuid = createNode("available");
        Task task = acquire(uuid, TaskOptions.shared("power sync").tryOnce());
        Task reader = acquire(uuid, TaskOptions.shared("validate").tryOnce());
        NodeLockedException e = failureOf(NodeLockedException.class, task.upgradeLock("power sync (upgraded)"));
        assertEquals(LockMode.SHARED, e.holderMode());
        LockInfo info = lockInfo(uuid);
        assertEquals(1, info.shared().size(), info::toString);
        assertEquals("validate", info.shared().get(0).purpose());
        assertNull(node(uuid).get("reservation"));
        await(task.release());
        await(reader.release());
        assertTrue(lockFree(uuid));
    }

    // ---------------------------------------------------------------- scenario 4

    /** withTask with a worker the test controls: the worker holds the lock until its future completes. */
    private Future<Void> spawnControlled(
            TaskManager tm, String uuid, String name, Future<Void> workDone, Promise<Task> workerTask) {
        return tm.withTask(uuid, TaskOptions.exclusive("long operation"), task -> {
            task.spawnAfter(name, null, t -> {
                workerTask.tryComplete(t);
                return workDone;
            });
            return Future.succeededFuture();
        });
    }

    @Test
    void theLockMovesToTheWorkerAndIsReleasedOnceWhenItSucceeds() {
        String uuid = createNode("available");
        Promise<Void> work = Promise.promise();
        Promise<Task> worker = Promise.promise();
        await(spawnControlled(counted, uuid, "long_op", work.future(), worker));
        Task t = await(worker.future());
        String owner = t.lease().owner();

        // withTask has returned, the worker runs: the lock is still held, by the worker, for its purpose
        JsonObject lock = getLock(uuid);
        assertEquals("long operation", lock.getJsonObject("exclusive").getString("purpose"), lock::encode);
        assertEquals(owner, lock.getJsonObject("exclusive").getString("owner"));
        assertEquals(host(), node(uuid).get("reservation"));
        assertEquals(0, releases.get(owner).get(), "released before the worker ended");
        NodeLockedException other = failureOf(
                NodeLockedException.class,
                tasks().acquire(uuid, TaskOptions.exclusive("console").tryOnce()));
        assertEquals("long operation", other.holderPurpose());

        work.complete();
        waitUntil("released", () -> lockFree(uuid) && node(uuid).get("reservation") == null);
        assertEquals(1, releases.get(owner).get());
        assertNull(node(uuid).get("last_error"));
        // a later holder is not disturbed by anything left of the worker
        Task next = acquire(uuid, TaskOptions.exclusive("next"));
        await(t.release());
        assertEquals("next", lockInfo(uuid).exclusive().purpose());
        assertEquals(1, releases.get(owner).get());
        await(next.release());
    }

    @Test
    void aFailingWorkerRecordsAsyncExecutionFailedAndReleasesOnce() {
        String uuid = createNode("available");
        Promise<Void> work = Promise.promise();
        Promise<Task> worker = Promise.promise();
        await(spawnControlled(counted, uuid, "do_thing", work.future(), worker));
        String owner = await(worker.future()).lease().owner();
        assertFalse(lockFree(uuid));
        work.fail(new IllegalStateException("kaboom"));
        waitUntil("released", () -> lockFree(uuid) && node(uuid).get("reservation") == null);
        assertEquals(1, releases.get(owner).get());
        assertEquals(
                "Async execution of do_thing failed with error: kaboom",
                node(uuid).get("last_error"));
        assertEquals("available", node(uuid).get("provision_state"), "no state change (spawn_after)");
    }

    @Test
    void aWorkerThatThrowsIsTreatedLikeAFailedOne() {
        String uuid = createNode("available");
        await(counted.withTask(uuid, TaskOptions.exclusive("op"), task -> {
            task.spawnAfter("throwing_op", null, t -> {
                throw new IllegalArgumentException("thrown");
            });
            return Future.succeededFuture();
        }));
        waitUntil("released", () -> lockFree(uuid) && node(uuid).get("last_error") != null);
        assertEquals(
                "Async execution of throwing_op failed with error: thrown",
                node(uuid).get("last_error"));
        assertNull(node(uuid).get("reservation"));
    }

    @Test
    void asyncExecutionFailedDoesNotOverwriteAnExistingLastError() {
        String uuid = createNode("available");
        sql("UPDATE nodes SET last_error = 'the real reason' WHERE uuid = ?", uuid);
        Promise<Void> work = Promise.promise();
        Promise<Task> worker = Promise.promise();
        await(spawnControlled(counted, uuid, "do_thing", work.future(), worker));
        work.fail(new IllegalStateException("secondary"));
        waitUntil("released", () -> lockFree(uuid) && node(uuid).get("reservation") == null);
        assertEquals("the real reason", node(uuid).get("last_error"));

        // a worker that records its own error first keeps it too
        String other = createNode("available");
        await(counted.withTask(other, TaskOptions.exclusive("op"), task -> {
            task.spawnAfter("self_reporting", null, t -> t.save(Map.of("last_error", "step 3 failed"))
                    .compose(x -> Future.failedFuture(new IllegalStateException("step 3"))));
            return Future.succeededFuture();
        }));
        waitUntil("released", () -> lockFree(other) && node(other).get("reservation") == null);
        assertEquals("step 3 failed", node(other).get("last_error"));
    }

    /** Without a spawn, withTask releases when the body ends, however it ends. */
    @Test
    void withoutASpawnTheBodyReleasesHoweverItEnds() {
        String uuid = createNode("available");
        await(counted.withTask(uuid, TaskOptions.exclusive("quick"), t -> Future.succeededFuture("ok")));
        assertTrue(lockFree(uuid));
        Throwable e = failure(counted.withTask(
                uuid,
                TaskOptions.exclusive("quick"),
                t -> Future.failedFuture(new IllegalStateException("body failed"))));
        assertEquals("body failed", e.getMessage());
        assertTrue(lockFree(uuid));
        e = failure(counted.withTask(uuid, TaskOptions.exclusive("quick"), t -> {
            throw new IllegalStateException("body threw");
        }));
        assertEquals("body threw", e.getMessage());
        assertTrue(lockFree(uuid));
        assertNull(node(uuid).get("reservation"));
    }

    /**
     * A worker that runs longer than the lease keeps the node: the lease is renewed while it works (2 s leases
     * renewed every 500 ms, a 3.5 s worker), and its fenced writes at the end still land.
     */
    @Test
    void aWorkerOutlivingItsLeaseIsRenewedAndStillWrites() {
        NodeLockService shortLeases = await(NodeLockService.create(
                vertx,
                TestServices.redisUrl(),
                io.anvil.lock.LockOptions.defaults()
                        .withLease(Duration.ofMillis(2000), Duration.ofMillis(500), Duration.ofMillis(400))));
        try {
            TaskManager tm = new TaskManager(
                    shortLeases, tasks().store(), tasks().drivers(), new WorkerPool(4, 0), tasks().outbox(), host());
            String uuid = createNode("available");
            await(tm.withTask(uuid, TaskOptions.exclusive("long step"), task -> {
                task.spawnAfter("long_step", null, t -> delay(3500)
                        .compose(v -> t.save(Map.of("extra", new JsonObject().put("done", true))))
                        .mapEmpty());
                return Future.succeededFuture();
            }));
            waitUntil(
                    "worker done",
                    () -> lockFree(uuid) && node(uuid).get("reservation") == null,
                    Duration.ofSeconds(15));
            assertEquals(1L, count("SELECT count(*) FROM nodes WHERE uuid = ? AND extra->>'done' = 'true'", uuid));
            assertNull(node(uuid).get("last_error"));
        } finally {
            await(shortLeases.close());
        }
    }

    // ---------------------------------------------------------------- fencing oracle

    /**
     * Scenario 23 of docs/architecture.md#ironic-scenarios: A's lease is lost (Redis forgot the holder key, as after a
     * restart or an expiry during a long pause) and B is granted the node with a higher fence. A can no longer write
     * anything: every save answers LeaseLost and the row keeps B's reservation and fence; A's release does not clear
     * B's reservation.
     */
    @Test
    void aStaleFenceCannotWrite() {
        String uuid = createNode("available");
        Task a = acquire(uuid, TaskOptions.exclusive("stalled deploy"));
        long fa = a.fence();
        await(redis.send(Request.cmd(Command.DEL).arg("lk:{" + uuid + "}:x")));
        Task b = acquire(uuid, TaskOptions.exclusive("take over"));
        assertTrue(b.fence() > fa, "fences increase: " + fa + " then " + b.fence());
        Map<String, Object> afterB = node(uuid);
        assertEquals(b.fence(), ((Number) afterB.get("lock_fence")).longValue());
        long eventsBefore = events(uuid).size();

        failureOf(ConductorErrors.LeaseLost.class, a.save(Map.of("provision_state", "deploying")));
        failureOf(
                ConductorErrors.LeaseLost.class,
                a.saveWithEvent(Map.of("last_error", "from a"), "baremetal.node.provision_set.error", "error", null));
        failureOf(ConductorErrors.LeaseLost.class, a.processEvent(io.anvil.fsm.ProvisionEvent.MANAGE));
        assertEquals(afterB, node(uuid), "the stale holder wrote");
        assertEquals(eventsBefore, events(uuid).size(), "the stale holder wrote an event");

        await(a.release());
        assertEquals(host(), node(uuid).get("reservation"), "A's release cleared B's reservation");
        assertEquals("take over", lockInfo(uuid).exclusive().purpose());
        await(b.save(Map.of("last_error", "from b")));
        assertEquals("from b", node(uuid).get("last_error"));
        await(b.release());
        assertNull(node(uuid).get("reservation"));
    }

    /** A claim with a fence not above the row's (a duplicate grant after a failover) is refused: LeaseLost. */
    @Test
    void aClaimWithAnOldFenceIsRefused() {
        String uuid = createNode("available");
        sql("UPDATE nodes SET lock_fence = 9000000000000000000 WHERE uuid = ?", uuid);
        Throwable e = failure(tasks().acquire(uuid, TaskOptions.exclusive("after failover")));
        assertTrue(e instanceof ConductorErrors.LeaseLost, e::toString);
        assertTrue(lockFree(uuid), "a refused claim releases its lease");
        assertNull(node(uuid).get("reservation"));
    }

    private static Throwable assertThrowsAny(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected an exception");
    }

    /** Wraps the real lock service, counting lease.release() calls per grant. */
    private final class CountingLocks implements NodeLockService {
        private final NodeLockService delegate;

        CountingLocks(NodeLockService delegate) {
            this.delegate = delegate;
        }

        @Override
        public Future<LockLease> acquire(String nodeUuid, LockRequest request) {
            return delegate.acquire(nodeUuid, request).map(l -> {
                releases.put(l.owner(), new AtomicInteger());
                return new LockLease() {
                    public String nodeUuid() {
                        return l.nodeUuid();
                    }

                    public LockMode mode() {
                        return l.mode();
                    }

                    public long fence() {
                        return l.fence();
                    }

                    public String owner() {
                        return l.owner();
                    }

                    public String purpose() {
                        return l.purpose();
                    }

                    public Future<Void> lost() {
                        return l.lost();
                    }

                    public boolean isValid() {
                        return l.isValid();
                    }

                    public Future<Boolean> release() {
                        releases.get(l.owner()).incrementAndGet();
                        return l.release();
                    }
                };
            });
        }

        @Override
        public Future<LockInfo> inspect(String nodeUuid) {
            return delegate.inspect(nodeUuid);
        }

        @Override
        public String clientId() {
            return delegate.clientId();
        }

        @Override
        public Future<Void> close() {
            return Future.succeededFuture();
        }
    }
}
