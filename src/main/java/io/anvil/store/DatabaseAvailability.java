package io.anvil.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether PostgreSQL is away, and the back-off of reconnecting to it (docs/scale-out.md#postgresql-restarts).
 *
 * <p>Vert.x's pool drops a connection the server closed and opens a new one for the next request that needs it; it
 * does not back off: while PostgreSQL is down every API request, feed read and periodic job would try a connect of
 * its own. This gate adds the back-off. The first "database away" failure ({@link DatabaseErrors#unavailable}) starts
 * a probe ({@code SELECT 1} on a new connection) at once, while requests still pass (a single killed connection must
 * not cost anything). If the probe fails too, PostgreSQL is <em>away</em>: requests fail at once with
 * {@link Away} (the API answers 503) without touching the network, and one probe runs after 0.1 s, 0.2 s, 0.4 s, ...
 * up to {@link #MAX_BACKOFF_MS}. The first probe that succeeds opens the gate again. Thread-safe.
 */
public final class DatabaseAvailability {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseAvailability.class);
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;

    private final Vertx vertx;
    private final PgConnectOptions connect;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean away;
    private volatile String lastFailure = "";
    private volatile long awaySince;
    private long backoffMs = FIRST_BACKOFF_MS;

    DatabaseAvailability(Vertx vertx, PgConnectOptions connect) {
        this.vertx = vertx;
        this.connect = connect;
    }

    /** Whether requests are being failed at once because PostgreSQL did not answer the last probe. */
    public boolean away() {
        return away;
    }

    /** Null when requests may go to PostgreSQL; else the failure to answer with at once. */
    Away refusal() {
        return away ? new Away(lastFailure) : null;
    }

    /** A request failed with {@code failure}; starts probing when it says PostgreSQL is away. */
    void observe(Throwable failure) {
        if (failure instanceof Away || !DatabaseErrors.unavailable(failure)) {
            return;
        }
        lastFailure = String.valueOf(failure.getMessage());
        if (probing.compareAndSet(false, true)) {
            probe();
        }
    }

    /** The readiness probe reached PostgreSQL on its own (it bypasses the gate): open at once. */
    void reached() {
        if (away) {
            opened();
        }
    }

    /** {@code SELECT 1} on a connection of its own: a pooled one may be the very connection that just died. */
    private void probe() {
        PgConnection.connect(vertx, connect)
                .compose(c -> c.query("SELECT 1").execute().eventually(c::close))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        opened();
                        probing.set(false);
                        return;
                    }
                    lastFailure = String.valueOf(ar.cause().getMessage());
                    long delay;
                    synchronized (this) {
                        if (!away) {
                            away = true;
                            awaySince = System.nanoTime();
                            LOG.warn(
                                    "PostgreSQL is not reachable ({}): requests answer 503 until it is back; reconnecting with"
                                            + " back-off",
                                    io.anvil.util.Secrets.maskText(lastFailure));
                        }
                        delay = backoffMs;
                        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
                    }
                    vertx.setTimer(delay, id -> probe());
                });
    }

    private synchronized void opened() {
        if (away) {
            LOG.info("PostgreSQL is reachable again after {} ms", (System.nanoTime() - awaySince) / 1_000_000);
        }
        away = false;
        backoffMs = FIRST_BACKOFF_MS;
    }

    /** A request refused while PostgreSQL is away: {@link DatabaseErrors#unavailable} says true (503). */
    public static final class Away extends RuntimeException {
        Away(String lastFailure) {
            super("PostgreSQL did not answer the last reconnection attempt: " + lastFailure, null, false, false);
        }
    }

    /** Completes after {@code ms} on a Vert.x timer. */
    Future<Void> later(long ms) {
        io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
        vertx.setTimer(ms, id -> p.complete());
        return p.future();
    }

    /** Fails at once when away; the failure of {@code work} is observed. */
    <T> Future<T> guard(java.util.function.Supplier<Future<T>> work) {
        Away refused = refusal();
        if (refused != null) {
            return Future.failedFuture(refused);
        }
        Future<T> f;
        try {
            f = work.get();
        } catch (RuntimeException e) {
            f = Future.failedFuture(e);
        }
        return f.onFailure(this::observe);
    }
}
