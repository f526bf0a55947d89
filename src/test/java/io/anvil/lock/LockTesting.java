package io.anvil.lock;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Helpers for lock tests: waiting on futures (never sleeping), short lock timings, raw Redis access. */
final class LockTesting {
    /** Leases of 2 s and waiters pruned after 1.5 s keep fault tests short. */
    static final LockOptions FAST = LockOptions.defaults()
            .withLease(Duration.ofMillis(2000), Duration.ofMillis(500), Duration.ofMillis(400))
            .withWaiterTtl(Duration.ofMillis(1500), Duration.ofMillis(400))
            .withCommandTimeout(Duration.ofSeconds(3));

    private LockTesting() {}

    static String node() {
        return UUID.randomUUID().toString();
    }

    /**
     * A started service. Start-up (connect, load the scripts) is retried twice when Redis did not answer within the
     * short command timeout of {@link #FAST}: a machine busy enough to stall a fresh Redis for seconds says nothing
     * about the behaviour under test, which starts once the service is up.
     */
    static RedisNodeLockService service(Vertx vertx, String url, LockOptions options) {
        for (int attempt = 1; ; attempt++) {
            try {
                return await(RedisNodeLockService.create(vertx, url, options));
            } catch (RuntimeException e) {
                if (attempt == 3 || !(e.getCause() instanceof TimeoutException)) {
                    throw e;
                }
            }
        }
    }

    static <T> T await(Future<T> f) {
        return await(f, Duration.ofSeconds(30));
    }

    static <T> T await(Future<T> f, Duration timeout) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future not completed within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Throwable awaitFailure(Future<?> f, Duration timeout) {
        try {
            Object v = await(f, timeout);
            throw new AssertionError("expected a failure, got " + v);
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** Completes once {@code check} yields true, re-checking every {@code everyMs} on a timer; fails after timeout. */
    static Future<Void> eventually(Vertx vertx, Supplier<Future<Boolean>> check, Duration timeout, long everyMs) {
        Promise<Void> p = Promise.promise();
        long deadline = System.nanoTime() + timeout.toNanos();
        Runnable[] attempt = new Runnable[1];
        attempt[0] = () -> check.get().onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                p.tryComplete();
            } else if (System.nanoTime() > deadline) {
                p.tryFail(new AssertionError(
                        "condition not met within " + timeout + (ar.failed() ? ": " + ar.cause() : "")));
            } else {
                vertx.setTimer(everyMs, id -> attempt[0].run());
            }
        });
        vertx.runOnContext(v -> attempt[0].run());
        return p.future();
    }

    /** A timer as a future (for holding a lock a while, or letting a deadline pass) — not a sleep. */
    static Future<Void> delay(Vertx vertx, long ms) {
        Promise<Void> p = Promise.promise();
        vertx.setTimer(ms, id -> p.complete());
        return p.future();
    }

    static Future<Response> raw(Redis redis, Command cmd, Object... args) {
        Request r = Request.cmd(cmd);
        for (Object a : args) {
            r.arg(String.valueOf(a));
        }
        return redis.send(r);
    }
}
