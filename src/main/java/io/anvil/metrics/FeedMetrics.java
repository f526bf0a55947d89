package io.anvil.metrics;

/**
 * The event feed (WebSocket and SSE subscribers). The feed registers itself: one {@link #transport} per kind of
 * connection, then {@code opened()}/{@code closed()} per subscriber and {@code sent()}/{@code dropped()} per event.
 * Series: {@code anvil_feed_subscribers{transport}}, {@code anvil_feed_events_sent_total{transport}},
 * {@code anvil_feed_events_dropped_total{transport}} (docs/operations.md).
 */
public interface FeedMetrics {

    Transport transport(String name);

    interface Transport {
        void opened();

        void closed();

        void sent();

        /** An event not delivered to a subscriber (a slow consumer's buffer was full). */
        void dropped();
    }
}
