package io.anvil.events;

import io.vertx.core.json.JsonObject;

/**
 * Where a subscriber's events go: a WebSocket or an SSE response (api.EventsApi). Called only on the subscriber's
 * context; never blocks: {@link #writeQueueFull} tells the subscriber to buffer instead of writing.
 */
public interface FeedSink {
    void send(FeedEvent event);

    /** A control message ({@code "control"} key): subscribed, pong, closing. */
    void control(JsonObject message);

    boolean writeQueueFull();

    /** Called once when the queue has room again after {@link #writeQueueFull} was true. */
    void drainHandler(Runnable onDrain);

    void ping();

    /** Ends the connection after what was written (WebSocket close code; SSE just ends). */
    void close(int code);

    /** True when the client answers keep-alives (WebSocket pongs), so silence means it is gone. */
    boolean hearsClient();

    /** The transport's name in the feed's metrics: {@code websocket} or {@code sse}. */
    String transport();
}
