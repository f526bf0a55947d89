package io.anvil.bench;

import io.anvil.lock.LockLease;
import io.anvil.lock.LockOptions;
import io.anvil.lock.LockRequest;
import io.anvil.lock.NodeLockService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@code scripts/bench fairness [redis-url]}: how fast the fair node lock serves a patient waiter that an unfair lock
 * would starve — the figures the lock tests assert only as an order (NodeLockFairnessTest: granted while the flood
 * goes on).
 * <ol>
 *   <li>50 try-once clients (half exclusive, half shared) holding 1 ms each in a loop: time until one patient
 *       exclusive waiter is granted, then until 20 patient waiters queued at once are all granted (each holds 1 ms);
 *   </li>
 *   <li>20 patient shared readers holding 20 ms each in a loop: time until a patient exclusive writer is granted.
 *   </li>
 * </ol>
 * Each case runs {@code -Dbench.rounds} times (default 5) on a fresh node; the table gives the median and the worst.
 * Prints a table and writes {@code target/bench/fairness.json}.
 */
public final class FairnessBench {
    private static Vertx vertx;

    private FairnessBench() {}

    public static void main(String[] args) throws Exception {
        String url =
                args.length > 0 ? args[0] : System.getenv().getOrDefault("ANVIL_REDIS_URL", "redis://127.0.0.1:6379");
        int rounds = Integer.getInteger("bench.rounds", 5);
        vertx = Vertx.vertx();
        NodeLockService flood = await(NodeLockService.create(vertx, url, LockOptions.defaults()));
        NodeLockService patient = await(NodeLockService.create(vertx, url, LockOptions.defaults()));
        BenchTable table = new BenchTable("fairness", "case", "median", "worst", "unit", "note")
                .meta("redis", url)
                .meta("rounds", rounds);
        long[] first = new long[rounds];
        long[] twenty = new long[rounds];
        long[] writer = new long[rounds];
        long attackerGrants = 0;
        long readerGrants = 0;
        for (int r = 0; r < rounds; r++) {
            long[] t = tryOnceFlood(flood, patient);
            first[r] = t[0];
            twenty[r] = t[1];
            attackerGrants += t[2];
            long[] w = readerFlood(flood, patient);
            writer[r] = w[0];
            readerGrants += w[1];
        }
        table.row(row(
                "try-once flood (50 clients, 1 ms holds): one patient exclusive waiter granted",
                first,
                attackerGrants / rounds + " attacker grants per round; Ironic-style SET NX + 1 s retry starves"));
        table.row(row("try-once flood: 20 patient waiters queued at once, all granted", twenty, "each holds 1 ms"));
        table.row(row(
                "reader flood (20 patient readers, 20 ms holds): patient writer granted",
                writer,
                readerGrants / rounds + " reader grants per round; new readers queue behind the writer"));
        table.finish();
        await(flood.close());
        await(patient.close());
        System.exit(0);
    }

    private static JsonObject row(String name, long[] ms, String note) {
        long[] s = ms.clone();
        Arrays.sort(s);
        return new JsonObject()
                .put("case", name)
                .put("median", (double) s[s.length / 2])
                .put("worst", (double) s[s.length - 1])
                .put("unit", "ms")
                .put("note", note);
    }

    /** {first waiter ms, 20 waiters ms, attacker grants}. */
    private static long[] tryOnceFlood(NodeLockService flood, NodeLockService patient) throws Exception {
        String n = UUID.randomUUID().toString();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong grants = new AtomicLong();
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            LockRequest r = i % 2 == 0 ? LockRequest.exclusive("spin") : LockRequest.shared("spin");
            loops.add(tryOnceLoop(flood, n, r, stop, grants));
        }
        waitFor(() -> grants.get() > 100);
        long t0 = System.nanoTime();
        LockLease one = await(
                patient.acquire(n, LockRequest.exclusive("continue deploy").patient()));
        long firstMs = (System.nanoTime() - t0) / 1_000_000;
        await(one.release());
        long t1 = System.nanoTime();
        List<Future<Boolean>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(patient.acquire(n, LockRequest.exclusive("continue deploy").patient())
                    .compose(l -> delay(1).compose(v -> l.release())));
        }
        for (Future<Boolean> f : all) {
            await(f);
        }
        long allMs = (System.nanoTime() - t1) / 1_000_000;
        stop.set(true);
        for (Future<Void> f : loops) {
            await(f);
        }
        return new long[] {firstMs, allMs, grants.get()};
    }

    /** {writer wait ms, reader grants}. */
    private static long[] readerFlood(NodeLockService readers, NodeLockService writers) throws Exception {
        String n = UUID.randomUUID().toString();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong grants = new AtomicLong();
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            loops.add(readerLoop(readers, n, stop, grants));
        }
        waitFor(() -> grants.get() > 40);
        long t0 = System.nanoTime();
        LockLease w = await(writers.acquire(n, LockRequest.exclusive("deploy").patient()));
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        await(w.release());
        stop.set(true);
        for (Future<Void> f : loops) {
            await(f);
        }
        return new long[] {waitedMs, grants.get()};
    }

    private static Future<Void> tryOnceLoop(
            NodeLockService s, String n, LockRequest r, AtomicBoolean stop, AtomicLong grants) {
        if (stop.get()) {
            return Future.succeededFuture();
        }
        return s.acquire(n, r)
                .transform(ar -> {
                    if (ar.succeeded()) {
                        grants.incrementAndGet();
                        return delay(1).compose(v -> ar.result().release()).<Void>mapEmpty();
                    }
                    return Future.<Void>succeededFuture();
                })
                .compose(v -> tryOnceLoop(s, n, r, stop, grants));
    }

    private static Future<Void> readerLoop(NodeLockService s, String n, AtomicBoolean stop, AtomicLong grants) {
        if (stop.get()) {
            return Future.succeededFuture();
        }
        return s.acquire(n, LockRequest.shared("heartbeat").patient())
                .compose(l -> {
                    grants.incrementAndGet();
                    return delay(20).compose(v -> l.release());
                })
                .compose(v -> readerLoop(s, n, stop, grants));
    }

    private static Future<Void> delay(long ms) {
        Promise<Void> p = Promise.promise();
        vertx.setTimer(ms, id -> p.complete());
        return p.future();
    }

    private static void waitFor(Supplier<Boolean> condition) throws Exception {
        while (!condition.get()) {
            await(delay(10));
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    }
}
