package io.anvil.ipmi.client.impl;

import io.vertx.core.Vertx;
import java.util.PriorityQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retransmit deadlines of every request in flight, on one Vert.x timer armed for the earliest
 * (docs/ipmi.md#retransmits). A timer per request cost two cross-thread hops onto a Vert.x event loop per datagram
 * (schedule, then cancel when the answer came, which is almost always); here an answer only marks its deadline
 * cancelled, and the queue drops cancelled deadlines when they reach its head. With answers coming within
 * milliseconds and timeouts of a second, the timer fires about once per timeout period, whatever the rate.
 * Sessions' keepalives and idle closes wait on the same queue ({@code IpmiClientImpl.scheduleHousekeeping}).
 * Confined to the client's worker context.
 */
final class Deadlines {
    private static final Logger LOG = LoggerFactory.getLogger(Deadlines.class);

    /** One scheduled expiry; {@link #cancel()} is cheap and idempotent. */
    static final class Deadline {
        private final long atNanos;
        private final long order;
        private Runnable action;

        private Deadline(long atNanos, long order, Runnable action) {
            this.atNanos = atNanos;
            this.order = order;
            this.action = action;
        }

        void cancel() {
            action = null;
        }

        boolean cancelled() {
            return action == null;
        }
    }

    private final Vertx vertx;
    /** By time, then by scheduling order, so two deadlines of the same instant expire in the order they were set. */
    private final PriorityQueue<Deadline> queue = new PriorityQueue<>(
            (a, b) -> a.atNanos != b.atNanos ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.order, b.order));

    private long scheduled;
    private long timer = -1;
    private long armedAt;

    Deadlines(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Runs {@code action} on the worker context after {@code delayMillis} (≥ 1) unless cancelled first. */
    Deadline schedule(long delayMillis, Runnable action) {
        Deadline d = new Deadline(System.nanoTime() + Math.max(1, delayMillis) * 1_000_000L, scheduled++, action);
        queue.add(d);
        if (timer < 0 || d.atNanos - armedAt < 0) {
            arm(d.atNanos);
        }
        return d;
    }

    /** Deadlines queued, cancelled ones included until they reach the head (for tests). */
    int queued() {
        return queue.size();
    }

    /** Cancels the timer; pending deadlines never run (client shutdown). */
    void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        queue.clear();
    }

    private void arm(long atNanos) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        armedAt = atNanos;
        long ms = Math.max(1, (atNanos - System.nanoTime() + 999_999) / 1_000_000);
        timer = vertx.setTimer(ms, id -> {
            if (id == timer) {
                timer = -1;
                expire();
            }
        });
    }

    private void expire() {
        long now = System.nanoTime();
        Deadline head;
        while ((head = queue.peek()) != null && (head.cancelled() || head.atNanos - now <= 0)) {
            queue.poll();
            Runnable action = head.action;
            if (action != null) {
                head.action = null;
                try {
                    action.run(); // may schedule again: the next try's deadline
                } catch (RuntimeException e) {
                    // one request's failure must not strand the deadlines after it
                    LOG.warn("IPMI retransmit deadline failed: {}", e.toString());
                }
            }
        }
        if (head != null && (timer < 0 || head.atNanos - armedAt < 0)) {
            arm(head.atNanos); // an action may have armed the timer for a later deadline than the head's
        }
    }
}
