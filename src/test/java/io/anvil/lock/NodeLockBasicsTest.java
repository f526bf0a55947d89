package io.anvil.lock;

import static io.anvil.lock.LockTesting.FAST;
import static io.anvil.lock.LockTesting.await;
import static io.anvil.lock.LockTesting.awaitFailure;
import static io.anvil.lock.LockTesting.delay;
import static io.anvil.lock.LockTesting.eventually;
import static io.anvil.lock.LockTesting.node;
import static io.anvil.lock.LockTesting.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Grants, modes, wait policies, inspect, release and fencing on the shared test Redis. */
class NodeLockBasicsTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static Vertx vertx;
    private static String url;
    private static RedisNodeLockService locks;
    private static RedisNodeLockService other;
    private static Redis redis;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        url = TestServices.redisUrl();
        locks = LockTesting.service(vertx, url, FAST);
        other = LockTesting.service(vertx, url, FAST);
        redis = Redis.createClient(vertx, url);
    }

    @AfterAll
    static void stop() {
        await(locks.close());
        await(other.close());
        await(vertx.close());
    }

    @Test
    void exclusiveGrantsCarryIncreasingFences() {
        String n = node();
        LockLease a = await(locks.acquire(n, LockRequest.exclusive("deploy")));
        assertTrue(a.isValid());
        assertEquals(LockMode.EXCLUSIVE, a.mode());
        assertTrue(a.owner().startsWith(locks.clientId() + "/"));
        assertTrue(await(a.release()));
        assertTrue(await(a.release()), "release is idempotent: the same answer again");
        assertFalse(a.isValid());
        await(a.lost()); // completes normally after a release
        LockLease b = await(other.acquire(n, LockRequest.exclusive("clean")));
        assertTrue(b.fence() > a.fence());
        assertTrue(await(b.release()));
    }

    @Test
    void retriedAcquireIsIdempotent() {
        String n = node();
        List<String> keys = LockKeys.of(n);
        String owner = "test-client:1:abc/1";
        Response first =
                await(eval(LockScripts.Script.ACQUIRE, keys, owner, "x", "30000", "6000", "1", "p", n, "64", "256"));
        Response again =
                await(eval(LockScripts.Script.ACQUIRE, keys, owner, "x", "30000", "6000", "1", "p", n, "64", "256"));
        assertEquals(1, first.get(0).toInteger());
        assertEquals(first.get(1).toLong(), again.get(1).toLong(), "a retry after a lost reply gets the same grant");
        // a queued waiter retrying keeps its one ticket
        String waiter = "test-client:1:abc/2";
        for (int i = 0; i < 3; i++) {
            Response r = await(
                    eval(LockScripts.Script.ACQUIRE, keys, waiter, "x", "30000", "6000", "1", "p", n, "64", "256"));
            assertEquals(0, r.get(0).toInteger());
            assertEquals(0, r.get(1).toInteger(), "still the head, no second ticket");
        }
        assertEquals(1, await(locks.inspect(n)).queueLength());
        await(eval(LockScripts.Script.LEAVE, keys, waiter, n, "64", "256"));
        await(eval(
                LockScripts.Script.RELEASE,
                keys,
                owner,
                "x",
                Long.toString(first.get(1).toLong()),
                n,
                "64",
                "256"));
        assertTrue(await(locks.inspect(n)).isFree());
    }

    @Test
    void sharedHoldersRunTogetherAndBlockWriters() {
        String n = node();
        LockLease s1 = await(locks.acquire(n, LockRequest.shared("console")));
        LockLease s2 = await(other.acquire(n, LockRequest.shared("heartbeat")));
        assertEquals(s1.fence(), s2.fence(), "readers get the current counter, not a new fence");
        NodeLockedException e = assertInstanceOf(
                NodeLockedException.class, awaitFailure(locks.acquire(n, LockRequest.exclusive("deploy")), T));
        assertEquals(LockMode.SHARED, e.holderMode());
        LockInfo info = await(locks.inspect(n));
        assertNull(info.exclusive());
        assertEquals(2, info.shared().size());
        assertTrue(await(s1.release()));
        assertTrue(await(s2.release()));
        LockLease x = await(locks.acquire(n, LockRequest.exclusive("deploy")));
        assertTrue(x.fence() > s1.fence());
        await(x.release());
    }

    @Test
    void tryOnceNeverQueuesAndReportsTheHolder() {
        String n = node();
        LockLease h = await(locks.acquire(n, LockRequest.exclusive("deploy")));
        NodeLockedException e = assertInstanceOf(
                NodeLockedException.class, awaitFailure(other.acquire(n, LockRequest.exclusive("power sync")), T));
        assertEquals(LockMode.EXCLUSIVE, e.holderMode());
        assertEquals(h.owner(), e.holderOwner());
        assertEquals("deploy", e.holderPurpose());
        assertTrue(e.heldFor().toMillis() >= 0);
        assertEquals(0, e.queueLength());
        assertTrue(e.getMessage().contains("deploy"));
        assertEquals(0, await(locks.inspect(n)).queueLength(), "try-once left nothing in the queue");
        await(h.release());
    }

    @Test
    void tryOnceNeverOvertakesAQueuedWaiter() {
        String n = node();
        LockLease h = await(locks.acquire(n, LockRequest.exclusive("deploy")));
        Future<LockLease> w =
                other.acquire(n, LockRequest.exclusive("continue deploy").patient());
        await(eventually(vertx, () -> locks.inspect(n).map(i -> i.queueLength() == 1), T, 20));
        // pipelined on one connection: the try-once reaches Redis right after the release, before the waiter re-polls
        Future<Boolean> released = h.release();
        Future<LockLease> t = locks.acquire(n, LockRequest.exclusive("power sync"));
        assertTrue(await(released));
        NodeLockedException e = assertInstanceOf(NodeLockedException.class, awaitFailure(t, T));
        assertTrue(e.queueLength() <= 1);
        LockLease granted = await(w, T);
        assertTrue(granted.fence() > h.fence());
        await(granted.release());
    }

    @Test
    void boundedWaitLeavesTheQueueAtItsDeadline() {
        String n = node();
        LockLease h = await(locks.acquire(n, LockRequest.exclusive("deploy")));
        long t0 = System.nanoTime();
        NodeLockedException e = assertInstanceOf(
                NodeLockedException.class,
                awaitFailure(other.acquire(n, LockRequest.exclusive("update").bounded(Duration.ofMillis(300))), T));
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(waitedMs >= 290, "waited " + waitedMs + " ms");
        assertEquals(h.owner(), e.holderOwner());
        assertEquals("deploy", e.holderPurpose());
        assertEquals(0, e.queuePosition(), "it was the head when it gave up");
        assertEquals(0, await(locks.inspect(n)).queueLength());
        await(h.release());
    }

    @Test
    void boundedWaitIsGrantedWhenTheHolderLeavesInTime() {
        String n = node();
        LockLease h = await(locks.acquire(n, LockRequest.exclusive("deploy")));
        Future<LockLease> w = other.acquire(n, LockRequest.exclusive("update").bounded(Duration.ofSeconds(5)));
        await(eventually(vertx, () -> locks.inspect(n).map(i -> i.queueLength() == 1), T, 20));
        await(h.release());
        LockLease l = await(w, T);
        assertTrue(l.isValid());
        await(l.release());
    }

    @Test
    void inspectShowsHolderPurposeAndQueueInOrder() {
        String n = node();
        LockLease h = await(locks.acquire(n, LockRequest.exclusive("deploy")));
        Future<LockLease> w1 = other.acquire(n, LockRequest.exclusive("clean").patient());
        await(eventually(vertx, () -> locks.inspect(n).map(i -> i.queueLength() == 1), T, 20));
        Future<LockLease> w2 = other.acquire(n, LockRequest.shared("console").patient());
        await(eventually(vertx, () -> locks.inspect(n).map(i -> i.queueLength() == 2), T, 20));
        LockInfo info = await(locks.inspect(n));
        assertEquals(h.owner(), info.exclusive().owner());
        assertEquals("deploy", info.exclusive().purpose());
        assertEquals(h.fence(), info.exclusive().fence());
        assertTrue(info.exclusive().ttl().toMillis() > 0);
        assertEquals(
                List.of("clean", "console"),
                info.queue().stream().map(LockInfo.Waiter::purpose).toList());
        assertEquals(
                List.of(LockMode.EXCLUSIVE, LockMode.SHARED),
                info.queue().stream().map(LockInfo.Waiter::mode).toList());
        assertEquals(0, info.queue().get(0).position());
        await(h.release());
        await(await(w1, T).release());
        await(await(w2, T).release());
        assertTrue(await(locks.inspect(n)).isFree());
    }

    /** Scenario 18: a late release after the lease was re-granted answers false and leaves the new holder alone. */
    @Test
    void lateReleaseAfterRegrantReturnsFalse() {
        String n = node();
        RedisNodeLockService paused = LockTesting.service(vertx, url, FAST);
        try {
            LockLease old = await(paused.acquire(n, LockRequest.exclusive("deploy")));
            await(paused.freezeWatchdogs()); // no renewals: the lease runs out in Redis
            LockLease fresh =
                    await(locks.acquire(n, LockRequest.exclusive("clean").patient()), T);
            assertTrue(fresh.fence() > old.fence());
            assertFalse(await(old.release()), "the old grant no longer held the node");
            LockInfo info = await(locks.inspect(n));
            assertEquals(fresh.owner(), info.exclusive().owner(), "the new holder's key is untouched");
            assertEquals(fresh.fence(), info.exclusive().fence());
            assertTrue(await(fresh.release()));
        } finally {
            await(paused.close());
        }
    }

    /** Scenario 19: deleting the counter mid-run never lets a fence go backwards. */
    @Test
    void fencesKeepIncreasingAfterTheCounterIsDeleted() {
        String n = node();
        long max = 0;
        for (int i = 0; i < 5; i++) {
            LockLease l = await(locks.acquire(n, LockRequest.exclusive("step")));
            assertTrue(l.fence() > max);
            max = l.fence();
            await(l.release());
        }
        assertEquals(1, await(raw(redis, Command.DEL, LockKeys.counter(n))).toInteger());
        LockLease l = await(locks.acquire(n, LockRequest.exclusive("after delete")));
        assertTrue(l.fence() > max, l.fence() + " must exceed " + max);
        await(l.release());
    }

    /** A holder whose key disappears learns it at the next renewal. */
    @Test
    void lostKeyFiresLeaseLost() {
        String n = node();
        LockLease l = await(locks.acquire(n, LockRequest.exclusive("deploy")));
        await(raw(redis, Command.DEL, LockKeys.holder(n)));
        Throwable lost = awaitFailure(l.lost(), T);
        assertInstanceOf(LeaseLostException.class, lost);
        assertFalse(l.isValid());
        assertFalse(await(l.release()));
    }

    /** Scenario 24: nothing renews after a release, even when the release races the watchdog's registration. */
    @Test
    void noRenewalsAfterRelease() {
        LockOptions quick = FAST.withLease(Duration.ofMillis(1000), Duration.ofMillis(50), Duration.ofMillis(200));
        RedisNodeLockService s = LockTesting.service(vertx, url, quick);
        try {
            List<Future<Boolean>> cycles = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                // release in the same callback that delivers the grant
                cycles.add(s.acquire(node(), LockRequest.exclusive("race")).compose(LockLease::release));
            }
            for (Future<Boolean> c : cycles) {
                assertTrue(await(c));
            }
            // a lease released while one of its renewals is on the wire
            LockLease l = await(s.acquire(node(), LockRequest.exclusive("renewing")));
            await(delay(vertx, 120));
            assertTrue(await(l.release()));
            long after = s.stats().renewals();
            await(delay(vertx, 500));
            assertEquals(after, s.stats().renewals(), "no renewal after release");
            assertTrue(after <= 3, "only the renewing lease renewed: " + after);
        } finally {
            await(s.close());
        }
    }

    private static Future<Response> eval(LockScripts.Script script, List<String> keys, String... args) {
        Request r = Request.cmd(Command.EVAL).arg(script.body).arg(keys.size());
        keys.forEach(r::arg);
        for (String a : args) {
            r.arg(a);
        }
        return redis.send(r);
    }
}
