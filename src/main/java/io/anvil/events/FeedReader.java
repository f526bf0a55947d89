package io.anvil.events;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one reader of new events in a conductor process (docs/events.md#across-conductors). Woken by a notification
 * (ours or another conductor's) or by the fallback poll, it advances the {@link CommitHorizon}, reads every event up
 * to it in seq order and hands each batch to the {@link FeedHub}. PostgreSQL is the source of truth: a lost
 * notification only delays delivery until the next poll. Runs on its own context; one read at a time.
 */
public final class FeedReader extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(FeedReader.class);
    private static final long FIRST_RETRY_MS = 2;
    private static final long MAX_RETRY_MS = 50;

    private final EventStore store;
    private final FeedHub hub;
    private final FeedSettings settings;
    private final Promise<Void> ready = Promise.promise();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private volatile Context readerContext;
    private CommitHorizon horizon;
    private long cursor = -1;
    private boolean reading;
    private boolean again;
    private long retryMs = FIRST_RETRY_MS;
    private long retryTimer = -1;
    private long fallbackTimer = -1;
    private boolean stopped;
    private long failures;
    private volatile long reads;

    public FeedReader(EventStore store, FeedHub hub, FeedSettings settings) {
        this.store = store;
        this.hub = hub;
        this.settings = settings;
    }

    @Override
    public Future<?> start() {
        readerContext = context;
        hub.attach(context);
        fallbackTimer = vertx.setPeriodic(settings.pollInterval().toMillis(), id -> read());
        read();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        vertx.cancelTimer(fallbackTimer);
        vertx.cancelTimer(retryTimer);
        return Future.succeededFuture();
    }

    /** Completes once the first horizon is known: subscribers start from there. */
    public Future<Void> ready() {
        return ready.future();
    }

    /** Asks for a read soon; from any thread, coalesced. */
    public void wake() {
        Context c = readerContext;
        if (c != null && wakeQueued.compareAndSet(false, true)) {
            c.runOnContext(v -> {
                wakeQueued.set(false);
                read();
            });
        }
    }

    /** The highest seq read and handed out (all events up to it are settled); -1 before {@link #ready}. */
    long cursor() {
        return cursor;
    }

    /** Reads completed so far (a read that starts after a commit has seen it). */
    public long reads() {
        return reads;
    }

    private void read() {
        if (stopped) {
            return;
        }
        if (reading) {
            again = true;
            return;
        }
        reading = true;
        again = false;
        store.mark()
                .map(mark -> {
                    if (horizon == null) {
                        horizon = new CommitHorizon(-1);
                    }
                    return horizon.observe(mark.lastAssigned(), mark.inFlight());
                })
                .compose(this::readUpTo)
                .onComplete(ar -> {
                    reading = false;
                    reads++;
                    if (ar.failed()) {
                        if (failures++ % 100 == 0) {
                            LOG.warn(
                                    "event feed: reading new events failed ({} times so far): {}",
                                    failures,
                                    ar.cause().toString());
                        }
                        return; // the fallback poll tries again
                    }
                    failures = 0;
                    if (again || Boolean.TRUE.equals(ar.result())) {
                        read();
                    } else if (horizon != null && horizon.waiting()) {
                        retrySoon();
                    } else {
                        retryMs = FIRST_RETRY_MS;
                    }
                });
    }

    /** Reads and publishes events up to {@code settled}; true when a full batch suggests more are waiting. */
    private Future<Boolean> readUpTo(long settled) {
        if (settled < 0) {
            return Future.succeededFuture(false);
        }
        if (cursor < 0) {
            // the first horizon: the feed starts here, older events are history (replayed on request)
            cursor = settled;
            hub.advance(List.of(), cursor);
            ready.tryComplete();
            return Future.succeededFuture(false);
        }
        if (settled <= cursor) {
            return Future.succeededFuture(false);
        }
        int batch = settings.batchSize();
        return store.read(cursor, settled, FeedFilter.ALL, batch).map(events -> {
            boolean full = events.size() == batch;
            cursor = full ? events.get(events.size() - 1).seq() : settled;
            hub.advance(events, cursor);
            return full;
        });
    }

    private void retrySoon() {
        if (retryTimer >= 0) {
            return; // one is already due
        }
        retryTimer = vertx.setTimer(retryMs, id -> {
            retryTimer = -1;
            read();
        });
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
    }
}
