package io.anvil.lock;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Lua scripts in {@code src/main/resources/lua}, each prefixed with {@code lock_common.lua}. Called with EVALSHA;
 * on NOSCRIPT (Redis restarted, failed over or flushed its script cache) the script is loaded once — concurrent
 * callers share the load — and the call retried once; in a Cluster the retry is an EVAL, which reaches the node
 * holding the keys and caches the script there. Confined to one context.
 */
final class LockScripts {

    enum Script {
        ACQUIRE("acquire"),
        RELEASE("release"),
        RENEW("renew"),
        LEAVE("leave"),
        INSPECT("inspect"),
        BOOT("boot");

        final String body;
        final String sha;

        Script(String file) {
            this.body = read("lock_common.lua") + "\n" + read(file + ".lua");
            this.sha = sha1(body);
        }
    }

    private final Vertx vertx;
    private final CommandConnection cmd;
    private final long timeoutNanos;
    private final LockStats stats;
    private final int waitReplicas;
    private final long waitTimeoutMs;
    private final boolean cluster;
    private final Map<Script, Future<Void>> loading = new EnumMap<>(Script.class);
    /** Calls in send order; one timeout for all, so deadlines are monotonic and one sweep replaces a timer per call. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    private final long sweeper;

    private record Pending(long deadline, Promise<Response> promise) {}

    /**
     * @param waitReplicas an acquire's grant is confirmed only once this many replicas acknowledged it (0: not at
     *     all); it then fails like a lost reply, and the idempotent retry or leave follows
     */
    LockScripts(
            Vertx vertx,
            CommandConnection cmd,
            long timeoutMs,
            LockStats stats,
            int waitReplicas,
            long waitTimeoutMs,
            boolean cluster) {
        this.cluster = cluster;
        this.vertx = vertx;
        this.cmd = cmd;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs + (waitReplicas > 0 ? waitTimeoutMs : 0));
        this.stats = stats;
        this.waitReplicas = waitReplicas;
        this.waitTimeoutMs = waitTimeoutMs;
        this.sweeper = vertx.setPeriodic(Math.max(10, timeoutMs / 10), id -> sweep());
    }

    private void sweep() {
        long now = System.nanoTime();
        Pending p;
        while ((p = pending.peekFirst()) != null && (p.promise.future().isComplete() || now - p.deadline >= 0)) {
            pending.pollFirst();
            p.promise.tryFail(new TimeoutException("no reply from Redis within " + timeoutNanos / 1_000_000 + " ms"));
        }
    }

    void close() {
        vertx.cancelTimer(sweeper);
    }

    /** Loads every script up front so normal traffic never sees NOSCRIPT. */
    Future<Void> loadAll() {
        return Future.all(List.of(Script.values()).stream().map(this::load).toList())
                .mapEmpty();
    }

    /** Runs a script on a node's keys; args are Strings or Longs. */
    Future<Response> run(Script script, List<String> keys, Object... args) {
        Promise<Response> promise = Promise.promise();
        pending.addLast(new Pending(System.nanoTime() + timeoutNanos, promise));
        send(script, keys, args, false)
                .recover(err -> {
                    if (!isNoScript(err)) {
                        return Future.failedFuture(err);
                    }
                    if (!cluster) {
                        return load(script).compose(v -> send(script, keys, args, false));
                    }
                    // in a Cluster SCRIPT LOAD reaches one node only; EVAL goes where the keys live and caches the
                    // script there for the next EVALSHA
                    stats.scriptLoads.incrementAndGet();
                    return send(script, keys, args, true);
                })
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        promise.tryComplete(ar.result());
                    } else {
                        promise.tryFail(ar.cause());
                    }
                });
        return promise.future();
    }

    private Future<Response> send(Script script, List<String> keys, Object[] args, boolean eval) {
        Request call = eval
                ? request(Command.EVAL, script.body, keys, args)
                : request(Command.EVALSHA, script.sha, keys, args);
        if (script != Script.ACQUIRE || waitReplicas == 0) {
            return cmd.send(call);
        }
        // WAIT on the same connection right behind the script: in a Cluster the batch goes to the slot's master
        Request wait = Request.cmd(Command.WAIT).arg(waitReplicas).arg(waitTimeoutMs);
        return cmd.batch(List.of(call, wait)).compose(rs -> {
            Response r = rs.get(0);
            long acked = rs.get(1).toLong();
            if (r.get(0).toInteger() == 1 && acked < waitReplicas) {
                stats.unacknowledgedGrants.incrementAndGet();
                return Future.failedFuture(new IllegalStateException("grant acknowledged by " + acked + " of "
                        + waitReplicas + " replicas within " + waitTimeoutMs + " ms"));
            }
            return Future.succeededFuture(r);
        });
    }

    private Future<Void> load(Script script) {
        Future<Void> pending = loading.get(script);
        if (pending != null) {
            return pending;
        }
        stats.scriptLoads.incrementAndGet();
        Future<Void> f = cmd.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.body))
                .compose(r -> {
                    if (!script.sha.equals(r.toString())) {
                        return Future.failedFuture(
                                new IllegalStateException("Redis computed another SHA for " + script));
                    }
                    return Future.<Void>succeededFuture();
                });
        loading.put(script, f);
        f.onComplete(ar -> loading.remove(script));
        return f;
    }

    private static Request request(Command command, String sha, List<String> keys, Object[] args) {
        Request r = Request.cmd(command).arg(sha).arg(keys.size());
        for (String k : keys) {
            r.arg(k);
        }
        for (Object a : args) {
            if (a instanceof Long l) {
                r.arg(l.longValue());
            } else if (a instanceof Integer i) {
                r.arg(i.intValue());
            } else {
                r.arg(String.valueOf(a));
            }
        }
        return r;
    }

    static boolean isNoScript(Throwable err) {
        String m = err.getMessage();
        return m != null && m.startsWith("NOSCRIPT");
    }

    private static String read(String file) {
        try (InputStream in = LockScripts.class.getResourceAsStream("/lua/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing Lua script /lua/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
