package io.anvil.lock;

import io.anvil.lock.LockScripts.Script;
import io.anvil.metrics.AnvilMetrics;
import io.anvil.metrics.LockMetrics;
import io.anvil.util.Futures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis implementation of {@link NodeLockService}. All state lives on one event-loop context; public methods hop
 * onto it and complete on the caller's context. Lock traffic uses one dedicated pipelined command connection and one
 * pub/sub connection for wake-ups; waiters are woken by pub/sub and re-poll on a timer as the fallback (the re-poll is
 * also their heartbeat).
 */
public final class RedisNodeLockService implements NodeLockService {
    private static final Logger LOG = LoggerFactory.getLogger(RedisNodeLockService.class);
    private static final int INSPECT_LIMIT = 100;
    private static final int RELEASE_ATTEMPTS = 3;
    /** acquire.lua's status for "the slot is in quarantine after a data loss". */
    private static final int QUARANTINED = 2;

    private static final int BOOT_CHUNK = 256;

    private final Vertx vertx;
    private final Context ctx;
    private final LockOptions options;
    private final String clientId;
    private final Redis client;
    private final RedisTopology topology;
    private final CommandConnection cmd;
    private final WakeSubscriber subscriber;
    private final LockScripts scripts;
    private final LockStats stats = new LockStats();
    private final Map<String, Waiter> waiters = new HashMap<>();
    private final Set<RedisLockLease> leases = new LinkedHashSet<>();
    private final String lease;
    private final String waiterTtl;
    private final String pruneLimit;
    private final String wakeLimit;
    private volatile LockMetrics metrics = AnvilMetrics.noop().locks();
    private long seq;
    private boolean closed;
    private boolean rebooting;
    private long lastLossLogged;

    private RedisNodeLockService(Vertx vertx, Context ctx, RedisTopology topology, LockOptions options) {
        this.vertx = vertx;
        this.ctx = ctx;
        this.options = options;
        this.topology = topology;
        this.clientId = ClientIds.generate();
        this.client = topology.commandClient(vertx, options.maxInFlight());
        this.cmd = new CommandConnection(client, "lk-cmd-" + clientId);
        this.scripts = new LockScripts(
                vertx,
                cmd,
                options.commandTimeout().toMillis(),
                stats,
                topology.waitReplicas(),
                topology.waitTimeout().toMillis(),
                topology.mode() == RedisTopology.Mode.CLUSTER);
        this.subscriber = new WakeSubscriber(
                vertx,
                attempt -> topology.subscriberClient(vertx, attempt),
                LockKeys.channel(clientId),
                "lk-sub-" + clientId,
                this::onWake,
                this::onSubscribed,
                stats);
        this.lease = Long.toString(options.lease().toMillis());
        this.waiterTtl = Long.toString(options.waiterTtl().toMillis());
        this.pruneLimit = Integer.toString(options.pruneLimit());
        this.wakeLimit = Integer.toString(options.wakeLimit());
    }

    /** On one standalone Redis. */
    public static Future<RedisNodeLockService> create(Vertx vertx, String redisUrl, LockOptions options) {
        return create(vertx, RedisTopology.standalone(redisUrl), options);
    }

    /** Connects, subscribes and loads the scripts; the service lives on the caller's event loop, or a new one. */
    public static Future<RedisNodeLockService> create(Vertx vertx, RedisTopology topology, LockOptions options) {
        Context current = Vertx.currentContext();
        Context ctx = current != null && current.isEventLoopContext()
                ? current
                : ((VertxInternal) vertx).createEventLoopContext();
        Promise<RedisNodeLockService> promise = Promise.promise();
        ctx.runOnContext(v -> {
            RedisNodeLockService s = new RedisNodeLockService(vertx, ctx, topology, options);
            s.cmd.connect()
                    .compose(c -> s.scripts.loadAll())
                    .compose(x -> s.awaitQuarantine())
                    .compose(x -> s.subscriber.start())
                    .onSuccess(x -> s.checkEvictionPolicy())
                    .map(s)
                    .onFailure(e -> {
                        s.scripts.close();
                        s.client.close();
                    })
                    .onComplete(deliverTo(current, promise));
        });
        return promise.future();
    }

    @Override
    public String clientId() {
        return clientId;
    }

    public LockStats stats() {
        return stats;
    }

    /**
     * Reports waits, hand-offs and queue lengths to {@code m}, and binds {@link LockStats} and the number of queued
     * acquires as series read when scraped (docs/operations.md#locks).
     */
    @Override
    public NodeLockService withMetrics(AnvilMetrics m) {
        metrics = m.locks();
        stats.bindTo(m);
        // read from the scraping thread: a stale size is fine for a gauge, and HashMap.size() cannot throw
        m.gauge("anvil.lock.waiters", "Queued lock acquires of this conductor waiting now", waiters, Map::size);
        m.gauge("anvil.lock.held", "Node locks this conductor holds now", leases, Set::size);
        return this;
    }

    Vertx vertx() {
        return vertx;
    }

    LockOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- acquire

    @Override
    public Future<LockLease> acquire(String nodeUuid, LockRequest request) {
        return onContext(() -> doAcquire(nodeUuid, request));
    }

    private Future<LockLease> doAcquire(String nodeUuid, LockRequest request) {
        if (closed) {
            return Future.failedFuture(new IllegalStateException("lock service closed"));
        }
        List<String> keys = LockKeys.of(nodeUuid);
        String owner = clientId + "/" + Long.toString(++seq, 36);
        if (!request.policy().queues()) {
            return tryOnce(nodeUuid, keys, owner, request, 2);
        }
        Waiter w = new Waiter(nodeUuid, keys, owner, request);
        waiters.put(owner, w);
        if (request.policy().kind() == WaitPolicy.Kind.BOUNDED) {
            w.deadlineTimer =
                    vertx.setTimer(Math.max(1, request.policy().maxWait().toMillis()), id -> {
                        w.deadlineTimer = -1;
                        giveUp(w);
                    });
        }
        poll(w);
        return w.promise.future();
    }

    /**
     * A try-once attempt. A lost reply is retried with the same owner (re-entry makes it idempotent); if Redis stays
     * unreachable, a best-effort leave drops a grant the caller never heard of.
     */
    private Future<LockLease> tryOnce(
            String nodeUuid, List<String> keys, String owner, LockRequest request, int attempts) {
        long sent = System.nanoTime();
        return callAcquire(keys, owner, request, false, nodeUuid).transform(ar -> {
            if (ar.failed()) {
                stats.commandErrors.incrementAndGet();
                if (attempts > 1 && !closed) {
                    return tryOnce(nodeUuid, keys, owner, request, attempts - 1);
                }
                scripts.run(Script.LEAVE, keys, owner, nodeUuid, pruneLimit, wakeLimit);
                return Future.failedFuture(ar.cause());
            }
            Response r = ar.result();
            if (r.get(0).toInteger() == 1) {
                return Future.succeededFuture(
                        grant(nodeUuid, keys, owner, request, r.get(1).toLong(), sent));
            }
            stats.refusals.incrementAndGet();
            long quarantine = quarantineLeft(r);
            if (quarantine >= 0) {
                return Future.failedFuture(NodeLockedException.quarantined(nodeUuid, Duration.ofMillis(quarantine)));
            }
            int queued = r.get(7).toInteger();
            metrics.queueLength(queued);
            return Future.failedFuture(lockedFromHolder(nodeUuid, r, 3, queued, queued));
        });
    }

    private Future<Response> callAcquire(List<String> keys, String owner, LockRequest req, boolean wait, String node) {
        return scripts.run(
                Script.ACQUIRE,
                keys,
                owner,
                req.mode().code(),
                lease,
                waiterTtl,
                wait ? "1" : "0",
                req.purpose(),
                node,
                pruneLimit,
                wakeLimit,
                lease);
    }

    private LockLease grant(
            String nodeUuid, List<String> keys, String owner, LockRequest request, long fence, long sentNanos) {
        RedisLockLease l = new RedisLockLease(
                this, nodeUuid, keys, request.mode(), fence, owner, request.purpose(), sentNanos, options);
        leases.add(l);
        l.start();
        stats.grants.incrementAndGet();
        return l;
    }

    /** One acquire attempt of a queued waiter; wake-ups arriving meanwhile are coalesced into one more attempt. */
    private void poll(Waiter w) {
        if (w.done) {
            return;
        }
        if (w.inFlight) {
            w.again = true;
            return;
        }
        cancelRepoll(w);
        w.inFlight = true;
        w.again = false;
        stats.polls.incrementAndGet();
        long sent = System.nanoTime();
        callAcquire(w.keys, w.owner, w.request, true, w.nodeUuid).onComplete(ar -> {
            w.inFlight = false;
            if (w.done) {
                return; // gave up meanwhile; leave() runs after this call and drops any grant it made
            }
            w.lastError = ar.failed() ? ar.cause() : null;
            w.quarantineLeft = -1;
            if (ar.failed()) {
                w.failures++;
                stats.commandErrors.incrementAndGet();
                scheduleRepoll(w, Math.min(options.repoll().toMillis(), 50L << Math.min(w.failures, 5)));
                return;
            }
            w.failures = 0;
            Response r = ar.result();
            if (r.get(0).toInteger() == 1) {
                finish(w);
                long now = System.nanoTime();
                metrics.waited(true, now - w.queuedAt);
                if (w.wokenAt != 0) {
                    metrics.handedOff(now - w.wokenAt);
                }
                w.promise.complete(
                        grant(w.nodeUuid, w.keys, w.owner, w.request, r.get(1).toLong(), sent));
                return;
            }
            long quarantine = quarantineLeft(r);
            if (quarantine >= 0) {
                w.quarantineLeft = quarantine;
                scheduleRepoll(w, quarantine + 1 + ThreadLocalRandom.current().nextLong(10));
                return;
            }
            if (!w.queueSeen && r.get(1) != null) {
                w.queueSeen = true;
                metrics.queueLength(r.get(1).toInteger() + 1); // its rank: everyone ahead of it, plus itself
            }
            if (w.again) {
                poll(w);
                return;
            }
            w.wokenAt = 0; // that wake-up handed the node to someone else: the hand-off is timed from the next one
            long hint = r.get(2).toLong();
            long repoll = options.repoll().toMillis();
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            // the head re-polls just after the holder's lease runs out (expiry publishes nothing); everyone else
            // heartbeats a little faster than repoll so it is never pruned while alive
            long delay = hint < repoll ? hint + 2 + rnd.nextLong(4) : repoll - rnd.nextLong(Math.max(1, repoll / 10));
            scheduleRepoll(w, delay);
        });
    }

    private void scheduleRepoll(Waiter w, long delayMs) {
        cancelRepoll(w);
        w.repollTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
            w.repollTimer = -1;
            poll(w);
        });
    }

    private void cancelRepoll(Waiter w) {
        if (w.repollTimer >= 0) {
            vertx.cancelTimer(w.repollTimer);
            w.repollTimer = -1;
        }
    }

    private void finish(Waiter w) {
        w.done = true;
        cancelRepoll(w);
        if (w.deadlineTimer >= 0) {
            vertx.cancelTimer(w.deadlineTimer);
            w.deadlineTimer = -1;
        }
        waiters.remove(w.owner);
    }

    /** A bounded wait ran out: leave the queue (dropping a grant that raced with it) and report who holds the node. */
    private void giveUp(Waiter w) {
        if (w.done) {
            return;
        }
        finish(w);
        stats.refusals.incrementAndGet();
        metrics.waited(false, System.nanoTime() - w.queuedAt);
        if (w.lastError != null) {
            // Redis did not answer the last poll: say so (503), not "locked"
            leave(w, 1);
            w.promise.tryFail(new LockServiceUnavailableException(w.nodeUuid, w.lastError));
            return;
        }
        if (w.quarantineLeft >= 0) {
            leave(w, RELEASE_ATTEMPTS);
            w.promise.tryFail(NodeLockedException.quarantined(w.nodeUuid, Duration.ofMillis(w.quarantineLeft)));
            return;
        }
        leave(w, RELEASE_ATTEMPTS).onComplete(ar -> {
            if (ar.succeeded()) {
                Response r = ar.result();
                int rank = r.get(0).toInteger();
                int len = r.get(5).toInteger();
                w.promise.tryFail(lockedFromHolder(w.nodeUuid, r, 1, rank < 0 ? len : rank, len));
            } else {
                w.promise.tryFail(new LockServiceUnavailableException(w.nodeUuid, ar.cause()));
            }
        });
    }

    private Future<Response> leave(Waiter w, int attempts) {
        return scripts.run(Script.LEAVE, w.keys, w.owner, w.nodeUuid, pruneLimit, wakeLimit)
                .recover(e -> attempts > 1 && !closed ? leave(w, attempts - 1) : Future.failedFuture(e));
    }

    /** Reads holder fields {mode, owner, purpose, age} starting at {@code at}. */
    private static NodeLockedException lockedFromHolder(String node, Response r, int at, int position, int len) {
        String mode = r.get(at).toString();
        return new NodeLockedException(
                node,
                mode.isEmpty() ? null : LockMode.fromCode(mode),
                r.get(at + 1).toString(),
                r.get(at + 2).toString(),
                Duration.ofMillis(r.get(at + 3).toLong()),
                position,
                len);
    }

    private void onWake(String payload) {
        stats.wakeups.incrementAndGet();
        String[] parts = payload.split(" ");
        for (int i = 1; i < parts.length; i++) {
            Waiter w = waiters.get(parts[i]);
            if (w != null) {
                w.wokenAt = System.nanoTime();
                poll(w);
            }
        }
    }

    /** After every (re)subscription: wake-ups may have been missed, so every waiter re-polls now. */
    private void onSubscribed() {
        for (Waiter w : new ArrayList<>(waiters.values())) {
            poll(w);
        }
    }

    // ---------------------------------------------------------------- lease support

    Future<Boolean> renew(RedisLockLease l) {
        stats.renewals.incrementAndGet();
        return scripts.run(Script.RENEW, l.keys(), l.owner(), l.mode().code(), Long.toString(l.fence()), lease)
                .map(r -> r.toInteger() == 1);
    }

    /** One release attempt: true if this grant still held the node and now does not. */
    Future<Boolean> sendRelease(RedisLockLease l) {
        return scripts.run(
                        Script.RELEASE,
                        l.keys(),
                        l.owner(),
                        l.mode().code(),
                        Long.toString(l.fence()),
                        l.nodeUuid(),
                        pruneLimit,
                        wakeLimit)
                .map(r -> r.toInteger() == 1);
    }

    boolean isClosed() {
        return closed;
    }

    void forget(RedisLockLease l) {
        leases.remove(l);
    }

    // ---------------------------------------------------------------- inspect

    @Override
    public Future<LockInfo> inspect(String nodeUuid) {
        return onContext(() -> scripts.run(Script.INSPECT, LockKeys.of(nodeUuid), Integer.toString(INSPECT_LIMIT))
                .map(r -> LockInfoParser.parse(nodeUuid, r)));
    }

    @Override
    public Future<Void> ping() {
        return onContext(() -> closed
                ? Future.failedFuture("lock service closed")
                : cmd.send(Request.cmd(Command.PING)).mapEmpty());
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public Future<Void> close() {
        return onContext(() -> {
            if (closed) {
                return Future.succeededFuture();
            }
            List<Future<?>> pending = new ArrayList<>();
            for (Waiter w : new ArrayList<>(waiters.values())) {
                finish(w);
                pending.add(leave(w, 1).recover(e -> Future.succeededFuture()));
                w.promise.tryFail(new IllegalStateException("lock service closed"));
            }
            for (RedisLockLease l : new ArrayList<>(leases)) {
                pending.add(l.closeWithService().recover(e -> Future.succeededFuture()));
            }
            closed = true;
            return Future.join(pending)
                    .eventually(() -> {
                        scripts.close();
                        return subscriber.close();
                    })
                    .eventually(() -> cmd.close())
                    .eventually(() -> client.close())
                    .mapEmpty();
        });
    }

    /**
     * Test hook simulating {@code kill -9} of this process: timers stop and connections drop; nothing is released
     * and no waiter leaves its queue, so Redis must expire everything on its own.
     */
    Future<Void> abandon() {
        return onContext(() -> {
            closed = true;
            for (Waiter w : new ArrayList<>(waiters.values())) {
                finish(w);
            }
            for (RedisLockLease l : new ArrayList<>(leases)) {
                l.abandon();
            }
            leases.clear();
            scripts.close();
            return subscriber
                    .close()
                    .eventually(() -> cmd.close())
                    .eventually(() -> client.close())
                    .mapEmpty();
        });
    }

    /** Test hook simulating {@code kill -STOP}: watchdogs stop running. */
    Future<Void> freezeWatchdogs() {
        return onContext(() -> {
            leases.forEach(RedisLockLease::freeze);
            return Future.succeededFuture();
        });
    }

    /** Test hook simulating {@code kill -CONT}: overdue watchdog timers fire at once. */
    Future<Void> thawWatchdogs() {
        return onContext(() -> {
            new ArrayList<>(leases).forEach(RedisLockLease::thaw);
            return Future.succeededFuture();
        });
    }

    // ---------------------------------------------------------------- quarantine after Redis data loss

    /**
     * At start-up: makes sure every slot has its marker. If any was missing (Redis lost its data, or this is its first
     * use), the service becomes ready only when the quarantine has passed, so no grant can overlap a lease granted
     * before the loss (docs/locks.md#quarantine-after-data-loss).
     */
    private Future<Void> awaitQuarantine() {
        return bootSlots().compose(left -> {
            if (left <= 0) {
                return Future.succeededFuture();
            }
            LOG.warn(
                    "Redis holds no lock-service marker for some slots (its first use, or it lost its data): no node lock"
                            + " is granted for {} ms, until every lease granted before has expired",
                    left);
            Promise<Void> waited = Promise.promise();
            vertx.setTimer(left, id -> waited.complete());
            return waited.future();
        });
    }

    /**
     * An acquire answer's quarantine: the ms it has left, or -1 when the answer is no quarantine. An answer that found
     * the marker missing reports the data loss.
     */
    private long quarantineLeft(Response r) {
        if (r.get(0).toInteger() != QUARANTINED) {
            return -1;
        }
        if (r.get(2).toInteger() == 1) {
            onDataLoss();
        }
        return r.get(1).toLong();
    }

    /**
     * Makes sure every slot has its marker, written under the current replication id; completes with the longest
     * quarantine left. On one server (standalone, Sentinel) one MGET settles the usual case (all current); otherwise
     * the boot script runs on every slot, a chunk at a time. A Cluster is left to the acquires (below).
     */
    private Future<Long> bootSlots() {
        // chunks keep the event loop responsive and the connection's queue short
        int chunk = Math.min(BOOT_CHUNK, Math.max(8, options.maxInFlight() / 2));
        if (topology.mode() == RedisTopology.Mode.CLUSTER) {
            // 16384 routed script calls take seconds through a cluster connection: in a Cluster each slot is checked
            // by its own first acquire instead, which opens that slot's quarantine if its marker is missing or stale
            return Future.succeededFuture(0L);
        }
        Request markers = Request.cmd(Command.MGET);
        for (int slot = 0; slot < LockSlots.SLOTS; slot++) {
            markers.arg(LockKeys.boot(slot));
        }
        return cmd.batch(List.of(Request.cmd(Command.INFO).arg("replication"), markers))
                .map(rs -> allCurrent(rs.get(0).toString(), rs.get(1)))
                .otherwise(false)
                .compose(all -> all ? Future.succeededFuture(0L) : bootChunk(0, chunk, 0L));
    }

    private static boolean allCurrent(String info, Response markers) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("master_replid:(\\w+)").matcher(info);
        if (!m.find()) {
            return false;
        }
        for (Response marker : markers) {
            if (marker == null || !m.group(1).equals(marker.toString())) {
                return false;
            }
        }
        return true;
    }

    private Future<Long> bootChunk(int from, int chunk, long longest) {
        if (from >= LockSlots.SLOTS) {
            return Future.succeededFuture(longest);
        }
        List<Future<Response>> calls = new ArrayList<>(chunk);
        for (int slot = from; slot < Math.min(LockSlots.SLOTS, from + chunk); slot++) {
            calls.add(scripts.run(Script.BOOT, LockKeys.slotKeys(slot), lease));
        }
        return Future.all(calls).compose(all -> {
            long max = longest;
            for (Future<Response> f : calls) {
                max = Math.max(max, f.result().get(0).toLong());
            }
            return bootChunk(from + chunk, chunk, max);
        });
    }

    /**
     * An acquire found its slot's marker missing or stale while running: Redis lost its data or failed over. Every other slot is marked now, so
     * all quarantines start together instead of at each slot's first use.
     */
    private void onDataLoss() {
        if (rebooting || closed) {
            return;
        }
        rebooting = true;
        stats.dataLosses.incrementAndGet();
        long now = System.nanoTime();
        // in a Cluster each slot finds out at its first acquire: one line per lease, not one per slot
        if (now - lastLossLogged > options.lease().toNanos() || lastLossLogged == 0) {
            lastLossLogged = now;
            LOG.warn(
                    "Redis lost the lock service's data or failed over: no node lock is granted for {} ms, until"
                            + " every lease granted before has expired",
                    lease);
        }
        bootSlots().onComplete(ar -> {
            rebooting = false;
            if (ar.failed()) {
                LOG.warn(
                        "could not mark every slot after the data loss: {}",
                        ar.cause().toString());
            }
        });
    }

    /** An evicted lock or counter key is a silent safety violation (docs/locks.md#failure-modes). */
    private void checkEvictionPolicy() {
        cmd.send(Request.cmd(Command.CONFIG).arg("GET").arg("maxmemory-policy")).onSuccess(r -> {
            String policy;
            try {
                Response v = r.get("maxmemory-policy"); // RESP3: a map
                policy = v == null ? null : v.toString();
            } catch (RuntimeException notAMap) {
                policy = r.size() >= 2 ? r.get(1).toString() : null; // RESP2: [name, value]
            }
            if (policy != null && !"noeviction".equals(policy)) {
                LOG.warn("Redis maxmemory-policy is '{}': lock keys may be evicted; set it to noeviction", policy);
            }
        });
    }

    /** Runs on the service context and completes on the caller's context. */
    <T> Future<T> onContext(Supplier<Future<T>> action) {
        Context caller = Vertx.currentContext();
        if (caller == ctx) {
            return Futures.attempt(action);
        }
        Promise<T> promise = Promise.promise();
        ctx.runOnContext(v -> Futures.attempt(action).onComplete(deliverTo(caller, promise)));
        return promise.future();
    }

    private static <T> io.vertx.core.Handler<io.vertx.core.AsyncResult<T>> deliverTo(
            Context caller, Promise<T> promise) {
        return ar -> {
            if (caller == null || caller == Vertx.currentContext()) {
                promise.handle(ar);
            } else {
                caller.runOnContext(x -> promise.handle(ar));
            }
        };
    }
}
