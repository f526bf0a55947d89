package io.anvil.events;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.anvil.util.Secrets;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
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
    public static final String COLUMNS =
            "seq, event_type, node_uuid, priority, publisher, payload::text AS payload, created_at";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");
    private static final String PUBLISHER_PREFIX = "anvil-conductor.";
    private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();

    private final long seq;
    private final String eventType;
    private final String level;
    private final String nodeUuid;
    private final String conductor;
    private final OffsetDateTime time;
    /** The payload as objects: given, or parsed from {@link #wire} only when someone asks for it. */
    private volatile JsonObject payload;
    /** The payload as read from the database, compacted and checked masked; null when built from objects. */
    private final PayloadText wire;

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
        // the outbox writes masked payloads; masking again on the way out costs one copy per event, not per subscriber
        this(
                seq,
                eventType,
                level,
                nodeUuid,
                conductor,
                time,
                Secrets.mask(payload == null ? new JsonObject() : payload),
                null);
    }

    private FeedEvent(
            long seq,
            String eventType,
            String level,
            String nodeUuid,
            String conductor,
            OffsetDateTime time,
            JsonObject payload,
            PayloadText wire) {
        this.seq = seq;
        this.eventType = eventType;
        this.level = level;
        this.nodeUuid = nodeUuid;
        this.conductor = conductor;
        this.time = time;
        this.payload = payload;
        this.wire = wire;
    }

    /**
     * An event as read with {@link #COLUMNS}. Its payload goes to the wire as the stored text, compacted, without
     * being built as objects ({@link PayloadText}); one that is not masked as stored is parsed and masked first.
     */
    public static FeedEvent of(Row row) {
        UUID node = row.getUUID("node_uuid");
        String publisher = row.getString("publisher");
        String conductor = publisher != null && publisher.startsWith(PUBLISHER_PREFIX)
                ? publisher.substring(PUBLISHER_PREFIX.length())
                : publisher;
        String json = row.getString("payload");
        PayloadText wire = json == null ? null : PayloadText.of(json);
        Object parsed = wire != null || json == null ? null : Json.decodeValue(json);
        JsonObject masked = wire != null ? null : Secrets.mask(parsed instanceof JsonObject o ? o : new JsonObject());
        return new FeedEvent(
                row.getLong("seq"),
                row.getString("event_type"),
                row.getString("priority"),
                node == null ? null : node.toString(),
                conductor,
                row.getOffsetDateTime("created_at"),
                masked,
                wire);
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
        boolean node = eventType.startsWith("baremetal.node.");
        if (wire != null) {
            return node ? wire.name : wire.nodeName;
        }
        return node ? payload.getString("name") : payload.getString("node_name");
    }

    public String owner() {
        return wire != null ? wire.owner : payload.getString("owner");
    }

    public String lessee() {
        return wire != null ? wire.lessee : payload.getString("lessee");
    }

    public String conductorGroup() {
        return wire != null ? wire.conductorGroup : payload.getString("conductor_group");
    }

    public String conductor() {
        return conductor;
    }

    /** Whether the payload goes to the wire as stored (not parsed and masked again). */
    boolean sendsStoredText() {
        return wire != null;
    }

    public JsonObject payload() {
        JsonObject p = payload;
        if (p == null) {
            p = new JsonObject(wire.compact);
            payload = p;
        }
        return p;
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
                .put("payload", payload());
    }

    /** The JSON text (one WebSocket text frame): what {@code toJson().encode()} gives, written directly. */
    public String text() {
        String t = text;
        if (t == null) {
            String payloadText = wire != null ? wire.compact : payload.encode();
            StringBuilder b = new StringBuilder(payloadText.length() + 256);
            b.append("{\"seq\":").append(seq);
            field(
                    b,
                    "time",
                    time == null
                            ? null
                            : time.withOffsetSameInstant(ZoneOffset.UTC).format(TIME));
            field(b, "event_type", eventType);
            field(b, "level", level);
            field(b, "node_uuid", nodeUuid);
            field(b, "node_name", nodeName());
            field(b, "conductor", conductor);
            t = b.append(",\"payload\":").append(payloadText).append('}').toString();
            text = t;
        }
        return t;
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":");
        if (value == null) {
            b.append("null");
        } else {
            b.append('"').append(ESCAPE.quoteAsString(value)).append('"');
        }
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
