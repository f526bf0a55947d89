package io.anvil.lock;

import static io.anvil.lock.LockTesting.FAST;
import static io.anvil.lock.LockTesting.await;
import static io.anvil.lock.LockTesting.delay;
import static io.anvil.lock.LockTesting.eventually;
import static io.anvil.lock.LockTesting.node;
import static io.anvil.lock.LockTesting.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fairness under contention: FIFO order, no starvation of writers or patient waiters
 * (docs/locks.md#adversarial-scenarios).
 */
class NodeLockFairnessTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static Vertx vertx;
    private static String url;
    private static Redis redis;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        url = TestServices.redisUrl();
        redis = Redis.createClient(vertx, url);
    }

    @AfterAll
    static void stop() {
        await(vertx.close());
    }

    /** Scenario 11: 1000 waiters from four processes are granted in exact ticket order. */
    @Test
    void thousandWaitersAreGrantedInTicketOrder() {
        List<RedisNodeLockService> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(LockTesting.service(vertx, url, LockOptions.defaults()));
        }
        try {
            String n = node();
            LockLease holder = await(clients.get(0).acquire(n, LockRequest.exclusive("deploy")));
            List<String> granted = Collections.synchronizedList(new ArrayList<>());
            List<Future<Boolean>> done = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                done.add(clients.get(i % 4)
                        .acquire(n, LockRequest.exclusive("w" + i).patient())
                        .compose(l -> {
                            granted.add(l.owner()); // exclusive: the next grant can only follow this release
                            return l.release();
                        }));
            }
            await(eventually(vertx, () -> clients.get(0).inspect(n).map(i -> i.queueLength() == 1000), T, 50));
            List<String> tickets = new ArrayList<>();
            await(raw(redis, Command.ZRANGE, "lk:{" + n + "}:q", 0, -1)).forEach(r -> tickets.add(r.toString()));
            assertEquals(1000, tickets.size());
            await(holder.release());
            for (Future<Boolean> f : done) {
                assertTrue(await(f, T));
            }
            assertEquals(tickets, granted, "grants follow ticket order exactly");
            assertTrue(await(clients.get(0).inspect(n)).isFree());
        } finally {
            clients.forEach(c -> await(c.close()));
        }
    }

    /**
     * Scenario 13: 50 try-once clients (exclusive and shared) with 1 ms holds cannot starve patient exclusive waiters:
     * each is granted within a hold or two. The same attack on plain SET NX PX, with waiters retrying like Ironic
     * (every second), starves them: a waiter only wins if its attempt lands in the microseconds between a DEL and the
     * next attacker's SET, so most of them get nothing within the window. (SET NX starvation is probabilistic —
     * measured between 2% and 30% per attempt depending on machine load — so the baseline uses 20 waiters and asserts
     * that some of them starve for the whole window, against all 20 granted on the fair lock.)
     */
    @Test
    void tryOnceFloodCannotStarveAPatientWaiter() {
        RedisNodeLockService attackers = LockTesting.service(vertx, url, LockOptions.defaults());
        RedisNodeLockService patient = LockTesting.service(vertx, url, LockOptions.defaults());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong attackerGrants = new AtomicLong();
        int waiters = 20;
        try {
            String n = node();
            List<Future<Void>> loops = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                LockRequest r = i % 2 == 0 ? LockRequest.exclusive("spin") : LockRequest.shared("spin");
                loops.add(tryOnceLoop(attackers, n, r, stop, attackerGrants));
            }
            await(eventually(vertx, () -> Future.succeededFuture(attackerGrants.get() > 100), T, 10));
            long before = attackerGrants.get();
            long t0 = System.nanoTime();
            LockLease first = await(
                    patient.acquire(n, LockRequest.exclusive("continue deploy").patient()), T);
            long firstMs = (System.nanoTime() - t0) / 1_000_000;
            long duringFirst = attackerGrants.get();
            await(first.release());
            assertTrue(before > 50, "the attack was running: " + before + " grants");
            // the order is the property: the patient waiter got the node while the attack went on (the attackers kept
            // winning before and after it); how fast is a figure of scripts/bench lock (section fairness)
            await(eventually(vertx, () -> Future.succeededFuture(attackerGrants.get() > duringFirst + 10), T, 10));
            // 20 patient waiters at once, under the same attack: every one is granted while it still runs
            long t1 = System.nanoTime();
            List<Future<Boolean>> all = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                all.add(patient.acquire(
                                n, LockRequest.exclusive("continue deploy").patient())
                        .compose(l -> delay(vertx, 1).compose(v -> l.release())));
            }
            all.forEach(f -> assertTrue(await(f, T)));
            long allMs = (System.nanoTime() - t1) / 1_000_000;
            long afterAll = attackerGrants.get();
            await(eventually(vertx, () -> Future.succeededFuture(attackerGrants.get() > afterAll + 10), T, 10));
            stop.set(true);
            loops.forEach(f -> await(f));
            System.out.printf(
                    "starvation: fair lock granted a patient waiter after %d ms, %d of them in %d ms"
                            + " (%d attacker grants)%n",
                    firstMs, waiters, allMs, attackerGrants.get());
        } finally {
            stop.set(true);
            await(attackers.close());
            await(patient.close());
        }

        // Baseline: the same attack on SET NX PX (50 clients, one connection each) and Ironic-style waiters.
        String key = "baseline:{" + node() + "}";
        Redis many = Redis.createClient(
                vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(80));
        AtomicBoolean stopBase = new AtomicBoolean();
        AtomicLong baseGrants = new AtomicLong();
        List<RedisConnection> conns = new ArrayList<>();
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            RedisConnection c = await(many.connect());
            conns.add(c);
            loops.add(setNxLoop(c, key, "spinner" + i, stopBase, baseGrants));
        }
        await(eventually(vertx, () -> Future.succeededFuture(baseGrants.get() > 100), T, 10));
        List<Future<Boolean>> base = new ArrayList<>();
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < waiters; i++) {
            RedisConnection c = await(many.connect());
            conns.add(c);
            base.add(retryEverySecond(c, key, "waiter" + i, deadline));
        }
        int got = 0;
        for (Future<Boolean> f : base) {
            got += await(f, T) ? 1 : 0;
        }
        stopBase.set(true);
        loops.forEach(f -> await(f));
        conns.forEach(c -> await(c.close()));
        await(many.close());
        System.out.printf(
                "starvation baseline: %d of %d SET NX waiters got the lock within 2 s (%d attacker grants)%n",
                got, waiters, baseGrants.get());
        assertTrue(baseGrants.get() > 100, "the baseline attack was running");
        // measured 5, 9 and 12 of 20 across runs: SET NX starvation is luck-dependent, so assert only that it starves
        // someone the fair lock (all 20 granted above, in ~100 ms) does not
        assertTrue(got < waiters, "all " + waiters + " SET NX waiters got the lock: expected some to starve");
    }

    private Future<Void> tryOnceLoop(
            NodeLockService s, String n, LockRequest r, AtomicBoolean stop, AtomicLong grants) {
        if (stop.get()) {
            return Future.succeededFuture();
        }
        return s.acquire(n, r)
                .transform(ar -> {
                    if (ar.succeeded()) {
                        grants.incrementAndGet();
                        return delay(vertx, 1)
                                .compose(v -> ar.result().release())
                                .mapEmpty();
                    }
                    return Future.<Void>succeededFuture();
                })
                .compose(v -> tryOnceLoop(s, n, r, stop, grants));
    }

    private Future<Void> setNxLoop(RedisConnection c, String key, String me, AtomicBoolean stop, AtomicLong grants) {
        if (stop.get()) {
            return Future.succeededFuture();
        }
        return c.send(Request.cmd(Command.SET)
                        .arg(key)
                        .arg(me)
                        .arg("NX")
                        .arg("PX")
                        .arg(30000))
                .compose(r -> {
                    if (r != null && "OK".equals(r.toString())) {
                        grants.incrementAndGet();
                        return delay(vertx, 1)
                                .compose(v -> c.send(Request.cmd(Command.DEL).arg(key)))
                                .mapEmpty();
                    }
                    return Future.<Void>succeededFuture();
                })
                .compose(v -> setNxLoop(c, key, me, stop, grants));
    }

    /** Ironic's wait_fixed(1 s) retry: SET NX now and every second until the deadline. */
    private Future<Boolean> retryEverySecond(RedisConnection c, String key, String me, long deadline) {
        return c.send(Request.cmd(Command.SET)
                        .arg(key)
                        .arg(me)
                        .arg("NX")
                        .arg("PX")
                        .arg(30000))
                .compose(r -> {
                    if (r != null && "OK".equals(r.toString())) {
                        return c.send(Request.cmd(Command.DEL).arg(key)).map(true);
                    }
                    if (System.nanoTime() + 1_000_000_000L > deadline) {
                        return Future.succeededFuture(false);
                    }
                    return delay(vertx, 1000).compose(v -> retryEverySecond(c, key, me, deadline));
                });
    }

    /** Scenario 14: once a writer is queued, new readers queue behind it; it gets the node when readers drain. */
    @Test
    void readerFloodCannotStarveAWriter() {
        RedisNodeLockService readers = LockTesting.service(vertx, url, LockOptions.defaults());
        RedisNodeLockService writers = LockTesting.service(vertx, url, LockOptions.defaults());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong readerGrants = new AtomicLong();
        AtomicInteger holding = new AtomicInteger();
        try {
            String n = node();
            List<Future<Void>> loops = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                loops.add(readerLoop(readers, n, stop, readerGrants, holding));
            }
            await(eventually(vertx, () -> Future.succeededFuture(readerGrants.get() > 40), T, 10));
            long t0 = System.nanoTime();
            LockLease w =
                    await(writers.acquire(n, LockRequest.exclusive("deploy").patient()), T);
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, holding.get(), "no reader holds while the writer does");
            LockInfo info = await(writers.inspect(n));
            assertTrue(info.shared().isEmpty());
            // readers keep arriving while the writer holds: they queue behind it instead of being granted
            await(eventually(
                    vertx,
                    () -> writers.inspect(n)
                            .map(i -> i.queueLength() > 0 && i.shared().isEmpty()),
                    T,
                    10));
            assertEquals(0, holding.get(), "still no reader holds while the writer does");
            System.out.printf("reader flood: writer granted after %d ms%n", waitedMs);
            long grantsAtRelease = readerGrants.get();
            await(w.release());
            await(eventually(vertx, () -> Future.succeededFuture(readerGrants.get() > grantsAtRelease + 20), T, 10));
            stop.set(true);
            loops.forEach(f -> await(f));
        } finally {
            stop.set(true);
            await(readers.close());
            await(writers.close());
        }
    }

    private Future<Void> readerLoop(
            NodeLockService s, String n, AtomicBoolean stop, AtomicLong grants, AtomicInteger holding) {
        if (stop.get()) {
            return Future.succeededFuture();
        }
        return s.acquire(n, LockRequest.shared("heartbeat").patient())
                .compose(l -> {
                    grants.incrementAndGet();
                    holding.incrementAndGet();
                    return delay(vertx, 20).compose(v -> {
                        holding.decrementAndGet();
                        return l.release();
                    });
                })
                .compose(v -> readerLoop(s, n, stop, grants, holding));
    }

    /** Scenario 15: a queue x, s, s, x, s is served in phases: x; then both s together; then x; then s. */
    @Test
    void mixedQueueIsServedInPhases() {
        RedisNodeLockService s = LockTesting.service(vertx, url, LockOptions.defaults());
        try {
            String n = node();
            LockLease h = await(s.acquire(n, LockRequest.exclusive("deploy")));
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            String[] names = {"x1", "s2", "s3", "x4", "s5"};
            List<Future<Boolean>> done = new ArrayList<>();
            for (String name : names) {
                LockRequest r = name.startsWith("x") ? LockRequest.exclusive(name) : LockRequest.shared(name);
                done.add(s.acquire(n, r.patient()).compose(l -> {
                    log.add("+" + name);
                    return delay(vertx, 100).compose(v -> {
                        log.add("-" + name);
                        return l.release();
                    });
                }));
            }
            await(eventually(vertx, () -> s.inspect(n).map(i -> i.queueLength() == 5), T, 10));
            await(h.release());
            done.forEach(f -> assertTrue(await(f, T)));
            List<String> l = List.copyOf(log);
            assertEquals(List.of("+x1", "-x1"), l.subList(0, 2));
            assertEquals(
                    java.util.Set.of("+s2", "+s3"), java.util.Set.copyOf(l.subList(2, 4)), "readers together: " + l);
            assertEquals(java.util.Set.of("-s2", "-s3"), java.util.Set.copyOf(l.subList(4, 6)));
            assertEquals(List.of("+x4", "-x4", "+s5", "-s5"), l.subList(6, 10));
        } finally {
            await(s.close());
        }
    }

    /**
     * Scenario 16: impatient waiters churning (200 ms bounded waits) ahead of a patient one leave cleanly, crashed
     * ones are pruned after waiterTtl, and the patient waiter's rank only ever decreases.
     */
    @Test
    void churningImpatientWaitersNeverPushBackAPatientOne() {
        RedisNodeLockService holderSvc = LockTesting.service(vertx, url, FAST);
        RedisNodeLockService churn = LockTesting.service(vertx, url, FAST);
        RedisNodeLockService crashed = LockTesting.service(vertx, url, FAST);
        RedisNodeLockService patientSvc = LockTesting.service(vertx, url, FAST);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong giveUps = new AtomicLong();
        try {
            String n = node();
            LockLease h = await(holderSvc.acquire(n, LockRequest.exclusive("deploy")));
            for (int i = 0; i < 5; i++) {
                crashed.acquire(n, LockRequest.exclusive("crashes").bounded(Duration.ofSeconds(30)));
            }
            List<Future<Void>> loops = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                loops.add(churnLoop(churn, n, stop, giveUps));
            }
            await(eventually(vertx, () -> holderSvc.inspect(n).map(i -> i.queueLength() >= 15), T, 10));
            await(crashed.abandon()); // kill -9: its five waiters never leave
            Future<LockLease> p = patientSvc.acquire(
                    n, LockRequest.exclusive("continue deploy").patient());
            List<Integer> ranks = new ArrayList<>();
            // sample its rank until it heads the queue (crashed waiters pruned after waiterTtl, churners behind it);
            io.anvil.testsupport.Conditions.await(
                    vertx, "the patient waiter heads the queue", T, java.time.Duration.ofMillis(50), () -> {
                        await(holderSvc.inspect(n)).queue().stream()
                                .filter(w -> w.purpose().equals("continue deploy"))
                                .findFirst()
                                .ifPresent(w -> ranks.add(w.position()));
                        return ranks.size() > 10 && ranks.get(ranks.size() - 1) == 0;
                    });
            for (int i = 1; i < ranks.size(); i++) {
                assertTrue(ranks.get(i) <= ranks.get(i - 1), "rank only decreases: " + ranks);
            }
            assertTrue(ranks.size() > 10);
            assertEquals(0, (int) ranks.get(ranks.size() - 1), "churners re-queue behind it; crashed ones pruned");
            LockInfo info = await(holderSvc.inspect(n));
            assertTrue(
                    info.queue().stream().noneMatch(w -> w.owner().startsWith(crashed.clientId())),
                    "crashed waiters pruned");
            assertTrue(giveUps.get() >= 10);
            await(h.release());
            LockLease granted = await(p, T);
            assertTrue(granted.isValid());
            stop.set(true);
            await(granted.release());
            loops.forEach(f -> await(f));
        } finally {
            stop.set(true);
            await(holderSvc.close());
            await(churn.close());
            await(patientSvc.close());
        }
    }

    private Future<Void> churnLoop(NodeLockService s, String n, AtomicBoolean stop, AtomicLong giveUps) {
        if (stop.get()) {
            return Future.succeededFuture();
        }
        return s.acquire(n, LockRequest.exclusive("api update").bounded(Duration.ofMillis(200)))
                .transform(ar -> {
                    if (ar.succeeded()) {
                        return ar.result().release().mapEmpty();
                    }
                    giveUps.incrementAndGet();
                    return Future.<Void>succeededFuture();
                })
                .compose(v -> churnLoop(s, n, stop, giveUps));
    }

    /** Scenario 23: 1000 concurrent waiters and 1000 concurrent try-once calls use two connections, no pool. */
    @Test
    void thousandConcurrentWaitersDoNotExhaustAnyPool() {
        RedisNodeLockService s = LockTesting.service(vertx, url, LockOptions.defaults());
        try {
            String n = node();
            LockLease h = await(s.acquire(n, LockRequest.exclusive("deploy")));
            List<Future<Boolean>> waiters = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                waiters.add(s.acquire(n, LockRequest.shared("w").patient()).compose(LockLease::release));
            }
            List<Future<Boolean>> others = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                others.add(s.acquire(node(), LockRequest.exclusive("sync")).compose(LockLease::release));
            }
            others.forEach(f -> assertTrue(await(f, T)));
            await(eventually(vertx, () -> s.inspect(n).map(i -> i.queueLength() == 1000), T, 20));
            String clients = await(raw(redis, Command.CLIENT, "LIST")).toString();
            long mine = clients.lines()
                    .filter(line -> line.contains("name=lk-cmd-" + s.clientId())
                            || line.contains("name=lk-sub-" + s.clientId()))
                    .count();
            assertEquals(2, mine, "one command and one pub/sub connection");
            await(h.release());
            waiters.forEach(f -> assertTrue(await(f, T)));
            assertEquals(0, s.stats().commandErrors());
        } finally {
            await(s.close());
        }
    }
}
