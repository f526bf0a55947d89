package io.anvil.metrics;

/**
 * The event feed (WebSocket and SSE subscribers). The feed registers itself: one {@link #transport} per kind of
 * connection ({@code websocket}, {@code sse}), then {@code opened()}/{@code closed()} per subscriber, {@code sent()}
 * per event delivered and {@code cutOff(dropped)} when a subscriber too slow to keep up is closed. Series:
 * {@code anvil_feed_subscribers{transport}}, {@code anvil_feed_events_sent_total{transport}},
 * {@code anvil_feed_events_dropped_total{transport}}, {@code anvil_feed_cutoffs_total{transport}}, and
 * {@code anvil_feed_events_missed_total} (docs/operations.md).
 */
public interface FeedMetrics {

    Transport transport(String name);

    /**
     * The gap audit found {@code events} committed after the feed had passed their sequence numbers: no live
     * subscriber got them (docs/events.md#the-gap-audit). Should stay at zero.
     */
    void missed(int events);

    interface Transport {
        void opened();

        void closed();

        void sent();

        /**
         * A subscriber whose buffer was full was closed; {@code dropped} events it had buffered (and the one that did
         * not fit) were not delivered to it — it resumes from where it was cut off.
         */
        void cutOff(int dropped);
    }
}
