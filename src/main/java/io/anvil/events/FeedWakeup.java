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
 * most one in flight, and at most one per {@code feed.notify_interval}, since each NOTIFY is a transaction of its own
 * with a commit to flush); every conductor LISTENs and wakes its reader, except for its own notifications (their
 * payload names the sender), which would only read again what its own wake-up read. A notification carries nothing
 * else: the reader reads the table, so a lost one only waits for the fallback poll.
 */
public final class FeedWakeup {
    static final String CHANNEL = "anvil_events";
    private static final Logger LOG = LoggerFactory.getLogger(FeedWakeup.class);

    private final Vertx vertx;
    private final SqlClient db;
    private final PgConnectOptions connect;
    /** Wakes this process's reader (asks for a read soon; coalesced by the reader). */
    private final Runnable wake;

    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final long intervalNanos;
    /** This process's notifications say so in their payload. */
    private final String self = java.util.UUID.randomUUID().toString();

    private final String notify;
    private volatile long lastSentNanos;
    private PgSubscriber subscriber;

    public FeedWakeup(Vertx vertx, SqlClient db, PgConnectOptions connect, Runnable wake, java.time.Duration interval) {
        this.vertx = vertx;
        this.db = db;
        this.connect = connect;
        this.wake = wake;
        this.intervalNanos = interval.toNanos();
        this.notify = "NOTIFY " + CHANNEL + ", '" + self + "'";
        this.lastSentNanos = System.nanoTime() - intervalNanos;
    }

    public Future<Void> start() {
        subscriber = PgSubscriber.subscriber(vertx, connect);
        // keep listening across database restarts; the fallback poll covers the gap
        subscriber.reconnectPolicy(retries -> 1000L);
        subscriber
                .channel(CHANNEL)
                .handler(payload -> {
                    if (!self.equals(payload)) {
                        wake.run();
                    }
                })
                .subscribeHandler(v -> wake.run());
        return subscriber.connect().recover(e -> {
            LOG.warn("event feed: LISTEN {} failed ({}); new events are found by polling only", CHANNEL, e.toString());
            return Future.succeededFuture();
        });
    }

    /** Events were committed by this process (any thread). */
    public void committed() {
        wake.run();
        dirty.set(true);
        sendIfIdle();
    }

    private void sendIfIdle() {
        if (!dirty.get() || !sending.compareAndSet(false, true)) {
            return;
        }
        long waitMs = (lastSentNanos + intervalNanos - System.nanoTime()) / 1_000_000;
        if (waitMs >= 1) {
            vertx.setTimer(waitMs, id -> send());
        } else {
            send();
        }
    }

    private void send() {
        dirty.set(false);
        lastSentNanos = System.nanoTime();
        db.query(notify).execute().onComplete(ar -> {
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
