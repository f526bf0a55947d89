package io.anvil.lock;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * A granted lease and its watchdog. The watchdog renews every {@code renewEvery}; a local deadline on the monotonic
 * clock — send time of the last successful acquire/renew + lease - safety margin — fires the lease-lost signal
 * before Redis could expire the lease, even when Redis stops answering. Renewal is registered before the acquire
 * future completes and every timer checks the state, so nothing renews after a release (Redisson #7272).
 * Mutated only on the service context.
 */
final class RedisLockLease implements LockLease {
    private enum State {
        HELD,
        LOST,
        RELEASED
    }

    private final RedisNodeLockService service;
    private final Vertx vertx;
    private final String nodeUuid;
    private final List<String> keys;
    private final LockMode mode;
    private final long fence;
    private final String owner;
    private final String purpose;
    private final long leaseMs;
    private final long renewEveryMs;
    private final long marginMs;
    private final Promise<Void> lost = Promise.promise();

    private volatile State state = State.HELD;
    private volatile long deadlineNanos;
    private long renewTimer = -1;
    private long deadlineTimer = -1;
    private boolean renewing;
    private Future<Boolean> released;

    RedisLockLease(
            RedisNodeLockService service,
            String nodeUuid,
            List<String> keys,
            LockMode mode,
            long fence,
            String owner,
            String purpose,
            long grantSentNanos,
            LockOptions options) {
        this.service = service;
        this.vertx = service.vertx();
        this.nodeUuid = nodeUuid;
        this.keys = keys;
        this.mode = mode;
        this.fence = fence;
        this.owner = owner;
        this.purpose = purpose;
        this.leaseMs = options.lease().toMillis();
        this.renewEveryMs = options.renewEvery().toMillis();
        this.marginMs = options.safetyMargin().toMillis();
        this.deadlineNanos = grantSentNanos + (leaseMs - marginMs) * 1_000_000L;
    }

    /** Starts the watchdog; called before the acquire future completes. */
    void start() {
        renewTimer = vertx.setPeriodic(renewEveryMs, id -> renew());
        armDeadline();
    }

    private void renew() {
        if (state != State.HELD || renewing) {
            return;
        }
        renewing = true;
        long sent = System.nanoTime();
        service.renew(this).onComplete(ar -> {
            renewing = false;
            if (state != State.HELD) {
                return;
            }
            if (ar.failed()) {
                // transient: the next tick retries; the local deadline decides when to give up
                service.stats().renewErrors.incrementAndGet();
                return;
            }
            if (ar.result()) {
                deadlineNanos = Math.max(deadlineNanos, sent + (leaseMs - marginMs) * 1_000_000L);
                armDeadline();
            } else {
                lose("Redis no longer holds it (expired, re-granted or data lost)");
            }
        });
    }

    private void armDeadline() {
        if (deadlineTimer >= 0) {
            vertx.cancelTimer(deadlineTimer);
        }
        long delayMs = Math.max(1, (deadlineNanos - System.nanoTime() + 999_999) / 1_000_000);
        deadlineTimer = vertx.setTimer(delayMs, id -> {
            deadlineTimer = -1;
            if (state != State.HELD) {
                return;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                lose("not renewed before the local deadline (Redis unreachable or too slow)");
            } else {
                armDeadline();
            }
        });
    }

    private void lose(String reason) {
        if (state != State.HELD) {
            return;
        }
        state = State.LOST;
        stopTimers();
        service.forget(this);
        service.stats().leasesLost.incrementAndGet();
        lost.tryFail(new LeaseLostException(nodeUuid, fence, reason));
    }

    private void stopTimers() {
        if (renewTimer >= 0) {
            vertx.cancelTimer(renewTimer);
            renewTimer = -1;
        }
        if (deadlineTimer >= 0) {
            vertx.cancelTimer(deadlineTimer);
            deadlineTimer = -1;
        }
    }

    /** Releases on the service context. */
    Future<Boolean> doRelease() {
        if (released != null) {
            return released;
        }
        boolean wasLost = state == State.LOST;
        state = State.RELEASED;
        stopTimers();
        service.forget(this);
        released = releaseAttempt(3, false).map(held -> held && !wasLost);
        released.onComplete(ar -> lost.tryComplete());
        return released;
    }

    /**
     * A release whose reply was lost may have run: a retry then answers "not held". Before the local deadline nobody
     * else can have been granted the node, so "not held" after an ambiguous attempt means our first attempt released it.
     */
    private Future<Boolean> releaseAttempt(int attempts, boolean ambiguous) {
        return service.sendRelease(this).transform(ar -> {
            if (ar.succeeded()) {
                return Future.succeededFuture(ar.result() || (ambiguous && System.nanoTime() - deadlineNanos < 0));
            }
            if (attempts > 1 && !service.isClosed()) {
                return releaseAttempt(attempts - 1, true);
            }
            return Future.failedFuture(ar.cause());
        });
    }

    /** Test hook: the process is frozen (kill -STOP): no timer runs. */
    void freeze() {
        stopTimers();
    }

    /** Test hook: the process resumes (kill -CONT): overdue timers fire at once. */
    void thaw() {
        if (state != State.HELD) {
            return;
        }
        if (System.nanoTime() - deadlineNanos >= 0) {
            lose("not renewed before the local deadline (process paused)");
            return;
        }
        start();
        renew();
    }

    /** Test hook: the process died; nothing more happens. */
    void abandon() {
        stopTimers();
        state = State.LOST;
    }

    /** Service shutdown: the work must stop; the lease is released. */
    Future<Boolean> closeWithService() {
        lose("lock service closed");
        return doRelease();
    }

    List<String> keys() {
        return keys;
    }

    @Override
    public String nodeUuid() {
        return nodeUuid;
    }

    @Override
    public LockMode mode() {
        return mode;
    }

    @Override
    public long fence() {
        return fence;
    }

    @Override
    public String owner() {
        return owner;
    }

    @Override
    public String purpose() {
        return purpose;
    }

    @Override
    public Future<Void> lost() {
        return lost.future();
    }

    @Override
    public boolean isValid() {
        return state == State.HELD && System.nanoTime() - deadlineNanos < 0;
    }

    @Override
    public Future<Boolean> release() {
        return service.onContext(this::doRelease);
    }

    @Override
    public String toString() {
        return "LockLease{node=" + nodeUuid + ", mode=" + mode + ", fence=" + fence + ", owner=" + owner + ", state="
                + state + "}";
    }
}
