package io.anvil.lock;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One long-lived, pipelined connection for lock commands, kept out of the shared pool: a pooled {@code send()}
 * borrows a whole connection per request (at most maxPoolSize in flight, then a small wait queue), which 1000 waiters
 * would exhaust. Reconnects lazily on the next command after the connection closes. Confined to one context.
 */
final class CommandConnection {
    private final Redis client;
    private final String name;
    private RedisConnection conn;
    private Future<RedisConnection> connecting;
    private boolean closed;

    CommandConnection(Redis client, String name) {
        this.client = client;
        this.name = name;
    }

    Future<Response> send(Request request) {
        RedisConnection c = conn;
        if (c != null) {
            return c.send(request);
        }
        return connect().compose(cc -> cc.send(request));
    }

    Future<RedisConnection> connect() {
        if (closed) {
            return Future.failedFuture(new IllegalStateException("lock connection closed"));
        }
        if (connecting != null) {
            return connecting;
        }
        Future<RedisConnection> f = client.connect().compose(c -> {
            c.exceptionHandler(e -> drop(c));
            c.endHandler(v -> drop(c));
            // named so operators (and tests) can find the lock connections in CLIENT LIST
            return c.send(Request.cmd(Command.CLIENT).arg("SETNAME").arg(name)).map(r -> c);
        });
        connecting = f;
        f.onComplete(ar -> {
            connecting = null;
            if (ar.succeeded()) {
                if (closed) {
                    ar.result().close();
                } else {
                    conn = ar.result();
                }
            }
        });
        return f;
    }

    private void drop(RedisConnection c) {
        if (conn == c) {
            conn = null;
            c.close();
        }
    }

    Future<Void> close() {
        closed = true;
        RedisConnection c = conn;
        conn = null;
        return c == null ? Future.succeededFuture() : c.close();
    }
}
