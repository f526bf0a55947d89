package io.anvil.events;

import io.anvil.metrics.FeedMetrics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One feed connection (docs/events.md#backpressure). Starts by replaying stored events after its {@code since} up to
 * where its group's live stream begins, keeping the live events that arrive meanwhile, then goes live: no gap and
 * no duplicate at the seam. A sink that cannot take more queues up to {@code feed.subscriber_buffer} events; past
 * that the subscriber is closed with the seq to resume from, and nobody else waits for it. Runs on its own context.
 */
public final class Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);

    private enum State {
        STARTING,
        REPLAYING,
        LIVE,
        CLOSED
    }

    private final FeedSink sink;
    private final EventStore store;
    private final FeedSettings settings;
    private final String client;
    private final Runnable onClosed;
    private final FeedMetrics.Transport metrics;
    private final ArrayDeque<FeedEvent> queue = new ArrayDeque<>();
    private SubscriberGroup group;
    private FeedFilter filter;
    private State state = State.STARTING;
    /** Everything up to here was sent or filtered out: where a resume continues. */
    private long position;
    /** The seq the live stream starts after; a replay covers up to it. */
    private long liveFrom;

    private long lastHeard = System.nanoTime();
    /**
     * When this subscriber's next keep-alive is due. The first comes after a random part of one more interval, so
     * thousands of subscribers that connected together are not all pinged in one event-loop turn (a burst of
     * thousands of frames delays the events queued behind it).
     */
    private long nextPing;

    Subscriber(
            FeedSink sink,
            EventStore store,
            FeedSettings settings,
            FeedFilter filter,
            String client,
            FeedMetrics.Transport metrics,
            Runnable onClosed) {
        this.sink = sink;
        this.metrics = metrics;
        this.store = store;
        this.settings = settings;
        this.filter = filter;
        this.client = client;
        this.onClosed = onClosed;
        long keepalive = settings.keepalive().toNanos();
        this.nextPing = lastHeard
                + keepalive
                + java.util.concurrent.ThreadLocalRandom.current().nextLong(keepalive);
        sink.drainHandler(this::drain);
        metrics.opened();
    }

    private void send(FeedEvent e) {
        sink.send(e);
        metrics.sent();
    }

    String client() {
        return client;
    }

    /**
     * Joins {@code g}: live events after {@code g.delivered()}; {@code since} (null: live only) replays stored events
     * first.
     */
    void start(SubscriberGroup g, Long since) {
        if (state == State.CLOSED) {
            return;
        }
        group = g;
        liveFrom = g.add(this);
        if (since == null || since >= liveFrom) {
            position = since == null ? liveFrom : since;
            state = State.LIVE;
            return;
        }
        position = since;
        state = State.REPLAYING;
        replayPage();
    }

    /** The client said something (any frame): it is alive. */
    public void heard() {
        lastHeard = System.nanoTime();
    }

    /** A subscribe message: the new filters apply to every event not yet queued. */
    public void filter(FeedFilter f) {
        filter = f;
        if (group != null && state != State.CLOSED) {
            group.refiltered(this);
        }
    }

    public FeedFilter filter() {
        return filter;
    }

    /**
     * Where a resume continues: every event up to it was sent or did not pass the filters. A live subscriber with
     * nothing queued has seen (or, by the group's node index, not been offered) everything the group delivered.
     */
    public long position() {
        if (state == State.LIVE && queue.isEmpty() && group != null) {
            return Math.max(position, group.delivered());
        }
        return position;
    }

    public boolean closed() {
        return state == State.CLOSED;
    }

    /** A live batch (seq order, all above the group's previous delivery). */
    void offer(List<FeedEvent> batch) {
        for (FeedEvent e : batch) {
            if (state == State.CLOSED) {
                return;
            }
            if (state == State.REPLAYING || state == State.STARTING) {
                // the replay reads the database up to liveFrom; what comes after waits here, in order
                queue.add(e);
                if (queue.size() > settings.subscriberBuffer()) {
                    closeTooSlow();
                }
                continue;
            }
            accept(e);
        }
    }

    private void accept(FeedEvent e) {
        if (e.seq() <= position) {
            return; // already sent (the replay reached past it)
        }
        if (!filter.matches(e)) {
            if (queue.isEmpty()) {
                position = e.seq();
            }
            return;
        }
        if (queue.isEmpty() && !sink.writeQueueFull()) {
            send(e);
            position = e.seq();
            return;
        }
        queue.add(e);
        if (queue.size() > settings.subscriberBuffer()) {
            closeTooSlow();
        }
    }

    private void drain() {
        if (state == State.REPLAYING) {
            replayPage();
            return;
        }
        if (state != State.LIVE) {
            return;
        }
        while (!queue.isEmpty() && !sink.writeQueueFull()) {
            FeedEvent e = queue.poll();
            if (e.seq() <= position) {
                continue;
            }
            if (filter.matches(e)) {
                send(e);
            }
            position = e.seq();
        }
        if (!queue.isEmpty()) {
            sink.drainHandler(this::drain);
        }
    }

    /** Sends one page of stored events, then the next once the sink has room, then goes live. */
    private void replayPage() {
        if (state != State.REPLAYING) {
            return;
        }
        int limit = settings.batchSize();
        long from = position;
        Future<List<FeedEvent>> page = store.read(from, liveFrom, filter, limit);
        page.onComplete(ar -> {
            if (state != State.REPLAYING) {
                return;
            }
            if (ar.failed()) {
                LOG.warn(
                        "event feed: replay for {} after {} failed: {}",
                        client,
                        from,
                        ar.cause().toString());
                close(1011, "replay failed: " + ar.cause().getMessage());
                return;
            }
            List<FeedEvent> events = ar.result();
            for (FeedEvent e : events) {
                send(e);
                position = e.seq();
            }
            if (events.size() < limit) {
                position = Math.max(position, liveFrom);
                state = State.LIVE;
                drainQueued();
            } else if (sink.writeQueueFull()) {
                sink.drainHandler(this::drain);
            } else {
                replayPage();
            }
        });
    }

    /** After the replay: the live events that waited, through the same path as new ones. */
    private void drainQueued() {
        ArrayDeque<FeedEvent> waiting = new ArrayDeque<>(queue);
        queue.clear();
        for (FeedEvent e : waiting) {
            if (state != State.LIVE) {
                return;
            }
            accept(e);
        }
    }

    /** Its slot on its group's timer wheel; -1 when on none (owned by the group, on its loop). */
    int wheelSlot = -1;

    /** When the next keep-alive is due ({@link System#nanoTime()}). */
    long nextPing() {
        return nextPing;
    }

    /** Group timer: a keep-alive when one is due, or the end of a client that stopped answering. */
    void keepAlive(long now) {
        keepAlive(now, 0);
    }

    /**
     * Like {@link #keepAlive(long)}, counting a keep-alive due within {@code slack} nanoseconds as due now: the
     * group's timer visits each subscriber once per round, at about the time its keep-alive is due, and a visit a
     * little early must not put it off for a whole round.
     */
    void keepAlive(long now, long slack) {
        if (state == State.CLOSED) {
            return;
        }
        long idle = settings.idleTimeout().toNanos();
        if (sink.hearsClient() && idle > 0 && now - lastHeard > idle) {
            close(
                    1008,
                    "idle: no frame from the client in "
                            + settings.idleTimeout().toSeconds() + " s");
            return;
        }
        if (now - nextPing >= -slack) {
            nextPing = now + settings.keepalive().toNanos();
            sink.ping();
        }
    }

    private void closeTooSlow() {
        if (state != State.CLOSED) {
            metrics.cutOff(queue.size());
        }
        close(1008, "subscriber too slow: buffer of " + settings.subscriberBuffer() + " events full");
    }

    /** Tells the client why and where to resume, then closes (1008 policy/lag, 1001 shutdown, 1011 error). */
    public void close(int code, String reason) {
        closeAt(position(), code, reason);
    }

    /**
     * Offering a batch failed part-way (the group has already counted the batch as delivered, so {@link #position()}
     * would skip its unsent rest): closes 1011, resuming after the last event actually sent or passed.
     */
    void failed(RuntimeException e) {
        closeAt(position, 1011, "delivery failed: " + e.getMessage());
    }

    private void closeAt(long resumeFrom, int code, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        queue.clear();
        try {
            sink.control(new JsonObject()
                    .put("control", "closing")
                    .put("reason", reason)
                    .put("resume_from", resumeFrom));
            sink.close(code);
        } catch (RuntimeException e) {
            LOG.debug("event feed: closing {}: {}", client, e.toString());
        }
        detach();
    }

    /** The connection ended on the client's side. */
    public void gone() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        queue.clear();
        detach();
    }

    private void detach() {
        metrics.closed();
        if (group != null) {
            group.remove(this);
        }
        onClosed.run();
    }
}
