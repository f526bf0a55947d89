package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.FreshDatabaseTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Events read back from PostgreSQL go to the wire as their stored text (FeedEvent, PayloadText): the frame must say
 * exactly what building the payload as objects and encoding it said, and a secret stored unmasked still leaves masked.
 */
class FeedEventTextTest extends FreshDatabaseTest {

    private FeedEvent storeAndRead(String eventType, JsonObject payload) {
        long seq = await(db.reads()
                .preparedQuery("INSERT INTO events (event_type, node_uuid, priority, publisher, payload)"
                        + " VALUES ($1, gen_random_uuid(), 'info', 'anvil-conductor.c1', $2) RETURNING seq")
                .execute(Tuple.of(eventType, payload))
                .map(rows -> rows.iterator().next().getLong(0)));
        List<FeedEvent> read = await(new EventStore(db.reads()).read(seq - 1, seq, FeedFilter.ALL, 10));
        assertEquals(1, read.size());
        return read.get(0);
    }

    /** The frame as the object path writes it: the same event built from the payload as stored, encoded by Jackson. */
    private static String asObjects(FeedEvent e) {
        return new FeedEvent(
                        e.seq(),
                        e.eventType(),
                        e.level(),
                        e.nodeUuid(),
                        e.conductor(),
                        java.time.OffsetDateTime.parse(new JsonObject(e.text()).getString("time")),
                        new JsonObject(e.payload().encode()))
                .text();
    }

    @Test
    void aStoredPayloadLeavesAsTheObjectPathWouldWriteIt() {
        JsonObject payload = new JsonObject()
                .put("name", "node-1")
                .put("owner", "p1")
                .put("lessee", "p2")
                .put("conductor_group", "rack4")
                .put("maintenance", false)
                .put("fault", null)
                .put("cpus", 64)
                .put("ratio", 0.25)
                .put("big", 12345678901234L)
                .put("text", "unicode é ✓ \"quoted\" back\\slash\nnew line, {braces} [brackets]: colons")
                .put(
                        "driver_info",
                        new JsonObject().put("ipmi_password", "******").put("ipmi_address", "10.0.0.1"))
                .put("traits", new JsonArray().add("CUSTOM_A").add(new JsonObject().put("deep", new JsonArray())));

        FeedEvent e = storeAndRead("baremetal.node.update.end", payload);

        assertTrue(e.sendsStoredText(), "masked as stored: sent as stored");
        assertEquals(asObjects(e), e.text(), "byte for byte what encoding the objects gives");
        JsonObject frame = new JsonObject(e.text());
        assertEquals(payload, frame.getJsonObject("payload"));
        assertEquals("node-1", frame.getString("node_name"));
        assertEquals("c1", frame.getString("conductor"));
        assertEquals("node-1", e.nodeName());
        assertEquals("p1", e.owner());
        assertEquals("p2", e.lessee());
        assertEquals("rack4", e.conductorGroup());
        assertTrue(FeedFilter.of(List.of("node-1"), List.of(), List.of(), "rack4", "p1")
                .matches(e));
        assertEquals(payload, e.payload());
    }

    @Test
    void aPortEventNamesItsNodeByNodeName() {
        FeedEvent e = storeAndRead(
                "baremetal.port.update.end",
                new JsonObject().put("name", "port-x").put("node_name", "node-9"));
        assertTrue(e.sendsStoredText());
        assertEquals("node-9", e.nodeName());
        assertEquals(asObjects(e), e.text());
    }

    @Test
    void aSecretStoredUnmaskedLeavesMasked() {
        JsonObject payload = new JsonObject()
                .put("name", "n")
                .put(
                        "driver_info",
                        new JsonObject().put("ipmi_password", "hunter2").put("ipmi_username", "admin"))
                .put("instance_info", new JsonObject().put("configdrive", new JsonObject().put("user_data", "x")));

        FeedEvent e = storeAndRead("baremetal.node.update.end", payload);

        assertTrue(!e.sendsStoredText(), "not masked as stored: parsed and masked");
        JsonObject sent = new JsonObject(e.text()).getJsonObject("payload");
        assertEquals("******", sent.getJsonObject("driver_info").getString("ipmi_password"));
        assertEquals("admin", sent.getJsonObject("driver_info").getString("ipmi_username"));
        assertEquals("******", sent.getJsonObject("instance_info").getString("configdrive"));
        assertTrue(!e.text().contains("hunter2") && !e.sse().toString().contains("hunter2"), e::text);
        assertEquals("n", e.nodeName());
    }

    @Test
    void aMissingTimeOrNodeIsWrittenAsNull() {
        FeedEvent e = new FeedEvent(7, "baremetal.conductor.x", "info", null, null, null, new JsonObject(Map.of()));
        JsonObject frame = new JsonObject(e.text());
        assertNull(frame.getValue("time"));
        assertTrue(frame.containsKey("node_uuid") && frame.getValue("node_uuid") == null);
        assertEquals(e.toJson().encode(), e.text());
    }
}
