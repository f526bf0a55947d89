package io.anvil.events;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The subscribers living on one event loop. Everything here runs on that loop's context: batches arrive in seq
 * order, and one timer per loop (not per subscriber) sends the keep-alives and closes idle clients.
 */
final class SubscriberGroup {
    private final Vertx vertx;
    private final Context context;
    private final FeedSettings settings;
    private final Future<SubscriberGroup> registered;
    private final Set<Subscriber> subscribers = new LinkedHashSet<>();
    private volatile long delivered = -1;
    private long timer = -1;

    SubscriberGroup(Vertx vertx, Context context, FeedSettings settings, Future<SubscriberGroup> registered) {
        this.vertx = vertx;
        this.context = context;
        this.settings = settings;
        this.registered = registered;
    }

    Context context() {
        return context;
    }

    Future<SubscriberGroup> registered() {
        return registered;
    }

    /** On the reader's context, before the first batch is sent here. */
    void startFrom(long horizon) {
        delivered = horizon;
    }

    void startTimers() {
        timer = vertx.setPeriodic(settings.keepalive().toMillis(), id -> tick());
    }

    /** The highest seq handed to this group's subscribers; later batches here hold only higher ones. */
    long delivered() {
        return delivered;
    }

    void deliver(List<FeedEvent> batch) {
        delivered = batch.get(batch.size() - 1).seq();
        for (Subscriber s : List.copyOf(subscribers)) {
            s.offer(batch);
        }
    }

    /** Adds {@code s}; returns the seq its live events start after (replay covers up to it). */
    long add(Subscriber s) {
        subscribers.add(s);
        return delivered;
    }

    void remove(Subscriber s) {
        subscribers.remove(s);
    }

    void closeAll(int code, String reason) {
        for (Subscriber s : new ArrayList<>(subscribers)) {
            s.close(code, reason);
        }
    }

    int size() {
        return subscribers.size();
    }

    private void tick() {
        long now = System.nanoTime();
        for (Subscriber s : List.copyOf(subscribers)) {
            s.keepAlive(now);
        }
    }

    void stopTimers() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
