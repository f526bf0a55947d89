package io.anvil.bench;

import io.anvil.lock.LockLease;
import io.anvil.lock.LockOptions;
import io.anvil.lock.LockRequest;
import io.anvil.lock.NodeLockService;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * {@code scripts/bench lock [redis-url]}: the fair node lock against Redisson's fair lock on one Redis.
 * <ol>
 *   <li>uncontended acquire(try-once)+release cycles/s over 10k nodes, 256 in flight, from one JVM;</li>
 *   <li>hand-off latency (release sent → next waiter granted) with 1,000 waiters queued on one node; each granted
 *       waiter releases at once and re-queues, so the queue stays at 1,000.</li>
 * </ol>
 * Prints a table and writes {@code target/bench/lock.json}.
 */
public final class LockBench {
    private static final int NODES = 10_000;
    private static final int IN_FLIGHT = 256;
    private static final int WAITERS = 1_000;

    private LockBench() {}

    public static void main(String[] args) throws Exception {
        String url =
                args.length > 0 ? args[0] : System.getenv().getOrDefault("ANVIL_REDIS_URL", "redis://127.0.0.1:6379");
        int cycles = Integer.getInteger("bench.cycles", 100_000);
        int handoffs = Integer.getInteger("bench.handoffs", 3_000);
        int redissonHandoffs = Integer.getInteger("bench.redisson.handoffs", 1_000);
        System.out.printf(
                "lock bench on %s: %d cycles over %d nodes (%d in flight); hand-offs with %d waiters%n",
                url, cycles, NODES, IN_FLIGHT, WAITERS);

        Vertx vertx = Vertx.vertx();
        Context ctx = vertx.getOrCreateContext();
        NodeLockService locks = onContext(ctx, () -> NodeLockService.create(vertx, url, LockOptions.defaults()));
        String[] nodes = new String[NODES];
        for (int i = 0; i < NODES; i++) {
            nodes[i] = UUID.randomUUID().toString();
        }
        onContext(ctx, () -> anvilCycles(locks, nodes, 20_000)); // warm-up
        Result anvilCycles = onContext(ctx, () -> anvilCycles(locks, nodes, cycles));
        System.out.printf("anvil    cycles: %.0f/s%n", anvilCycles.rate);
        Result anvilHandoff = onContext(ctx, () -> anvilHandoff(vertx, locks, handoffs, 500));
        System.out.printf(
                "anvil    hand-off: p50 %.3f ms, p99 %.3f ms, %.0f/s%n",
                anvilHandoff.p50, anvilHandoff.p99, anvilHandoff.rate);
        onContext(ctx, locks::close);
        vertx.close().toCompletionStage().toCompletableFuture().get();

        Config config = new Config();
        config.useSingleServer()
                .setAddress(url)
                .setConnectionPoolSize(64)
                .setConnectionMinimumIdleSize(16)
                .setSubscriptionConnectionPoolSize(50)
                .setSubscriptionsPerConnection(100);
        RedissonClient redisson = Redisson.create(config);
        Result peerCycles;
        Result peerHandoff;
        try {
            redissonCycles(redisson, nodes, 20_000);
            peerCycles = redissonCycles(redisson, nodes, cycles);
            System.out.printf("redisson cycles: %.0f/s%n", peerCycles.rate);
            peerHandoff = redissonHandoff(redisson, redissonHandoffs, 200);
            System.out.printf(
                    "redisson hand-off: p50 %.3f ms, p99 %.3f ms, %.0f/s%n",
                    peerHandoff.p50, peerHandoff.p99, peerHandoff.rate);
        } finally {
            redisson.shutdown();
        }

        String table = String.join(
                "\n",
                "| measure (one Redis, one JVM)                       | Anvil fair lock | Redisson fair lock | ratio |",
                "|----------------------------------------------------|-----------------|--------------------|-------|",
                String.format(
                        "| acquire+release cycles/s (10k nodes, %d in flight) | %15.0f | %18.0f | %4.1fx |",
                        IN_FLIGHT, anvilCycles.rate, peerCycles.rate, anvilCycles.rate / peerCycles.rate),
                String.format(
                        "| hand-off p50, ms (1,000 waiters on one node)       | %15.3f | %18.3f | %4.1fx |",
                        anvilHandoff.p50, peerHandoff.p50, peerHandoff.p50 / anvilHandoff.p50),
                String.format(
                        "| hand-off p99, ms (1,000 waiters on one node)       | %15.3f | %18.3f | %4.1fx |",
                        anvilHandoff.p99, peerHandoff.p99, peerHandoff.p99 / anvilHandoff.p99),
                String.format(
                        "| hand-offs/s (1,000 waiters on one node)            | %15.0f | %18.0f | %4.1fx |",
                        anvilHandoff.rate, peerHandoff.rate, anvilHandoff.rate / peerHandoff.rate));
        System.out.println();
        System.out.println(table);

        JsonObject json = new JsonObject()
                .put("redis", url)
                .put("nodes", NODES)
                .put("inFlight", IN_FLIGHT)
                .put("waiters", WAITERS)
                .put(
                        "anvil",
                        new JsonObject()
                                .put("cyclesPerSec", anvilCycles.rate)
                                .put("cycleFailures", anvilCycles.failures)
                                .put("handoffP50Ms", anvilHandoff.p50)
                                .put("handoffP99Ms", anvilHandoff.p99)
                                .put("handoffMaxMs", anvilHandoff.max)
                                .put("handoffsPerSec", anvilHandoff.rate)
                                .put("handoffsMeasured", anvilHandoff.samples))
                .put(
                        "redisson",
                        new JsonObject()
                                .put("version", "3.52.0")
                                .put("cyclesPerSec", peerCycles.rate)
                                .put("cycleFailures", peerCycles.failures)
                                .put("handoffP50Ms", peerHandoff.p50)
                                .put("handoffP99Ms", peerHandoff.p99)
                                .put("handoffMaxMs", peerHandoff.max)
                                .put("handoffsPerSec", peerHandoff.rate)
                                .put("handoffsMeasured", peerHandoff.samples))
                .put(
                        "ratios",
                        new JsonObject()
                                .put("cycles", anvilCycles.rate / peerCycles.rate)
                                .put("handoffP99", peerHandoff.p99 / anvilHandoff.p99)
                                .put("handoffsPerSec", anvilHandoff.rate / peerHandoff.rate));
        Path out = Path.of("target/bench/lock.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, json.encodePrettily());
        System.out.println("\nwrote " + out);
        System.exit(0);
    }

    private record Result(double rate, double p50, double p99, double max, long failures, int samples) {
        static Result rate(double rate, long failures) {
            return new Result(rate, 0, 0, 0, failures, 0);
        }

        static Result latencies(long[] nanos, int n, double rate) {
            long[] s = Arrays.copyOf(nanos, n);
            Arrays.sort(s);
            return new Result(
                    rate, s[(int) (n * 0.50)] / 1e6, s[Math.min(n - 1, (int) (n * 0.99))] / 1e6, s[n - 1] / 1e6, 0, n);
        }
    }

    // ---------------------------------------------------------------- Anvil (runs on the service's context)

    private static Future<Result> anvilCycles(NodeLockService locks, String[] nodes, int total) {
        Promise<Result> done = Promise.promise();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        AtomicLong failures = new AtomicLong();
        long t0 = System.nanoTime();
        Runnable[] chain = new Runnable[1];
        chain[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= total) {
                if (finished.incrementAndGet() == IN_FLIGHT) {
                    done.complete(Result.rate(total / ((System.nanoTime() - t0) / 1e9), failures.get()));
                }
                return;
            }
            locks.acquire(nodes[i % NODES], LockRequest.exclusive("bench"))
                    .compose(LockLease::release)
                    .onComplete(ar -> {
                        if (ar.failed() || !ar.result()) {
                            failures.incrementAndGet();
                        }
                        chain[0].run();
                    });
        };
        for (int c = 0; c < IN_FLIGHT; c++) {
            chain[0].run();
        }
        return done.future();
    }

    private static Future<Result> anvilHandoff(Vertx vertx, NodeLockService locks, int measured, int warmup) {
        Promise<Result> done = Promise.promise();
        String node = UUID.randomUUID().toString();
        long[] lat = new long[measured];
        int[] count = {0};
        long[] lastRelease = {0};
        long[] t0 = {0};
        int[] drained = {0};
        double[] rate = {0};
        Runnable[] queue = new Runnable[1];
        queue[0] = () -> locks.acquire(node, LockRequest.exclusive("bench").patient())
                .onSuccess(l -> {
                    long now = System.nanoTime();
                    int k = count[0]++;
                    if (k == warmup) {
                        t0[0] = now;
                    }
                    if (k >= warmup && k - warmup < measured) {
                        lat[k - warmup] = now - lastRelease[0];
                    }
                    if (k - warmup == measured - 1) {
                        rate[0] = measured / ((now - t0[0]) / 1e9);
                    }
                    lastRelease[0] = System.nanoTime();
                    l.release();
                    if (k < warmup + measured) {
                        queue[0].run(); // back of the queue: it stays at 1,000
                    } else if (++drained[0] == WAITERS) {
                        done.complete(Result.latencies(lat, measured, rate[0]));
                    }
                });
        return locks.acquire(node, LockRequest.exclusive("holder"))
                .compose(holder -> {
                    for (int i = 0; i < WAITERS; i++) {
                        queue[0].run();
                    }
                    return waitForQueue(vertx, locks, node).compose(v -> {
                        lastRelease[0] = System.nanoTime();
                        return holder.release();
                    });
                })
                .compose(v -> done.future());
    }

    private static Future<Void> waitForQueue(Vertx vertx, NodeLockService locks, String node) {
        return locks.inspect(node).compose(i -> {
            if (i.queueLength() >= WAITERS) {
                return Future.succeededFuture();
            }
            Promise<Void> p = Promise.promise();
            vertx.setTimer(20, id -> waitForQueue(vertx, locks, node).onComplete(p));
            return p.future();
        });
    }

    // ---------------------------------------------------------------- Redisson (its own threads)

    private static Result redissonCycles(RedissonClient redisson, String[] nodes, int total) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong failures = new AtomicLong();
        CompletableFuture<?>[] chains = new CompletableFuture<?>[IN_FLIGHT];
        long t0 = System.nanoTime();
        for (int c = 0; c < IN_FLIGHT; c++) {
            long threadId = 1_000_000L + c;
            chains[c] = redissonChain(redisson, nodes, total, next, failures, threadId);
        }
        CompletableFuture.allOf(chains).get(10, TimeUnit.MINUTES);
        return Result.rate(total / ((System.nanoTime() - t0) / 1e9), failures.get());
    }

    private static CompletableFuture<Void> redissonChain(
            RedissonClient redisson,
            String[] nodes,
            int total,
            AtomicInteger next,
            AtomicLong failures,
            long threadId) {
        int i = next.getAndIncrement();
        if (i >= total) {
            return CompletableFuture.completedFuture(null);
        }
        RLock lock = redisson.getFairLock("bench:rf:" + nodes[i % NODES]);
        return lock.tryLockAsync(0, 30_000, TimeUnit.MILLISECONDS, threadId)
                .toCompletableFuture()
                .thenCompose(ok -> {
                    if (!ok) {
                        failures.incrementAndGet();
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    return lock.unlockAsync(threadId).toCompletableFuture();
                })
                .exceptionally(e -> {
                    failures.incrementAndGet();
                    return null;
                })
                .thenCompose(v -> redissonChain(redisson, nodes, total, next, failures, threadId));
    }

    private static Result redissonHandoff(RedissonClient redisson, int measured, int warmup) throws Exception {
        RLock lock = redisson.getFairLock("bench:rf:handoff:" + UUID.randomUUID());
        long[] lat = new long[measured];
        AtomicInteger count = new AtomicInteger();
        AtomicLong lastRelease = new AtomicLong();
        AtomicLong t0 = new AtomicLong();
        AtomicLong rateBits = new AtomicLong();
        AtomicInteger drained = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lockAsync(30_000, TimeUnit.MILLISECONDS, 0).toCompletableFuture().get(30, TimeUnit.SECONDS);
        for (long tid = 1; tid <= WAITERS; tid++) {
            redissonQueue(lock, tid, lat, count, lastRelease, t0, rateBits, drained, done, measured, warmup);
        }
        // let every waiter reach the queue (Redisson has no inspect; its queue is a list)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (redisson.getList("redisson_lock_queue:{" + lock.getName() + "}").size() < WAITERS
                && System.nanoTime() < deadline) {
            // the benchmark's main thread, not an event loop: poll Redisson's queue length every 20 ms
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        lastRelease.set(System.nanoTime());
        lock.unlockAsync(0).toCompletableFuture().get(30, TimeUnit.SECONDS);
        done.get(10, TimeUnit.MINUTES);
        return Result.latencies(lat, measured, Double.longBitsToDouble(rateBits.get()));
    }

    private static void redissonQueue(
            RLock lock,
            long tid,
            long[] lat,
            AtomicInteger count,
            AtomicLong lastRelease,
            AtomicLong t0,
            AtomicLong rateBits,
            AtomicInteger drained,
            CompletableFuture<Void> done,
            int measured,
            int warmup) {
        lock.lockAsync(30_000, TimeUnit.MILLISECONDS, tid).whenComplete((v, err) -> {
            if (err != null) {
                done.completeExceptionally(err);
                return;
            }
            long now = System.nanoTime();
            int k = count.getAndIncrement();
            if (k == warmup) {
                t0.set(now);
            }
            if (k >= warmup && k - warmup < measured) {
                lat[k - warmup] = now - lastRelease.get();
            }
            if (k - warmup == measured - 1) {
                rateBits.set(Double.doubleToLongBits(measured / ((now - t0.get()) / 1e9)));
            }
            lastRelease.set(System.nanoTime());
            lock.unlockAsync(tid);
            if (k < warmup + measured) {
                redissonQueue(lock, tid, lat, count, lastRelease, t0, rateBits, drained, done, measured, warmup);
            } else if (drained.incrementAndGet() == WAITERS) {
                done.complete(null);
            }
        });
    }

    private static <T> T onContext(Context ctx, java.util.function.Supplier<Future<T>> action) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        ctx.runOnContext(v -> action.get().onComplete(ar -> {
            if (ar.succeeded()) {
                f.complete(ar.result());
            } else {
                f.completeExceptionally(ar.cause());
            }
        }));
        return f.get(10, TimeUnit.MINUTES);
    }
}
