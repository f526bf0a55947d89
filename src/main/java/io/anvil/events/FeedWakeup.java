package io.anvil.events;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.SqlClient;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the readers of every conductor when events were committed (docs/events.md#across-conductors): after a
 * transaction that wrote events commits, this process wakes its own reader and sends {@code NOTIFY anvil_events}
 * (outside that transaction, so commits are not serialised on PostgreSQL's notification queue, and coalesced: at
 * most one in flight); every conductor LISTENs and wakes its reader. A notification carries nothing: the reader
 * reads the table, so a lost one only waits for the fallback poll.
 */
public final class FeedWakeup {
    static final String CHANNEL = "anvil_events";
    private static final Logger LOG = LoggerFactory.getLogger(FeedWakeup.class);

    private final Vertx vertx;
    private final SqlClient db;
    private final PgConnectOptions connect;
    private final FeedReader reader;
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean dirty = new AtomicBoolean();
    private PgSubscriber subscriber;

    public FeedWakeup(Vertx vertx, SqlClient db, PgConnectOptions connect, FeedReader reader) {
        this.vertx = vertx;
        this.db = db;
        this.connect = connect;
        this.reader = reader;
    }

    public Future<Void> start() {
        subscriber = PgSubscriber.subscriber(vertx, connect);
        // keep listening across database restarts; the fallback poll covers the gap
        subscriber.reconnectPolicy(retries -> 1000L);
        subscriber.channel(CHANNEL).handler(payload -> reader.wake()).subscribeHandler(v -> reader.wake());
        return subscriber.connect().recover(e -> {
            LOG.warn("event feed: LISTEN {} failed ({}); new events are found by polling only", CHANNEL, e.toString());
            return Future.succeededFuture();
        });
    }

    /** Events were committed by this process (any thread). */
    public void committed() {
        reader.wake();
        dirty.set(true);
        sendIfIdle();
    }

    private void sendIfIdle() {
        if (!dirty.get() || !sending.compareAndSet(false, true)) {
            return;
        }
        dirty.set(false);
        db.query("NOTIFY " + CHANNEL).execute().onComplete(ar -> {
            if (ar.failed()) {
                LOG.debug("event feed: NOTIFY failed: {}", ar.cause().toString());
            }
            sending.set(false);
            sendIfIdle();
        });
    }

    public Future<Void> stop() {
        return subscriber == null ? Future.succeededFuture() : subscriber.close();
    }
}
