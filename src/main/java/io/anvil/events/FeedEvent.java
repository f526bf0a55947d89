package io.anvil.events;

import io.anvil.util.Secrets;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * One stored event as the feed hands it out (docs/events.md#event-objects). Encoded once, however many subscribers
 * receive it: the WebSocket text and the SSE message are built on first use and shared.
 */
public final class FeedEvent {
    /** The columns {@link #of(Row)} reads, in a SELECT list. */
    public static final String COLUMNS = "seq, event_type, node_uuid, priority, publisher, payload, created_at";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");
    private static final String PUBLISHER_PREFIX = "anvil-conductor.";

    private final long seq;
    private final String eventType;
    private final String level;
    private final String nodeUuid;
    private final String conductor;
    private final OffsetDateTime time;
    private final JsonObject payload;
    private volatile String text;
    private volatile Buffer sse;

    public FeedEvent(
            long seq,
            String eventType,
            String level,
            String nodeUuid,
            String conductor,
            OffsetDateTime time,
            JsonObject payload) {
        this.seq = seq;
        this.eventType = eventType;
        this.level = level;
        this.nodeUuid = nodeUuid;
        this.conductor = conductor;
        this.time = time;
        // the outbox writes masked payloads; masking again on the way out costs one copy per event, not per subscriber
        this.payload = Secrets.mask(payload == null ? new JsonObject() : payload);
    }

    public static FeedEvent of(Row row) {
        UUID node = row.getUUID("node_uuid");
        String publisher = row.getString("publisher");
        Object payload = row.getValue("payload");
        return new FeedEvent(
                row.getLong("seq"),
                row.getString("event_type"),
                row.getString("priority"),
                node == null ? null : node.toString(),
                publisher != null && publisher.startsWith(PUBLISHER_PREFIX)
                        ? publisher.substring(PUBLISHER_PREFIX.length())
                        : publisher,
                row.getOffsetDateTime("created_at"),
                payload instanceof JsonObject o ? o : new JsonObject());
    }

    public long seq() {
        return seq;
    }

    public String eventType() {
        return eventType;
    }

    public String level() {
        return level;
    }

    public String nodeUuid() {
        return nodeUuid;
    }

    /**
     * The node's name: a node event's payload {@code name}; a port's, portgroup's or volume connector's/target's
     * {@code node_name} (its own {@code name} is not the node's); null otherwise.
     */
    public String nodeName() {
        return eventType.startsWith("baremetal.node.") ? payload.getString("name") : payload.getString("node_name");
    }

    public String owner() {
        return payload.getString("owner");
    }

    public String conductorGroup() {
        return payload.getString("conductor_group");
    }

    public String conductor() {
        return conductor;
    }

    public JsonObject payload() {
        return payload;
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("seq", seq)
                .put(
                        "time",
                        time == null
                                ? null
                                : time.withOffsetSameInstant(ZoneOffset.UTC).format(TIME))
                .put("event_type", eventType)
                .put("level", level)
                .put("node_uuid", nodeUuid)
                .put("node_name", nodeName())
                .put("conductor", conductor)
                .put("payload", payload);
    }

    /** The JSON text (one WebSocket text frame). */
    public String text() {
        String t = text;
        if (t == null) {
            t = toJson().encode();
            text = t;
        }
        return t;
    }

    /** The Server-Sent Events message: {@code id} is the seq, no {@code event} field (EventSource.onmessage). */
    public Buffer sse() {
        Buffer b = sse;
        if (b == null) {
            b = Buffer.buffer("id: " + seq + "\ndata: " + text() + "\n\n");
            sse = b;
        }
        return b;
    }

    @Override
    public String toString() {
        return seq + " " + eventType + " " + nodeUuid;
    }
}
