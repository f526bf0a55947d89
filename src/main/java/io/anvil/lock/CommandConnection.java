package io.anvil.lock;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;

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
        Future<Response> f = c != null ? c.send(request) : connect().compose(cc -> cc.send(request));
        return f.onFailure(this::dropIfDemoted);
    }

    /** Sends the requests back to back on one server (in a Cluster: the master of their keys' slot). */
    Future<List<Response>> batch(List<Request> requests) {
        RedisConnection c = conn;
        Future<List<Response>> f = c != null ? c.batch(requests) : connect().compose(cc -> cc.batch(requests));
        return f.onFailure(this::dropIfDemoted);
    }

    /**
     * A server that answers READONLY is no longer the primary (a Sentinel fail-over turned it into a replica without
     * closing its clients): drop the connection, so the next command asks the sentinels for the new primary.
     */
    private void dropIfDemoted(Throwable err) {
        String m = err.getMessage();
        RedisConnection c = conn;
        if (c != null && m != null && (m.startsWith("READONLY") || m.startsWith("MASTERDOWN"))) {
            drop(c);
        }
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
