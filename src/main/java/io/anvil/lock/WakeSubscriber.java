package io.anvil.lock;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process' wake-up channel {@code lk:ev:<clientId>} on its own connection. Vert.x does not resubscribe after a
 * drop, so this does it with backoff, and calls {@code onSubscribed} after every (re)subscription so every waiter
 * re-polls at once (messages published while unsubscribed are lost). Each attempt uses a client of its own
 * ({@link RedisTopology#subscriberClient}), so a Sentinel fail-over or a dead Cluster node is routed around on the next
 * attempt. Confined to one context.
 */
final class WakeSubscriber {
    private static final Logger LOG = LoggerFactory.getLogger(WakeSubscriber.class);
    private static final long MIN_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 2000;

    private final Vertx vertx;
    private final IntFunction<Redis> clients;
    private final String channel;
    private final String name;
    private final Consumer<String> onMessage;
    private final Runnable onSubscribed;
    private final LockStats stats;
    private RedisConnection conn;
    private Redis client;
    private int attempts;
    private long backoffMs = MIN_BACKOFF_MS;
    private long retryTimer = -1;
    private boolean closed;

    WakeSubscriber(
            Vertx vertx,
            IntFunction<Redis> clients,
            String channel,
            String name,
            Consumer<String> onMessage,
            Runnable onSubscribed,
            LockStats stats) {
        this.vertx = vertx;
        this.clients = clients;
        this.channel = channel;
        this.name = name;
        this.onMessage = onMessage;
        this.onSubscribed = onSubscribed;
        this.stats = stats;
    }

    Future<Void> start() {
        if (closed) {
            return Future.failedFuture(new IllegalStateException("subscriber closed"));
        }
        Redis r = clients.apply(attempts++);
        client = r;
        return r.connect()
                .compose(c -> {
                    c.handler(this::handle);
                    c.exceptionHandler(e -> drop(c, e));
                    c.endHandler(v -> drop(c, null));
                    return c.send(Request.cmd(Command.CLIENT).arg("SETNAME").arg(name))
                            .compose(x -> c.send(Request.cmd(Command.SUBSCRIBE).arg(channel)))
                            .map(x -> c)
                            .onFailure(e -> c.close());
                })
                .compose(c -> {
                    if (closed) {
                        return c.close().eventually(() -> r.close());
                    }
                    conn = c;
                    backoffMs = MIN_BACKOFF_MS;
                    stats.subscriptions.incrementAndGet();
                    onSubscribed.run();
                    return Future.<Void>succeededFuture();
                })
                .onFailure(e -> r.close());
    }

    private void handle(Response msg) {
        // RESP3 delivers PUSH frames, RESP2 plain arrays: [message, channel, payload]
        if ((msg.type() == ResponseType.PUSH || msg.type() == ResponseType.MULTI)
                && msg.size() == 3
                && "message".equals(msg.get(0).toString())) {
            onMessage.accept(msg.get(2).toString());
        }
    }

    private void drop(RedisConnection c, Throwable cause) {
        if (conn != c) {
            return;
        }
        conn = null;
        Redis r = client;
        c.close().eventually(() -> r.close());
        if (!closed) {
            LOG.warn(
                    "lock wake-up subscription {} dropped ({}); resubscribing",
                    channel,
                    cause == null ? "closed" : cause.toString());
            scheduleRetry();
        }
    }

    private void scheduleRetry() {
        if (closed || retryTimer >= 0) {
            return;
        }
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        retryTimer = vertx.setTimer(delay, id -> {
            retryTimer = -1;
            start().onFailure(e -> scheduleRetry());
        });
    }

    Future<Void> close() {
        closed = true;
        if (retryTimer >= 0) {
            vertx.cancelTimer(retryTimer);
            retryTimer = -1;
        }
        RedisConnection c = conn;
        conn = null;
        Redis r = client;
        Future<Void> closing = c == null ? Future.succeededFuture() : c.close();
        return closing.eventually(() -> r == null ? Future.succeededFuture() : r.close());
    }
}
