package io.anvil.bench;

import io.anvil.lock.LockLease;
import io.anvil.lock.LockOptions;
import io.anvil.lock.LockRequest;
import io.anvil.lock.NodeLockService;
import io.anvil.lock.RedisTopology;
import io.anvil.testsupport.RedisServers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code scripts/bench replicas}: the cost of {@code redis.wait_replicas} (docs/scale-out.md#redis). Starts a real
 * Sentinel group (primary, one replica, three sentinels) from {@code redis-server} and runs, with {@code WAIT 0} and
 * {@code WAIT 1}: one acquire+release at a time (latency), then {@code bench.inFlight} (256) at a time over 10,000
 * nodes (throughput). {@code -Dbench.cycles} (default 20,000) sets the throughput run's length. Writes
 * {@code target/bench/replicas.json}.
 */
public final class ReplicasBench {
    private ReplicasBench() {}

    public static void main(String[] args) throws Exception {
        int cycles = Integer.getInteger("bench.cycles", 20_000);
        int inFlight = Integer.getInteger("bench.inFlight", 256);
        int serial = Integer.getInteger("bench.serial", 2_000);
        Vertx vertx = Vertx.vertx();
        BenchTable table = new BenchTable(
                "replicas", "wait_replicas", "serial_p50_ms", "serial_p99_ms", "cycles_per_s", "unacknowledged");
        try (RedisServers redis = RedisServers.sentinel(vertx)) {
            String[] nodes = new String[10_000];
            Arrays.setAll(nodes, i -> UUID.randomUUID().toString());
            for (int replicas : new int[] {0, 1}) {
                RedisTopology topology = new RedisTopology(
                                RedisTopology.Mode.SENTINEL,
                                redis.endpoints(),
                                RedisServers.MASTER_NAME,
                                0,
                                Duration.ZERO)
                        .withWaitReplicas(replicas, Duration.ofMillis(100));
                NodeLockService locks = get(NodeLockService.create(
                        vertx,
                        topology,
                        LockOptions.defaults()
                                .withLease(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofMillis(200))));
                double[] lat = new double[serial];
                for (int i = 0; i < serial; i++) {
                    long t0 = System.nanoTime();
                    LockLease l = get(locks.acquire(nodes[i % nodes.length], LockRequest.exclusive("bench")));
                    get(l.release());
                    lat[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(lat);
                AtomicInteger failures = new AtomicInteger();
                long t0 = System.nanoTime();
                get(run(locks, nodes, cycles, inFlight, failures));
                double rate = cycles / ((System.nanoTime() - t0) / 1e9);
                table.row(new JsonObject()
                        .put("wait_replicas", replicas)
                        .put("serial_p50_ms", Math.round(lat[serial / 2] * 1000) / 1000.0)
                        .put("serial_p99_ms", Math.round(lat[serial * 99 / 100] * 1000) / 1000.0)
                        .put("cycles_per_s", Math.round(rate))
                        .put("unacknowledged", failures.get()));
                get(locks.close());
            }
        }
        table.meta("cycles", cycles).meta("inFlight", inFlight).meta("serial", serial);
        table.finish();
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.exit(0);
    }

    /** {@code total} try-once acquire+release cycles, {@code inFlight} at a time. */
    private static Future<Void> run(
            NodeLockService locks, String[] nodes, int total, int inFlight, AtomicInteger failures) {
        Promise<Void> done = Promise.promise();
        AtomicInteger started = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            int i = started.getAndIncrement();
            if (i >= total) {
                return;
            }
            locks.acquire(nodes[i % nodes.length], LockRequest.exclusive("bench"))
                    .compose(LockLease::release)
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            failures.incrementAndGet();
                        }
                        if (finished.incrementAndGet() == total) {
                            done.tryComplete();
                        } else {
                            next[0].run();
                        }
                    });
        };
        for (int i = 0; i < inFlight; i++) {
            next[0].run();
        }
        return done.future();
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }
}
