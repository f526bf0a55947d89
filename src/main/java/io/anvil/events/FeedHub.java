package io.anvil.events;

import io.anvil.errors.AnvilException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fans the reader's batches out to the subscribers of one process. Subscribers are grouped by the event loop they
 * live on ({@link SubscriberGroup}): a batch costs one task per event loop, and each subscriber is served on its own
 * context, so a slow one never holds up the reader or the others. Also counts connections for the limits.
 */
public final class FeedHub {
    private final Vertx vertx;
    private final FeedSettings settings;
    private final Map<Context, SubscriberGroup> byContext = new ConcurrentHashMap<>();
    /** Touched only on the reader's context. */
    private final List<SubscriberGroup> groups = new ArrayList<>();

    private final AtomicInteger open = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, Integer> openByClient = new ConcurrentHashMap<>();
    private volatile Context readerContext;
    private volatile long horizon = -1;
    private volatile boolean closed;

    public FeedHub(Vertx vertx, FeedSettings settings) {
        this.vertx = vertx;
        this.settings = settings;
    }

    void attach(Context reader) {
        this.readerContext = reader;
    }

    /** Every event up to this seq has been handed out (or was history when the feed started); -1 before start. */
    public long horizon() {
        return horizon;
    }

    /** On the reader's context: a batch in seq order, everything up to {@code through} is now handed out. */
    void advance(List<FeedEvent> batch, long through) {
        horizon = through;
        if (batch.isEmpty()) {
            return;
        }
        for (SubscriberGroup g : groups) {
            g.context().runOnContext(v -> g.deliver(batch));
        }
    }

    /**
     * The group of the calling event loop, registered with the reader so that its first batch is the one after
     * {@link SubscriberGroup#delivered()}; completes on that loop's context.
     *
     * <p>Keyed by the event loop's own context, not {@code context}: Vert.x gives every HTTP request a duplicated
     * context, and a group per request would cost every batch one task per subscriber instead of one per loop.
     */
    Future<SubscriberGroup> group(Context requestContext) {
        Context context = ((ContextInternal) requestContext).unwrap();
        SubscriberGroup existing = byContext.get(context);
        if (existing != null) {
            return existing.registered();
        }
        Promise<SubscriberGroup> registered = Promise.promise();
        SubscriberGroup created = new SubscriberGroup(vertx, context, settings, registered.future());
        SubscriberGroup raced = byContext.putIfAbsent(context, created);
        if (raced != null) {
            return raced.registered();
        }
        readerContext.runOnContext(v -> {
            // on the reader's context: no batch is being handed out, so "delivered" and the next batch agree
            created.startFrom(horizon);
            groups.add(created);
            context.runOnContext(x -> {
                created.startTimers();
                registered.complete(created);
            });
        });
        return registered.future();
    }

    /**
     * Counts a new connection from {@code client}; null when allowed, else the error to answer (429 over a limit,
     * 503 while shutting down). Every allowed connection must be {@link #release}d exactly once.
     */
    public AnvilException tryOpen(String client) {
        if (closed) {
            return AnvilException.unavailable(
                    "The event feed of this conductor is shutting down. Please reconnect to another conductor.");
        }
        if (open.incrementAndGet() > settings.maxConnections()) {
            open.decrementAndGet();
            refused.incrementAndGet();
            return new AnvilException(
                    429,
                    "Too many event feed connections on this conductor (feed.max_connections = "
                            + settings.maxConnections() + "). Please retry later or connect to another conductor.");
        }
        boolean[] allowed = {true};
        openByClient.compute(client, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= settings.maxConnectionsPerClient()) {
                allowed[0] = false;
                return n;
            }
            return count + 1;
        });
        if (!allowed[0]) {
            open.decrementAndGet();
            refused.incrementAndGet();
            return new AnvilException(
                    429,
                    "Too many event feed connections from " + client + " (feed.max_connections_per_client = "
                            + settings.maxConnectionsPerClient() + "). Close some before opening more.");
        }
        return null;
    }

    public void release(String client) {
        open.decrementAndGet();
        openByClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Connections refused by a limit (429), for anvil_api_refused_total{reason="feed_connections"}. */
    public long refusedConnections() {
        return refused.get();
    }

    /** Open connections (for tests and metrics). */
    public int openConnections() {
        return open.get();
    }

    /** Closes every subscriber with {@code reason} (WebSocket code 1001: going away), each on its own context. */
    public Future<Void> closeAll(String reason) {
        closed = true;
        List<Future<Void>> done = new ArrayList<>();
        for (SubscriberGroup g : byContext.values()) {
            Promise<Void> p = Promise.promise();
            g.context().runOnContext(v -> {
                g.stopTimers();
                g.closeAll(1001, reason);
                p.complete();
            });
            done.add(p.future());
        }
        return Future.join(done).mapEmpty();
    }
}
