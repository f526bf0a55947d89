package io.anvil.lock;

import static io.anvil.lock.LockTesting.FAST;
import static io.anvil.lock.LockTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.RedisServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The quarantine of docs/locks.md#quarantine-after-data-loss under {@code redis.mode: cluster}, on a real
 * 3-master/3-replica Cluster started from {@code redis-server}: a slot's first use on a fresh Cluster, and its first
 * use after its master was killed and a replica promoted, refuse every grant (a try-once says "quarantine") until one
 * lease has passed, then grant again.
 */
class ClusterQuarantineTest {
    private static final Duration T = Duration.ofSeconds(45);
    private static final long LEASE_MS = FAST.lease().toMillis();
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        await(vertx.close());
    }

    @Test
    void aFreshClusterAndAFailedOverSlotPauseGrantsForOneLease() {
        try (RedisServers redis = RedisServers.cluster(vertx)) {
            RedisTopology topology =
                    new RedisTopology(RedisTopology.Mode.CLUSTER, redis.endpoints(), "", 0, Duration.ZERO);
            RedisNodeLockService s = await(RedisNodeLockService.create(vertx, topology, FAST), T);
            try {
                String node = LockTesting.node();
                // first use of the node's slot on a fresh Cluster: no marker yet
                long t0 = System.nanoTime();
                assertQuarantined(
                        s.acquire(node, LockRequest.exclusive("first use").tryOnce()), node);
                grantedAfterTheLease(s, node, t0);

                // the master serving the slot dies; its replica, promoted, serves a new replication id
                long lossesBefore = s.stats().dataLosses();
                int primary = redis.primaryFor(LockKeys.holder(node));
                redis.kill9(primary);
                redis.awaitFailover(primary, LockKeys.holder(node));
                long t1 = firstAnswer(s, node);
                grantedAfterTheLease(s, node, t1);
                assertEquals(lossesBefore + 1, s.stats().dataLosses(), "the fail-over was seen as one data loss");
            } finally {
                await(s.close());
            }
        }
    }

    /**
     * Try-once acquires until Redis answers (commands fail while the Cluster fails over); the first answer must be the
     * quarantine. Returns when it was asked.
     */
    private static long firstAnswer(RedisNodeLockService s, String node) {
        long[] asked = {0};
        Throwable[] answer = {null};
        Conditions.await(vertx, "Redis answers after the fail-over", T, Duration.ofMillis(100), () -> {
            asked[0] = System.nanoTime();
            answer[0] = failure(
                    s.acquire(node, LockRequest.exclusive("after the fail-over").tryOnce()));
            return answer[0] instanceof NodeLockedException;
        });
        assertQuarantine((NodeLockedException) answer[0], node);
        return asked[0];
    }

    private static void grantedAfterTheLease(RedisNodeLockService s, String node, long since) {
        LockLease l = await(
                s.acquire(node, LockRequest.exclusive("after the quarantine").bounded(T)), T);
        long waited = (System.nanoTime() - since) / 1_000_000;
        assertTrue(
                waited >= LEASE_MS - 50, "granted " + waited + " ms after the quarantine opened; it lasts " + LEASE_MS);
        await(l.release());
    }

    private static void assertQuarantined(Future<LockLease> f, String node) {
        Throwable e = failure(f);
        assertTrue(e instanceof NodeLockedException, "expected the quarantine, got " + e);
        assertQuarantine((NodeLockedException) e, node);
    }

    private static void assertQuarantine(NodeLockedException e, String node) {
        assertEquals("quarantine", e.holderPurpose(), e.getMessage());
        assertEquals(node, e.nodeUuid());
    }

    /** The future's failure (its cause unwrapped), or an assertion error when it succeeded. */
    private static Throwable failure(Future<LockLease> f) {
        try {
            LockLease l = await(f, T);
            await(l.release());
            throw new AssertionError("granted: " + l);
        } catch (AssertionError e) {
            throw e;
        } catch (RuntimeException e) {
            return e instanceof NodeLockedException || e.getCause() == null ? e : e.getCause();
        }
    }
}
