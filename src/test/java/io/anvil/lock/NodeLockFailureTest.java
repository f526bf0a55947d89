package io.anvil.lock;

import static io.anvil.lock.LockTesting.FAST;
import static io.anvil.lock.LockTesting.await;
import static io.anvil.lock.LockTesting.awaitFailure;
import static io.anvil.lock.LockTesting.eventually;
import static io.anvil.lock.LockTesting.node;
import static io.anvil.lock.LockTesting.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crashes, pauses and Redis faults (docs/locks.md#adversarial-scenarios). A "killed JVM" is a second service abandoned
 * without releasing anything; faults that would disturb other tests run against a private Redis.
 */
class NodeLockFailureTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final long LEASE_MS = FAST.lease().toMillis();
    private static Vertx vertx;
    private static String url;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        url = TestServices.redisUrl();
    }

    @AfterAll
    static void stop() {
        await(vertx.close());
    }

    private static long ms(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    /** Scenario 1: the holder's process dies; the next waiter gets the node when the lease runs out, not before. */
    @Test
    void killedHolderIsReplacedAfterItsLease() {
        RedisNodeLockService dying = LockTesting.service(vertx, url, FAST);
        RedisNodeLockService alive = LockTesting.service(vertx, url, FAST);
        try {
            String n = node();
            long t0 = System.nanoTime();
            LockLease old = await(dying.acquire(n, LockRequest.exclusive("deploy")));
            Future<LockLease> next =
                    alive.acquire(n, LockRequest.exclusive("take over").patient());
            await(eventually(vertx, () -> alive.inspect(n).map(i -> i.queueLength() == 1), T, 20));
            long killed = System.nanoTime();
            await(dying.abandon());
            LockLease l = await(next, T);
            long sinceAcquire = ms(t0);
            assertTrue(l.fence() > old.fence());
            assertTrue(
                    sinceAcquire >= LEASE_MS - 50, "no overlap: granted " + sinceAcquire + " ms after the old grant");
            // how soon after the lease (expected: LEASE_MS + at most one repoll) is printed, not bounded: a loaded
            // machine delays timers; the property is the order (never before the old lease ran out)
            System.out.printf("killed holder: next waiter granted %d ms after the kill%n", ms(killed));
            await(l.release());
        } finally {
            await(alive.close());
        }
    }

    /**
     * Scenario 2: a holder paused longer than its lease (kill -STOP / -CONT, simulated by freezing its timers) loses
     * the node to a higher fence, learns it on resume, and its stale write is fenced out.
     */
    @Test
    void pausedHolderIsFencedOut() {
        RedisNodeLockService paused = LockTesting.service(vertx, url, FAST);
        RedisNodeLockService alive = LockTesting.service(vertx, url, FAST);
        FenceOracle db = new FenceOracle();
        try {
            String n = node();
            LockLease old = await(paused.acquire(n, LockRequest.exclusive("deploy")));
            assertTrue(db.claim(old.fence()));
            await(paused.freezeWatchdogs());
            LockLease fresh =
                    await(alive.acquire(n, LockRequest.exclusive("take over").patient()), T);
            assertTrue(fresh.fence() > old.fence());
            assertTrue(db.claim(fresh.fence()));
            await(paused.thawWatchdogs());
            assertInstanceOf(LeaseLostException.class, awaitFailure(old.lost(), T));
            assertFalse(old.isValid());
            assertFalse(db.write(old.fence()), "the paused holder's write is rejected");
            assertTrue(db.write(fresh.fence()));
            assertFalse(await(old.release()));
            await(fresh.release());
        } finally {
            await(paused.close());
            await(alive.close());
        }
    }

    /** Scenario 3: a dead head waiter stalls the queue at most waiterTtl + one heartbeat. */
    @Test
    void killedHeadWaiterIsPruned() {
        RedisNodeLockService holder = LockTesting.service(vertx, url, FAST);
        RedisNodeLockService dying = LockTesting.service(vertx, url, FAST);
        RedisNodeLockService alive = LockTesting.service(vertx, url, FAST);
        try {
            String n = node();
            LockLease h = await(holder.acquire(n, LockRequest.exclusive("deploy")));
            dying.acquire(n, LockRequest.exclusive("head").patient());
            await(eventually(vertx, () -> holder.inspect(n).map(i -> i.queueLength() == 1), T, 10));
            Future<LockLease> next =
                    alive.acquire(n, LockRequest.exclusive("second").patient());
            await(eventually(vertx, () -> holder.inspect(n).map(i -> i.queueLength() == 2), T, 10));
            long killed = System.nanoTime();
            await(dying.abandon());
            await(h.release()); // wakes the dead head, which never answers
            LockLease l = await(next, T);
            System.out.printf("dead head waiter: queue stalled %d ms (waiterTtl + one heartbeat)%n", ms(killed));
            assertEquals(0, await(holder.inspect(n)).queueLength(), "the dead head was pruned");
            await(l.release());
        } finally {
            await(holder.close());
            await(alive.close());
        }
    }

    /** Scenario 5: with its subscriber connection killed, a waiter still progresses and resubscribes. */
    @Test
    void waitersProgressWhenTheSubscriberIsKilled() {
        try (PrivateRedis server = PrivateRedis.start()) {
            RedisNodeLockService a = LockTesting.service(vertx, server.url(), FAST);
            RedisNodeLockService b = LockTesting.service(vertx, server.url(), FAST);
            Redis admin = Redis.createClient(vertx, server.url());
            try {
                String n = node();
                LockLease h = await(a.acquire(n, LockRequest.exclusive("deploy")));
                Future<LockLease> w = b.acquire(n, LockRequest.exclusive("next").patient());
                await(eventually(vertx, () -> b.inspect(n).map(i -> i.queueLength() == 1), T, 10));
                long subs = b.stats().subscriptions();
                // kill every subscriber and release at once: the wake-up is published while nobody listens
                await(raw(admin, Command.CLIENT, "KILL", "TYPE", "pubsub"));
                long t0 = System.nanoTime();
                await(h.release());
                LockLease l = await(w, T);
                System.out.printf("subscriber killed: waiter granted %d ms after the release (by repoll)%n", ms(t0));
                await(eventually(vertx, () -> Future.succeededFuture(b.stats().subscriptions() > subs), T, 20));
                // wake-ups work again after the resubscription
                Future<LockLease> w2 =
                        a.acquire(n, LockRequest.exclusive("again").patient());
                await(eventually(vertx, () -> a.inspect(n).map(i -> i.queueLength() == 1), T, 10));
                await(eventually(vertx, () -> Future.succeededFuture(a.stats().subscriptions() >= 2), T, 20));
                long wakes = a.stats().wakeups();
                await(l.release());
                await(await(w2, T).release());
                assertTrue(a.stats().wakeups() > wakes, "woken by pub/sub after resubscribing");
            } finally {
                await(a.close());
                await(b.close());
                await(admin.close());
            }
        }
    }

    /**
     * A service with a very short command timeout. Its start-up (script loads on a freshly started Redis) may itself
     * miss that timeout on a loaded machine: that is not what the test is about, so start-up is tried again.
     */
    private static RedisNodeLockService impatientService(String url, LockOptions options) {
        // a patient service first: it loads the scripts and passes the new Redis' one-lease quarantine, so that what
        // is left for the impatient one is a few short round trips
        await(LockTesting.service(vertx, url, FAST).close());
        RuntimeException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                return LockTesting.service(vertx, url, options);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * Scenario 6: replies lost to client timeouts (DEBUG SLEEP against a 300 ms timeout). Retried acquire, release and
     * leave are idempotent: no duplicate ticket, no double grant.
     */
    @Test
    void lostRepliesAreRetriedIdempotently() {
        LockOptions impatient = FAST.withCommandTimeout(Duration.ofMillis(300));
        try (PrivateRedis server = PrivateRedis.start()) {
            RedisNodeLockService a = impatientService(server.url(), impatient);
            RedisNodeLockService b = impatientService(server.url(), impatient);
            Redis admin = Redis.createClient(vertx, server.url());
            FenceOracle db = new FenceOracle();
            try {
                String n = node();
                LockLease h = await(a.acquire(n, LockRequest.exclusive("deploy")));
                assertTrue(db.claim(h.fence()));
                Future<LockLease> w = b.acquire(n, LockRequest.exclusive("next").patient());
                Future<LockLease> bounded =
                        b.acquire(n, LockRequest.exclusive("api").bounded(Duration.ofMillis(200)));
                await(eventually(vertx, () -> b.inspect(n).map(i -> i.queueLength() == 2), T, 10));
                Future<Response> sleep = raw(admin, Command.DEBUG, "SLEEP", "0.8");
                Future<Boolean> released = h.release(); // its first attempt times out, retries answer "not held"
                assertTrue(await(released, T), "an ambiguous release that did run still reports true");
                await(sleep);
                assertInstanceOf(NodeLockedException.class, awaitFailure(bounded, T));
                LockLease l = await(w, T);
                assertTrue(db.claim(l.fence()), "no double grant: strictly newer fence");
                // counter: h's fence, one ticket per waiter (2), then l's fence; retried polls drew no extra ticket
                assertEquals(h.fence() + 3, l.fence(), "no duplicate ticket");
                LockInfo info = await(a.inspect(n));
                assertEquals(0, info.queueLength(), "the bounded waiter left despite its lost replies");
                assertEquals(l.owner(), info.exclusive().owner());
                assertTrue(await(l.release()));
            } finally {
                await(a.close());
                await(b.close());
                await(admin.close());
            }
        }
    }

    /**
     * A Redis the lock service has never used (or that lost its data while no conductor ran) may still hide leases of
     * a process that has not noticed: the first service waits out a quarantine of one lease before it is ready; one
     * started later on the same Redis finds the markers and is ready at once.
     */
    @Test
    void firstStartOnAFreshRedisWaitsOutTheQuarantine() {
        try (PrivateRedis server = PrivateRedis.start()) {
            long t0 = System.nanoTime();
            RedisNodeLockService first = LockTesting.service(vertx, server.url(), FAST);
            try {
                assertTrue(ms(t0) >= LEASE_MS - 50, "ready after " + ms(t0) + " ms; the quarantine lasts " + LEASE_MS);
                await(await(first.acquire(
                                node(),
                                LockRequest.exclusive("right after start").tryOnce()))
                        .release());
                RedisNodeLockService second = LockTesting.service(vertx, server.url(), FAST);
                try {
                    await(await(second.acquire(
                                    node(),
                                    LockRequest.exclusive("second start").tryOnce()))
                            .release());
                    assertEquals(0, first.stats().dataLosses() + second.stats().dataLosses());
                } finally {
                    await(second.close());
                }
            } finally {
                await(first.close());
            }
        }
    }

    /**
     * Scenario 7: Redis restarts without persistence. The holder's renewal is refused and it stops; the data loss opens
     * a quarantine of one lease (a try-once is refused, waiters are granted only after it); scripts are reloaded once
     * after NOSCRIPT; fences after the restart exceed every fence before.
     */
    @Test
    void redisRestartWithoutPersistence() {
        try (PrivateRedis server = PrivateRedis.start()) {
            RedisNodeLockService s = LockTesting.service(vertx, server.url(), FAST);
            try {
                String n = node();
                long max = 0;
                for (int i = 0; i < 3; i++) {
                    LockLease l = await(s.acquire(n, LockRequest.exclusive("before")));
                    max = Math.max(max, l.fence());
                    await(l.release());
                }
                LockLease held = await(s.acquire(n, LockRequest.exclusive("deploy")));
                max = Math.max(max, held.fence());
                long loads = s.stats().scriptLoads();
                server.restart();
                assertInstanceOf(LeaseLostException.class, awaitFailure(held.lost(), T), "renew answered 0");
                // the first acquire finds the slot's marker gone: quarantine for a whole lease, so that no grant can
                // overlap
                // a lease another process still believes it holds
                long quarantineSeen = System.nanoTime();
                NodeLockedException refused = assertInstanceOf(
                        NodeLockedException.class,
                        awaitFailure(
                                s.acquire(
                                        node(),
                                        LockRequest.exclusive("during quarantine")
                                                .tryOnce()),
                                T));
                assertTrue(refused.getMessage().contains("Redis lost the lock service's data"), refused.getMessage());
                assertEquals(1, s.stats().dataLosses());
                List<Future<LockLease>> after = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    after.add(s.acquire(
                            i == 0 ? n : node(), LockRequest.exclusive("after").patient()));
                }
                LockLease first = await(after.get(0), T);
                assertTrue(
                        ms(quarantineSeen) >= LEASE_MS - 50,
                        "granted " + ms(quarantineSeen) + " ms after the loss was" + " seen; the quarantine lasts "
                                + LEASE_MS + " ms");
                assertTrue(first.fence() > max, first.fence() + " must exceed " + max);
                for (Future<LockLease> f : after) {
                    await(await(f, T).release());
                }
                long reloads = s.stats().scriptLoads() - loads;
                assertTrue(
                        reloads >= 2 && reloads <= LockScripts.Script.values().length,
                        "each script reloaded at most once: " + reloads);
            } finally {
                await(s.close());
            }
        }
    }

    /**
     * Scenario 17: renewal blocked (DEBUG SLEEP longer than the lease). The local deadline fires the lease-lost signal
     * before the Redis lease could expire, and the work stops writing.
     */
    @Test
    void blockedRenewalFiresLeaseLostBeforeTheLeaseExpires() {
        LockOptions opts = FAST.withLease(Duration.ofMillis(1500), Duration.ofMillis(400), Duration.ofMillis(300));
        try (PrivateRedis server = PrivateRedis.start()) {
            RedisNodeLockService s = LockTesting.service(vertx, server.url(), opts);
            Redis admin = Redis.createClient(vertx, server.url());
            try {
                String n = node();
                LockLease l = await(s.acquire(n, LockRequest.exclusive("deploy")));
                long t0 =
                        System.nanoTime(); // after the grant was sent: the local deadline is at most lease - margin on
                AtomicLong lastWrite = new AtomicLong();
                long timer = vertx.setPeriodic(20, id -> {
                    if (l.isValid()) {
                        lastWrite.set(System.nanoTime()); // "DB write" under the lock
                    }
                });
                AtomicLong sleepDone = new AtomicLong();
                Future<Response> sleep =
                        raw(admin, Command.DEBUG, "SLEEP", "3").onComplete(ar -> sleepDone.set(System.nanoTime()));
                Throwable lost = awaitFailure(l.lost(), T);
                long lostAt = System.nanoTime();
                vertx.cancelTimer(timer);
                assertInstanceOf(LeaseLostException.class, lost);
                assertEquals(0, sleepDone.get(), "lost fired while Redis was still asleep");
                // the order is the property (lost before Redis woke up; no write once the local deadline passed, which
                // isValid() checks on the clock, so it holds however late the deadline timer fires)
                System.out.printf(
                        "blocked renewal: lease lost signalled %d ms after the grant%n", (lostAt - t0) / 1_000_000);
                assertTrue((lastWrite.get() - t0) / 1_000_000 < 1500 - 300, "no write after the deadline");
                assertFalse(l.isValid());
                await(sleep, T);
            } finally {
                await(s.close());
                await(admin.close());
            }
        }
    }
}
