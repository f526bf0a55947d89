package io.anvil.events;

import io.anvil.errors.AnvilException;
import io.anvil.metrics.FeedMetrics;
import io.anvil.store.Database;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Optional;

/**
 * The event feed of one conductor process (docs/events.md): one {@link FeedReader}, one {@link FeedHub}, the
 * cross-conductor {@link FeedWakeup} and the {@link EventRetention} periodics. Registered in the Vert.x instance's
 * shared data so every API verticle instance finds the same one ({@link #of}).
 */
public final class EventFeed implements Shareable {
    private static final String MAP = "anvil.event-feed";
    private static final String KEY = "feed";

    private final Vertx vertx;
    private final FeedSettings settings;
    private final EventStore store;
    private final FeedHub hub;
    private final FeedReader reader;
    private final FeedWakeup wakeup;
    private final EventRetention retention;
    private final FeedMetrics metrics;
    private String readerDeployment;

    private EventFeed(Vertx vertx, Database db, FeedSettings settings, FeedMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
        // both series exist from the start, at zero
        metrics.transport("websocket");
        metrics.transport("sse");
        this.settings = settings;
        this.store = new EventStore(db.reads());
        this.hub = new FeedHub(vertx, settings);
        this.reader = new FeedReader(store, hub, settings, metrics);
        this.wakeup =
                new FeedWakeup(vertx, db.reads(), db.url().connectOptions(), reader::wake, settings.notifyInterval());
        this.retention = new EventRetention(db.pool(), settings, hub);
    }

    /** Starts the reader and the LISTEN, and registers the feed for the API verticles of {@code vertx}. */
    public static Future<EventFeed> start(Vertx vertx, Database db, FeedSettings settings) {
        return start(vertx, db, settings, io.anvil.metrics.AnvilMetrics.noop().feed());
    }

    /** Like {@link #start(Vertx, Database, FeedSettings)}, reporting subscribers and deliveries to {@code metrics}. */
    public static Future<EventFeed> start(Vertx vertx, Database db, FeedSettings settings, FeedMetrics metrics) {
        EventFeed feed = new EventFeed(vertx, db, settings, metrics);
        return vertx.deployVerticle(feed.reader)
                .compose(id -> {
                    feed.readerDeployment = id;
                    return feed.wakeup.start();
                })
                .map(v -> {
                    map(vertx).put(KEY, feed);
                    return feed;
                });
    }

    /** The feed of this Vert.x instance, if one was started. */
    public static Optional<EventFeed> of(Vertx vertx) {
        return Optional.ofNullable(map(vertx).get(KEY));
    }

    private static LocalMap<String, EventFeed> map(Vertx vertx) {
        return vertx.sharedData().getLocalMap(MAP);
    }

    public FeedSettings settings() {
        return settings;
    }

    public FeedHub hub() {
        return hub;
    }

    public FeedReader reader() {
        return reader;
    }

    public EventRetention retention() {
        return retention;
    }

    /** The outbox's hook: a transaction that wrote events committed (any thread). */
    public void committed() {
        wakeup.committed();
    }

    /**
     * Fails with 410 when events after {@code since} may be gone (pruned by retention, or {@code since} comes from
     * another database): the client must resync from the REST API.
     */
    public Future<Void> checkResume(long since) {
        return store.bounds().compose(b -> {
            if (since < b.prunedThrough()) {
                return Future.failedFuture(new AnvilException(
                        410,
                        "Events after " + since + " are no longer available: the event retention pruned events up to "
                                + b.prunedThrough() + ". Resync the current state from the REST API (GET /v1/nodes)"
                                + " and reconnect without 'since'."));
            }
            if (since > b.lastAssigned()) {
                return Future.failedFuture(new AnvilException(
                        410,
                        "Event " + since + " is ahead of this feed, whose last event is " + b.lastAssigned()
                                + " (was the database restored or replaced?). Resync the current state from the REST"
                                + " API (GET /v1/nodes) and reconnect without 'since'."));
            }
            return Future.succeededFuture();
        });
    }

    /**
     * Stored events after {@code since} (null: the oldest kept) as {@code {"events": [...], "next": seq}}; {@code next}
     * is the {@code since} of the following page.
     */
    public Future<JsonObject> page(Long since, FeedFilter filter, int limit) {
        long through = hub.horizon();
        if (through < 0) {
            return Future.failedFuture(AnvilException.unavailable("The event feed is starting. Please retry."));
        }
        Future<Long> from = since == null
                ? store.bounds().map(EventStore.Bounds::prunedThrough)
                : checkResume(since).map(since);
        return from.compose(after -> store.read(after, through, filter, limit).map(events -> {
            JsonArray out = new JsonArray();
            events.forEach(e -> out.add(e.toJson()));
            long next = events.size() == limit ? events.get(events.size() - 1).seq() : Math.max(after, through);
            return new JsonObject().put("events", out).put("next", next);
        }));
    }

    /**
     * A new subscriber for {@code sink} on the calling event loop; it starts (replay, then live) once the reader is
     * ready. {@code client} must have been counted by {@link FeedHub#tryOpen}; it is released when the subscriber
     * closes.
     */
    public Subscriber subscribe(FeedSink sink, FeedFilter filter, Long since, String client) {
        Context ctx = vertx.getOrCreateContext();
        Subscriber s = new Subscriber(
                sink, store, settings, filter, client, metrics.transport(sink.transport()), () -> hub.release(client));
        reader.ready()
                .compose(v -> hub.group(ctx))
                .onComplete(ar -> ctx.runOnContext(x -> {
                    if (ar.failed()) {
                        s.close(
                                1011,
                                "the event feed failed to start: " + ar.cause().getMessage());
                    } else {
                        s.start(ar.result(), since);
                    }
                }));
        return s;
    }

    /** Closes every subscriber (1001, with where to resume), then stops reading. */
    public Future<Void> stop() {
        map(vertx).remove(KEY);
        return hub.closeAll("conductor shutting down")
                .compose(v -> wakeup.stop())
                .compose(v -> readerDeployment == null ? Future.succeededFuture() : vertx.undeploy(readerDeployment))
                .recover(e -> Future.succeededFuture());
    }
}
