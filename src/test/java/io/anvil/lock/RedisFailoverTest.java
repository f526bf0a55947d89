package io.anvil.lock;

import static io.anvil.lock.LockTesting.FAST;
import static io.anvil.lock.LockTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.store.Database;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.RedisServers;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Redis primary is killed ({@code kill -9}) during a lock storm from two lock services, on a real 3-master/3-replica
 * Cluster and on a real Sentinel group (docs/scale-out.md#what-happens-on-each-failure). Every grant claims and writes
 * a PostgreSQL row the way {@code NodeRecords} does (claim {@code lock_fence < f}, write {@code lock_fence = f}); the
 * write log is then audited: no fence written by two holders, fences never go backwards, and every acquire was
 * either granted or told why. The storm keeps running until every node was granted again after the fail-over.
 */
class RedisFailoverTest {
    private static final Duration T = Duration.ofSeconds(45);
    private static final int NODES = 6;
    private static final int WORKERS_PER_SERVICE = 2;
    private static Vertx vertx;
    private static Database db;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        db = Database.connect(vertx, TestServices.freshDatabase(), 4, 1);
        await(db.pool()
                .query("CREATE TABLE fence_audit (node text PRIMARY KEY, lock_fence bigint NOT NULL DEFAULT 0)")
                .execute());
        await(db.pool()
                .query("CREATE TABLE fence_log (id bigserial PRIMARY KEY, node text, fence bigint, owner text)")
                .execute());
    }

    @AfterAll
    static void stop() {
        await(db.close());
        await(vertx.close());
    }

    @Test
    void clusterPrimaryKilledDuringALockStorm() {
        try (RedisServers redis = RedisServers.cluster(vertx)) {
            RedisTopology topology =
                    new RedisTopology(RedisTopology.Mode.CLUSTER, redis.endpoints(), "", 0, Duration.ZERO);
            storm(redis, topology);
        }
    }

    @Test
    void sentinelPrimaryKilledDuringALockStorm() {
        try (RedisServers redis = RedisServers.sentinel(vertx)) {
            RedisTopology topology = new RedisTopology(
                    RedisTopology.Mode.SENTINEL, redis.endpoints(), RedisServers.MASTER_NAME, 0, Duration.ZERO);
            storm(redis, topology);
        }
    }

    private void storm(RedisServers redis, RedisTopology topology) {
        RedisNodeLockService a = await(RedisNodeLockService.create(vertx, topology, FAST), T);
        RedisNodeLockService b = await(RedisNodeLockService.create(vertx, topology, FAST), T);
        Storm storm = new Storm();
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            String n = LockTesting.node();
            nodes.add(n);
            await(db.pool()
                    .preparedQuery("INSERT INTO fence_audit (node) VALUES ($1)")
                    .execute(Tuple.of(n)));
        }
        try {
            List<Future<Void>> loops = new ArrayList<>();
            for (String n : nodes) {
                for (int w = 0; w < WORKERS_PER_SERVICE; w++) {
                    loops.add(storm.loop(a, n, "a" + w));
                    loops.add(storm.loop(b, n, "b" + w));
                }
            }
            Conditions.await(
                    vertx, "grants before the kill", T, Duration.ofMillis(20), () -> storm.granted.get() >= 40);
            // the primary serving the first node's keys (in a Cluster, one of three shards)
            int primary = redis.primaryFor(LockKeys.holder(nodes.get(0)));
            storm.killed.set(true);
            redis.kill9(primary);
            int promoted = redis.awaitFailover(primary, LockKeys.holder(nodes.get(0)));
            Conditions.await(
                    vertx,
                    "every node granted twice after the fail-over",
                    T,
                    Duration.ofMillis(50),
                    () -> nodes.stream()
                            .allMatch(n -> storm.grantsAfterKill
                                            .getOrDefault(n, new AtomicInteger())
                                            .get()
                                    >= 2));
            storm.stop.set(true);
            Conditions.result(Future.join(loops), T);

            assertEquals(storm.started.get(), storm.answered.get(), "every acquire was granted or told why");
            assertTrue(storm.unexplained.isEmpty(), "failures without a reason: " + storm.unexplained);
            audit(nodes);
            long quarantines = a.stats().dataLosses() + b.stats().dataLosses();
            System.out.printf(
                    "%s: primary %d killed, %d took over; %d grants, %d after the kill, %d fenced-out claims,"
                            + " %d refusals, %d quarantines seen%n",
                    topology.mode(),
                    primary,
                    promoted,
                    storm.granted.get(),
                    storm.grantsAfterKill.values().stream()
                            .mapToInt(AtomicInteger::get)
                            .sum(),
                    storm.fencedOut.get(),
                    storm.refused.get(),
                    quarantines);
            assertTrue(quarantines >= 1, "the fail-over opened a quarantine (the replication id changed)");
        } finally {
            storm.stop.set(true);
            await(a.close().recover(e -> Future.succeededFuture()), T);
            await(b.close().recover(e -> Future.succeededFuture()), T);
        }
    }

    /** The fence column's log: one owner per fence, and per node the fences written never go backwards. */
    private static void audit(List<String> nodes) {
        Map<String, Long> last = new HashMap<>();
        Map<String, String> ownerOf = new HashMap<>();
        int writes = 0;
        for (Row r : await(db.pool()
                .preparedQuery("SELECT node, fence, owner FROM fence_log WHERE node = ANY($1) ORDER BY id")
                .execute(Tuple.of(nodes.toArray(String[]::new))))) {
            String node = r.getString("node");
            long fence = r.getLong("fence");
            String owner = r.getString("owner");
            String key = node + "/" + fence;
            String before = ownerOf.putIfAbsent(key, owner);
            assertTrue(
                    before == null || before.equals(owner), "fence " + key + " written by " + before + " and " + owner);
            Long prev = last.put(node, fence);
            assertTrue(
                    prev == null || prev <= fence, "fence went backwards on " + node + ": " + prev + " then " + fence);
            writes++;
        }
        assertTrue(writes > 0, "the storm wrote");
    }

    /** Workers that take a node, claim its row, write it three times and let go; until told to stop. */
    private static final class Storm {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicBoolean killed = new AtomicBoolean();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger granted = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger fencedOut = new AtomicInteger();
        final Map<String, AtomicInteger> grantsAfterKill = new ConcurrentHashMap<>();
        final List<Throwable> unexplained = java.util.Collections.synchronizedList(new ArrayList<>());

        Future<Void> loop(RedisNodeLockService s, String node, String worker) {
            Promise<Void> done = Promise.promise();
            vertx.runOnContext(v -> round(s, node, worker, done));
            return done.future();
        }

        private void round(RedisNodeLockService s, String node, String worker, Promise<Void> done) {
            if (stop.get()) {
                done.complete();
                return;
            }
            started.incrementAndGet();
            s.acquire(node, LockRequest.exclusive("storm " + worker).bounded(Duration.ofSeconds(20)))
                    .onComplete(ar -> {
                        answered.incrementAndGet();
                        if (ar.failed()) {
                            refused.incrementAndGet();
                            String why = String.valueOf(ar.cause().getMessage());
                            if (!(ar.cause() instanceof NodeLockedException) && why.isBlank()) {
                                unexplained.add(ar.cause());
                            }
                            vertx.setTimer(20, id -> round(s, node, worker, done));
                            return;
                        }
                        granted.incrementAndGet();
                        if (killed.get()) {
                            grantsAfterKill
                                    .computeIfAbsent(node, k -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                        LockLease l = ar.result();
                        work(node, l, 3)
                                .eventually(() -> l.release().otherwise(false))
                                .onComplete(x -> round(s, node, worker, done));
                    });
        }

        /** Claims the row (strict {@code <}), then writes it {@code n} times (equality), logging each write. */
        private Future<Void> work(String node, LockLease l, int n) {
            return db.pool()
                    .preparedQuery("UPDATE fence_audit SET lock_fence = $2 WHERE node = $1 AND lock_fence < $2")
                    .execute(Tuple.of(node, l.fence()))
                    .compose(r -> {
                        if (r.rowCount() == 0) {
                            fencedOut.incrementAndGet(); // a newer holder claimed it, or this fence repeated
                            return Future.succeededFuture();
                        }
                        return writes(node, l, n);
                    })
                    .otherwiseEmpty();
        }

        private Future<Void> writes(String node, LockLease l, int n) {
            if (n == 0 || !l.isValid()) {
                return Future.succeededFuture();
            }
            return db.pool()
                    .preparedQuery(
                            "WITH w AS (SELECT 1 FROM fence_audit WHERE node = $1 AND lock_fence = $2 FOR UPDATE)"
                                    + " INSERT INTO fence_log (node, fence, owner) SELECT $1, $2, $3 FROM w")
                    .execute(Tuple.of(node, l.fence(), l.owner()))
                    .compose(r -> {
                        if (r.rowCount() == 0) {
                            fencedOut.incrementAndGet();
                            return Future.<Void>succeededFuture();
                        }
                        Promise<Void> p = Promise.promise();
                        vertx.setTimer(5, id -> p.complete());
                        return p.future().compose(x -> writes(node, l, n - 1));
                    });
        }
    }
}
