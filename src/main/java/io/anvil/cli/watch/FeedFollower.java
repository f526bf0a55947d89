package io.anvil.cli.watch;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Follows {@code GET /v1/events} over a WebSocket (docs/events.md) and hands every event to a {@link Listener}
 * exactly once, in the feed's order, across disconnects: it remembers the sequence number of the last event it
 * handed over and reconnects with {@code since=<that seq>}, with exponential back-off (and jitter, so a restarted
 * conductor is not hit by all its watchers at once). An event at or below that number (a replay overlapping what
 * was already seen) is dropped. A control frame's {@code resume_from} (the server's {@code closing} before it cuts a
 * lagging subscriber) moves that resume point forward past events the filters skipped, and after {@code closing} it
 * reconnects at once.
 *
 * <p>A resume the server no longer holds (410 Gone: older than its retention) ends the follower with
 * {@link Refused}, unless {@code resyncWhenTooOld}: then it tells the listener and starts again live. A request the
 * server refuses (400 bad filter, 404 no feed) ends it too; anything else (connection refused, 5xx, a dropped
 * connection, no traffic for {@code idleTimeout} although the server pings) is retried until {@link #stop()}.
 *
 * <p>Everything runs on one Vert.x context and never blocks it; the listener is called on that context, so a slow
 * consumer (a terminal, a pipe) should queue and use {@link #pause()}/{@link #resume()} — the server then sees a
 * lagging subscriber and, past its buffer, closes it with a resume point, which this class follows.
 */
public final class FeedFollower {

    /** Receives what the follower sees; called on the follower's context. */
    public interface Listener {
        /** One event: parsed, and the frame's text exactly as the server sent it. */
        void event(JsonObject event, String text);

        /** A human-readable note about the connection (connected, lost, reconnecting, resynchronised). */
        void notice(String message);
    }

    /** How to follow: where, which events, from where, and how patiently. */
    public record Options(
            URI url,
            FeedFilters filters,
            Long since,
            boolean resyncWhenTooOld,
            Duration minBackoff,
            Duration maxBackoff,
            Duration idleTimeout,
            ApiAccess access) {

        public static Options of(URI url, FeedFilters filters, Long since) {
            return new Options(
                    url,
                    filters,
                    since,
                    false,
                    Duration.ofMillis(250),
                    Duration.ofSeconds(15),
                    Duration.ofSeconds(60),
                    ApiAccess.none());
        }

        public Options withResync(boolean resync) {
            return new Options(url, filters, since, resync, minBackoff, maxBackoff, idleTimeout, access);
        }

        public Options withBackoff(Duration min, Duration max) {
            return new Options(url, filters, since, resyncWhenTooOld, min, max, idleTimeout, access);
        }

        public Options withIdleTimeout(Duration idle) {
            return new Options(url, filters, since, resyncWhenTooOld, minBackoff, maxBackoff, idle, access);
        }

        /** Credentials and the CA to trust (docs/security.md#authentication). */
        public Options withAccess(ApiAccess credentials) {
            return new Options(url, filters, since, resyncWhenTooOld, minBackoff, maxBackoff, idleTimeout, credentials);
        }
    }

    /** The server refused the subscription for good: its status and its message. */
    public static final class Refused extends RuntimeException {
        private final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private static final long PING_INTERVAL_MS = 15_000;

    private final Vertx vertx;
    private final Context context;
    private final Options options;
    private final Listener listener;
    private final WebSocketClient client;
    private final Promise<Void> done = Promise.promise();

    // all below only touched on `context`
    /** The resume point: the last event handed over, or a later resume_from of the server's. */
    private volatile Long lastSeq;

    private WebSocket socket;
    private boolean stopped;
    /** How long {@link #stop()} waits for the close handshake before it ends the follower anyway. */
    private static final long STOP_GRACE_MS = 2_000;

    private boolean paused;
    private long attempt;
    private long timer = -1;
    private volatile long connections;
    private volatile long duplicates;

    public FeedFollower(Vertx vertx, Options options, Listener listener) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.options = options;
        this.listener = listener;
        String scheme =
                options.url().getScheme() == null ? "http" : options.url().getScheme();
        boolean ssl = scheme.equals("https") || scheme.equals("wss");
        this.client = vertx.createWebSocketClient(options.access()
                .applyTo(new WebSocketClientOptions())
                .setSsl(ssl)
                .setIdleTimeout((int) Math.max(1, options.idleTimeout().toSeconds()))
                .setTcpNoDelay(true)
                .setMaxFrameSize(1 << 20)
                .setMaxMessageSize(16 << 20));
        this.lastSeq = options.since();
    }

    /** Starts following; the future completes after {@link #stop()}, or fails with {@link Refused}. */
    public Future<Void> start() {
        context.runOnContext(v -> connect());
        return done.future();
    }

    /** Closes the connection and ends the follower (its future completes). Callable from any thread. */
    public Future<Void> stop() {
        context.runOnContext(v -> {
            stopped = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            WebSocket ws = socket;
            socket = null;
            Future<Void> closed = ws == null ? Future.succeededFuture() : ws.close((short) 1000, "watch stopped");
            // a polite close waits for the server's close frame; a busy or gone server must not hold up Ctrl-C
            long guard = vertx.setTimer(STOP_GRACE_MS, id -> done.tryComplete());
            closed.eventually(() -> client.close()).onComplete(ar -> {
                vertx.cancelTimer(guard);
                done.tryComplete();
            });
        });
        return done.future();
    }

    /** Stops reading from the server (the consumer is behind). Callable from any thread. */
    public void pause() {
        context.runOnContext(v -> {
            paused = true;
            if (socket != null) {
                socket.pause();
            }
        });
    }

    /** Reads again after {@link #pause()}. Callable from any thread. */
    public void resume() {
        context.runOnContext(v -> {
            paused = false;
            if (socket != null) {
                socket.resume();
            }
        });
    }

    /** The resume point: the last event handed over or a later resume_from (null before either, started live). */
    public Long lastSeq() {
        return lastSeq;
    }

    /** Connections made so far (1 + reconnects). */
    public long connections() {
        return connections;
    }

    /** Replayed events dropped because they had been handed over already. */
    public long duplicates() {
        return duplicates;
    }

    private void connect() {
        timer = -1;
        if (stopped) {
            return;
        }
        URI u = options.url();
        boolean ssl = "https".equals(u.getScheme()) || "wss".equals(u.getScheme());
        int port = u.getPort() > 0 ? u.getPort() : ssl ? 443 : 80;
        Long since = lastSeq;
        WebSocketConnectOptions connect = new WebSocketConnectOptions()
                .setHost(u.getHost())
                .setPort(port)
                .setSsl(ssl)
                .setURI(options.filters().uri(u.getRawPath(), since))
                .setConnectTimeout(10_000)
                .setTimeout(30_000);
        options.access().applyTo(connect);
        client.connect(connect).onComplete(ar -> {
            if (ar.failed()) {
                refusedOrRetry(ar.cause(), since);
                return;
            }
            WebSocket ws = ar.result();
            if (stopped) {
                ws.close();
                return;
            }
            socket = ws;
            attempt = 0;
            connections++;
            listener.notice(
                    connections == 1
                            ? "following " + u.getHost() + ":" + port + (since == null ? " (live)" : " from #" + since)
                            : "reconnected" + (since == null ? " (live)" : ", resuming after #" + since));
            ws.textMessageHandler(text -> onText(ws, text));
            ws.exceptionHandler(e -> listener.notice("connection error: " + describe(e)));
            ws.closeHandler(v -> onClosed(ws));
            if (paused) {
                ws.pause();
            }
            // an application-level ping now and then: the server answers it, and a server that puts its resume_from
            // in the pong keeps this watcher's resume point current even while its filters match nothing
            ping(ws);
        });
    }

    private void onText(WebSocket ws, String text) {
        JsonObject msg;
        try {
            msg = new JsonObject(text);
        } catch (DecodeException e) {
            listener.notice("ignored a frame that is not a JSON object: " + abbreviate(text));
            return;
        }
        if (msg.containsKey("control")) {
            // resume_from: every event up to it was sent on this connection (so it arrived before this frame) or
            // filtered out; resuming there is exact, and it moves the resume point of a watcher whose filters
            // matched nothing yet (the server sends it with "closing"; with "pong" too when it offers it)
            if (msg.getValue("resume_from") instanceof Number n && (lastSeq == null || n.longValue() > lastSeq)) {
                lastSeq = n.longValue();
            }
            if ("closing".equals(msg.getString("control"))) {
                listener.notice("the server is closing the feed (" + msg.getString("reason", "no reason given") + "); "
                        + (lastSeq == null ? "reconnecting live" : "resuming after #" + lastSeq));
                attempt = 0;
            }
            return;
        }
        Object seq = msg.getValue("seq");
        if (seq instanceof Number n) {
            long s = n.longValue();
            if (lastSeq != null && s <= lastSeq) {
                duplicates++;
                return;
            }
            lastSeq = s;
        }
        listener.event(msg, text);
    }

    private void ping(WebSocket ws) {
        if (socket != ws) {
            return;
        }
        ws.writeTextMessage("{\"ping\":1}");
        vertx.setTimer(PING_INTERVAL_MS, id -> ping(ws));
    }

    private void onClosed(WebSocket ws) {
        if (socket != ws) {
            return;
        }
        socket = null;
        if (stopped) {
            return;
        }
        Short code = ws.closeStatusCode();
        String reason = ws.closeReason();
        scheduleReconnect("connection closed"
                + (code == null ? "" : " (" + code + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")"));
    }

    private void refusedOrRetry(Throwable cause, Long since) {
        if (stopped) {
            done.tryComplete();
            return;
        }
        if (cause instanceof UpgradeRejectedException rejected) {
            int status = rejected.getStatus();
            String message = ironicMessage(rejected.getBody());
            if (status == 410) {
                if (options.resyncWhenTooOld()) {
                    listener.notice("the feed no longer holds the events after #" + since + " (" + message
                            + "); events up to now are MISSED: resync from GET /v1/nodes; continuing live");
                    lastSeq = null;
                    connect();
                    return;
                }
                fail(new Refused(410, "the feed no longer holds the events after #" + since + ": " + message));
                return;
            }
            if (status == 404) {
                fail(new Refused(404, "this Anvil serves no event feed (GET /v1/events answered 404)"));
                return;
            }
            if (status >= 400 && status < 500 && status != 408 && status != 429) {
                fail(new Refused(status, message));
                return;
            }
            scheduleReconnect("the server answered " + status + (message.isEmpty() ? "" : ": " + message));
            return;
        }
        scheduleReconnect("cannot connect: " + describe(cause));
    }

    private void fail(Refused refused) {
        stopped = true;
        client.close().onComplete(ar -> done.tryFail(refused));
    }

    private void scheduleReconnect(String why) {
        long min = Math.max(1, options.minBackoff().toMillis());
        long max = Math.max(min, options.maxBackoff().toMillis());
        long base = attempt >= 30 ? max : Math.min(max, min << attempt);
        attempt++;
        // ±20 % so the watchers of a restarted conductor do not come back in one wave
        long delay = Math.max(
                1, (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
        listener.notice(why + "; reconnecting in " + formatDelay(delay)
                + (lastSeq != null ? " (resuming after #" + lastSeq + ")" : ""));
        timer = vertx.setTimer(delay, id -> connect());
    }

    /** Ironic's error body is {"error_message": "<json with faultstring>"}; anything else is shown as it came. */
    static String ironicMessage(Buffer body) {
        if (body == null || body.length() == 0) {
            return "";
        }
        String text = body.toString();
        try {
            JsonObject outer = new JsonObject(text);
            Object inner = outer.getValue("error_message");
            if (inner instanceof String s) {
                try {
                    return new JsonObject(s).getString("faultstring", s);
                } catch (DecodeException e) {
                    return s;
                }
            }
            if (inner instanceof JsonObject o) {
                return o.getString("faultstring", o.encode());
            }
        } catch (DecodeException e) {
            // not JSON: fall through
        }
        return abbreviate(text);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }

    private static String formatDelay(long ms) {
        return ms < 1000 ? ms + " ms" : String.format("%.1f s", ms / 1000.0);
    }
}
