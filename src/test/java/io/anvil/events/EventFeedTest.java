package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * GET /v1/events (docs/events.md) against one real conductor: every state change of the provisioning, power,
 * maintenance and step flows arrives once and in order, filters, the live subscribe message, the JSON page,
 * resume after a disconnect and a transaction that commits after a later one.
 */
class EventFeedTest extends FeedTestBase {

    /** Every stored event matching {@code which}, read page by page (the REST form of the feed). */
    List<JsonObject> stored(String query, Predicate<JsonObject> which) {
        List<JsonObject> out = new ArrayList<>();
        long since = 0;
        while (true) {
            JsonObject page = get("/v1/events?limit=1000&since=" + since + (query.isEmpty() ? "" : "&" + query))
                    .json();
            JsonArray events = page.getJsonArray("events");
            events.forEach(e -> {
                if (which.test((JsonObject) e)) {
                    out.add((JsonObject) e);
                }
            });
            if (events.size() < 1000) {
                return out;
            }
            since = page.getLong("next");
        }
    }

    static List<Long> seqs(List<JsonObject> events) {
        return events.stream().map(e -> e.getLong("seq")).toList();
    }

    static List<String> types(List<JsonObject> events) {
        return events.stream().map(e -> e.getString("event_type")).toList();
    }

    /** Waits until the subscriber got exactly the stored events matching {@code which}, in seq order. */
    void awaitSame(FeedTestClient c, String query, Predicate<JsonObject> which, String what) {
        Conditions.await(vertx, what, FeedTestClient.WAIT, Duration.ofMillis(50), () -> {
            List<Long> expected = seqs(stored(query, which));
            List<Long> got = c.seqs();
            return !expected.isEmpty() && got.equals(expected);
        });
    }

    @Test
    void everyStateChangeOfProvisioningPowerMaintenanceAndStepsArrivesOnceInPerNodeOrder() {
        FeedTestClient c = subscribe("node=flow-1");
        String uuid = createNode("flow-1", null);
        provision(uuid, "manage");
        awaitState(uuid, "manageable");
        expect(202, HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", "power on"));
        awaitPower(uuid, "power on");
        expect(202, HttpMethod.PUT, "/v1/nodes/" + uuid + "/maintenance", new JsonObject().put("reason", "disk swap"));
        expect(202, HttpMethod.DELETE, "/v1/nodes/" + uuid + "/maintenance", null);
        expect(
                202,
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/states/provision",
                new JsonObject()
                        .put("target", "clean")
                        .put(
                                "clean_steps",
                                new JsonArray()
                                        .add(new JsonObject()
                                                .put("interface", "deploy")
                                                .put("step", "erase_devices_metadata"))
                                        .add(new JsonObject()
                                                .put("interface", "deploy")
                                                .put("step", "erase_devices"))));
        awaitState(uuid, "manageable");
        provision(uuid, "provide");
        awaitState(uuid, "available");
        provision(uuid, "active");
        awaitState(uuid, "active");
        expect(202, HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/power", new JsonObject().put("target", "power off"));
        awaitPower(uuid, "power off");

        Predicate<JsonObject> mine = e -> uuid.equals(e.getString("node_uuid"));
        awaitSame(c, "", mine, "the subscriber has every event of the node, once, in seq order");
        List<JsonObject> got = c.events();
        assertEquals(new HashSet<>(seqs(got)).size(), got.size(), "no duplicate");
        List<String> types = types(got);
        assertEquals("baremetal.node.create.end", types.get(0), types::toString);
        for (String t : List.of(
                "baremetal.node.provision_set.start",
                "baremetal.node.provision_set.end",
                "baremetal.node.power_set.start",
                "baremetal.node.power_set.end",
                "baremetal.node.maintenance_set.start",
                "baremetal.node.maintenance_set.end",
                "baremetal.node.clean_step.start",
                "baremetal.node.clean_steps.end")) {
            assertTrue(types.contains(t), t + " in " + types);
        }
        // the provision states follow each other: each transition's previous state is the state before it
        String state = null;
        for (JsonObject e : got) {
            JsonObject p = e.getJsonObject("payload");
            assertEquals("flow-1", e.getString("node_name"), e::encode);
            assertNotNull(e.getString("time"), e::encode);
            assertTrue(
                    e.getString("time").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00"),
                    e::encode);
            assertEquals(anvil.anvil().config().conductor().hostname(), e.getString("conductor"), e::encode);
            if (e.getString("event_type").startsWith("baremetal.node.provision_set.") && state != null) {
                assertEquals(state, p.getString("previous_provision_state"), e::encode);
            }
            state = p.getString("provision_state");
        }
        assertEquals("active", state);
        JsonObject powerOn = got.stream()
                .filter(e -> e.getString("event_type").equals("baremetal.node.power_set.end")
                        && "power on".equals(e.getJsonObject("payload").getString("power_state")))
                .findFirst()
                .orElseThrow();
        assertEquals(
                anvil.anvil().config().conductor().hostname(),
                powerOn.getJsonObject("payload").getString("reservation"),
                "the lock holder");
        assertTrue(powerOn.getJsonObject("payload").containsKey("previous_power_state"), powerOn::encode);
        JsonObject maintenance = got.stream()
                .filter(e -> e.getString("event_type").equals("baremetal.node.maintenance_set.end"))
                .findFirst()
                .orElseThrow();
        assertEquals(true, maintenance.getJsonObject("payload").getBoolean("maintenance"));
        assertEquals("disk swap", maintenance.getJsonObject("payload").getString("maintenance_reason"));
        List<JsonObject> steps = got.stream()
                .filter(e -> e.getString("event_type").equals("baremetal.node.clean_step.start"))
                .toList();
        assertEquals(2, steps.size(), types::toString);
        assertEquals(
                "erase_devices_metadata",
                steps.get(0)
                        .getJsonObject("payload")
                        .getJsonObject("clean_step")
                        .getString("step"));
        assertEquals(
                List.of(0, 1),
                steps.stream()
                        .map(s -> s.getJsonObject("payload").getInteger("step_index"))
                        .toList());
        c.close();
    }

    @Test
    void secretsAreMaskedAndPortEventsArrive() {
        FeedTestClient c = subscribe("type=baremetal.node.create.end,baremetal.port.*");
        String uuid = createNode(
                "secret-1",
                new JsonObject()
                        .put(
                                "driver_info",
                                new JsonObject().put("ipmi_password", "hunter2").put("ipmi_username", "u")));
        String port = expect(
                        201,
                        HttpMethod.POST,
                        "/v1/ports",
                        new JsonObject().put("node_uuid", uuid).put("address", "52:54:00:00:00:01"))
                .json()
                .getString("uuid");
        expect(
                200,
                HttpMethod.PATCH,
                "/v1/ports/" + port,
                new JsonArray()
                        .add(new JsonObject()
                                .put("op", "add")
                                .put("path", "/extra/rack")
                                .put("value", "r1")));
        expect(204, HttpMethod.DELETE, "/v1/ports/" + port, null);
        List<JsonObject> got = c.awaitEvents(
                4,
                e -> uuid.equals(e.getString("node_uuid")),
                "the node's create and its port's create, update and delete");
        assertEquals(
                List.of(
                        "baremetal.node.create.end",
                        "baremetal.port.create.end",
                        "baremetal.port.update.end",
                        "baremetal.port.delete.end"),
                types(got));
        String text = got.get(0).encode();
        assertFalse(text.contains("hunter2"), text);
        assertEquals(
                "******",
                got.get(0).getJsonObject("payload").getJsonObject("driver_info").getString("ipmi_password"));
        assertEquals("52:54:00:00:00:01", got.get(1).getJsonObject("payload").getString("address"));
        c.close();
    }

    @Test
    void childEventsCarryTheirNodeAndMatchItsFilters() {
        FeedTestClient byName = subscribe("node=child-a&type=baremetal.port*,baremetal.volume*");
        FeedTestClient byOwner = subscribe("owner=proj-child&type=baremetal.port*,baremetal.volume*");
        String a = createNode("child-a", new JsonObject().put("owner", "proj-child"));
        String other = createNode("child-b", null);
        String pg = expect(201, HttpMethod.POST, "/v1/portgroups", new JsonObject().put("node_uuid", a))
                .json()
                .getString("uuid");
        expect(
                201,
                HttpMethod.POST,
                "/v1/ports",
                new JsonObject()
                        .put("node_uuid", a)
                        .put("address", "52:54:00:0d:00:01")
                        .put("portgroup_uuid", pg));
        expect(
                201,
                HttpMethod.POST,
                "/v1/ports",
                new JsonObject().put("node_uuid", other).put("address", "52:54:00:0d:00:02"));
        String connector = expect(
                        201,
                        HttpMethod.POST,
                        "/v1/volume/connectors",
                        new JsonObject()
                                .put("node_uuid", a)
                                .put("type", "iqn")
                                .put("connector_id", "iqn.2026-12.io.anvil:child-a"))
                .json()
                .getString("uuid");
        expect(
                200,
                HttpMethod.PATCH,
                "/v1/volume/connectors/" + connector,
                new JsonArray()
                        .add(new JsonObject()
                                .put("op", "add")
                                .put("path", "/extra/k")
                                .put("value", "v")));
        expect(204, HttpMethod.DELETE, "/v1/volume/connectors/" + connector, null);
        String target = expect(
                        201,
                        HttpMethod.POST,
                        "/v1/volume/targets",
                        new JsonObject()
                                .put("node_uuid", a)
                                .put("volume_type", "iscsi")
                                .put("volume_id", "vol-child")
                                .put("boot_index", 0))
                .json()
                .getString("uuid");
        expect(204, HttpMethod.DELETE, "/v1/volume/targets/" + target, null);

        List<String> expected = List.of(
                "baremetal.portgroup.create.end",
                "baremetal.port.create.end",
                "baremetal.volumeconnector.create.end",
                "baremetal.volumeconnector.update.end",
                "baremetal.volumeconnector.delete.end",
                "baremetal.volumetarget.create.end",
                "baremetal.volumetarget.delete.end");
        for (FeedTestClient c : List.of(byName, byOwner)) {
            List<JsonObject> got = c.awaitEvents(expected.size(), e -> true, "child-a's children's events");
            assertEquals(expected, types(got));
            for (JsonObject e : got) {
                assertEquals(a, e.getString("node_uuid"), e::encode);
                assertEquals("child-a", e.getString("node_name"), e::encode);
                assertEquals("proj-child", e.getJsonObject("payload").getString("owner"), e::encode);
            }
            c.close();
        }
        // the JSON page applies the same filter in SQL
        assertEquals(expected, types(stored("node=child-a&type=baremetal.port*,baremetal.volume*", e -> true)));
    }

    @Test
    void filtersSelectByNodeNameWildcardTypeLevelOwnerAndConductorGroup() throws Exception {
        FeedTestClient byName = subscribe("node=filter-a");
        FeedTestClient byType = subscribe("type=baremetal.node.power_*");
        FeedTestClient byLevel = subscribe("level=error");
        FeedTestClient byOwner = subscribe("owner=project-1");
        FeedTestClient byGroup = subscribe("conductor_group=rack-7&type=*.create.end");
        String a = createNode("filter-a", new JsonObject().put("owner", "project-1"));
        String b = createNode("filter-b", null);
        createNode("filter-c", null);
        expect(202, HttpMethod.PUT, "/v1/nodes/" + a + "/states/power", new JsonObject().put("target", "power on"));
        awaitPower(a, "power on");
        try (Connection c = jdbc()) {
            insertEvent(c, "baremetal.node.power_set.error", b, "error", new JsonObject().put("name", "filter-b"));
            // a node of a conductor group no conductor of this test serves: its create event as the outbox writes it
            insertEvent(
                    c,
                    "baremetal.node.create.end",
                    java.util.UUID.randomUUID().toString(),
                    "info",
                    new JsonObject().put("name", "filter-d").put("conductor_group", "rack-7"));
        }
        Predicate<JsonObject> ours = e ->
                e.getString("node_name") != null && e.getString("node_name").startsWith("filter-");
        awaitSame(byName, "", e -> ours.test(e) && "filter-a".equals(e.getString("node_name")), "by name");
        awaitSame(
                byType,
                "",
                e -> ours.test(e) && e.getString("event_type").startsWith("baremetal.node.power_"),
                "by type pattern");
        awaitSame(byLevel, "", e -> ours.test(e) && "error".equals(e.getString("level")), "by level");
        awaitSame(
                byOwner,
                "",
                e -> ours.test(e)
                        && "project-1".equals(e.getJsonObject("payload").getString("owner")),
                "by owner");
        awaitSame(
                byGroup,
                "",
                e -> ours.test(e)
                        && "rack-7".equals(e.getJsonObject("payload").getString("conductor_group"))
                        && e.getString("event_type").endsWith(".create.end"),
                "by conductor group and type");
        assertEquals(1, byGroup.events().size(), byGroup.events()::toString);
        // the JSON page applies the same filters in SQL
        assertEquals(
                byType.seqs(), seqs(stored("type=baremetal.node.power_*&node=filter-a,filter-b,filter-c", e -> true)));
        assertEquals(byName.seqs(), seqs(stored("node=" + a, e -> true)), "a uuid selects what the name does");
        for (FeedTestClient c : List.of(byName, byType, byLevel, byOwner, byGroup)) {
            c.close();
        }
    }

    @Test
    void aLiveSubscribeMessageReplacesTheFilters() {
        FeedTestClient c = subscribe("type=baremetal.node.create.end&node=sub-x");
        // a live start that has seen nothing yet learns where it stands from the pong
        FeedTestClient quiet = subscribe("type=baremetal.node.create.end&node=sub-z");
        String x = createNode("sub-x", null);
        long created = c.awaitEvents(1, e -> true, "the create of sub-x").get(0).getLong("seq");
        c.send(new JsonObject().put("ping", 1));
        assertTrue(c.awaitControl("pong").getLong("resume_from") >= created, "the pong names where to resume");
        Conditions.await(
                vertx, "the quiet subscriber passed sub-x's create", FeedTestClient.WAIT, Duration.ofMillis(20), () -> {
                    quiet.send(new JsonObject().put("ping", 1));
                    return quiet.awaitControl("pong").getLong("resume_from") >= created;
                });
        quiet.close();
        String z = createNode("sub-z", null);
        FeedTestClient resumed = subscribe("type=baremetal.node.create.end&node=sub-z&since=" + created);
        assertEquals(
                z,
                resumed.awaitEvents(1, e -> true, "sub-z's create after the resume")
                        .get(0)
                        .getString("node_uuid"));
        resumed.close();
        c.send(new JsonObject().put("subscribe", new JsonObject().put("level", new JsonArray().add("loud"))));
        assertTrue(c.awaitControl("error").getString("message").contains("loud"));
        c.send(new JsonObject()
                .put(
                        "subscribe",
                        new JsonObject().put("type", new JsonArray().add("baremetal.node.maintenance_set.*"))));
        JsonObject subscribed = c.awaitControl("subscribed");
        assertTrue(subscribed.getLong("resume_from") >= created, subscribed::encode);
        assertEquals(
                List.of("baremetal.node.maintenance_set.*"),
                subscribed.getJsonObject("filters").getJsonArray("type").getList());
        createNode("sub-y", null);
        expect(202, HttpMethod.PUT, "/v1/nodes/" + x + "/maintenance", new JsonObject().put("reason", "r"));
        List<JsonObject> got = c.awaitEvents(3, e -> true, "the create, then the two maintenance events");
        assertEquals(
                List.of(
                        "baremetal.node.create.end",
                        "baremetal.node.maintenance_set.start",
                        "baremetal.node.maintenance_set.end"),
                types(got),
                "sub-y's create (made before the maintenance) did not pass the new filters");
        c.close();
    }

    @Test
    void badFiltersAndSinceAre400() {
        assertTrue(call(HttpMethod.GET, "/v1/events?level=loud", null, Map.of())
                .fault()
                .contains("loud"));
        assertEquals(400, get("/v1/events?since=-3").status());
        assertEquals(400, get("/v1/events?since=abc").status());
        assertEquals(400, get("/v1/events?type=bad%20type").status());
        assertEquals(400, get("/v1/events?limit=1001").status());
        Resp sse =
                call(HttpMethod.GET, "/v1/events", null, Map.of("Accept", "text/event-stream", "Last-Event-ID", "x"));
        assertEquals(400, sse.status());
        assertTrue(sse.fault().contains("Last-Event-ID"), sse.fault());
        Throwable ws = FeedTestClient.refused(vertx, anvil.port(), "level=loud");
        assertTrue(ws.getMessage().contains("400"), ws.toString());
    }

    @Test
    void aClientThatDisconnectsDuringABurstResumesWithEverythingItMissed() throws Exception {
        String node = createNode("burst-1", null);
        FeedTestClient first = subscribe("node=" + node);
        int total = 400;
        Thread writer = new Thread(() -> {
            try (Connection c = jdbc()) {
                for (int i = 0; i < total; i++) {
                    insertEvent(c, "baremetal.node.update.end", node, "info", new JsonObject().put("i", i));
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        writer.start();
        first.awaitEvents(20, e -> e.getJsonObject("payload").containsKey("i"), "some of the burst");
        first.close();
        List<JsonObject> before = first.events();
        long last = before.get(before.size() - 1).getLong("seq");
        writer.join();
        FeedTestClient resumed = subscribe("node=" + node + "&since=" + last);
        Predicate<JsonObject> burst = e -> e.getJsonObject("payload").containsKey("i");
        List<JsonObject> all = new ArrayList<>(before);
        resumed.awaitEvents(
                total - (int) before.stream().filter(burst).count(), burst, "the rest of the burst after resuming");
        all.addAll(resumed.events());
        List<Integer> order = all.stream()
                .filter(burst)
                .map(e -> e.getJsonObject("payload").getInteger("i"))
                .toList();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add(i);
        }
        assertEquals(expected, order, "every event once, in order, across the disconnect");
        resumed.close();
    }

    @Test
    void aTransactionThatCommitsAfterALaterOneIsNotSkipped() throws Exception {
        String node = createNode("late-1", null);
        FeedTestClient c = subscribe("node=" + node);
        try (Connection early = jdbc();
                Connection later = jdbc()) {
            early.setAutoCommit(false);
            long held = insertReturningSeq(early, node, "held");
            long committed = insertReturningSeq(later, node, "committed");
            assertTrue(committed > held, "the later transaction drew the higher seq");
            // two whole reads of the feed after the later commit: the reader has seen it, and must hold it back
            long reads = anvil.anvil().feed().reader().reads();
            Conditions.await(
                    vertx,
                    "two reads after the commit",
                    FeedTestClient.WAIT,
                    Duration.ofMillis(10),
                    () -> anvil.anvil().feed().reader().reads() >= reads + 2);
            assertTrue(horizon() < held, "the horizon stays below the seq still in flight");
            assertTrue(
                    c.events().stream().noneMatch(e -> e.getLong("seq") >= held),
                    "nothing at or past the open transaction is handed out yet: " + c.events());
            early.commit();
            List<JsonObject> got = c.awaitEvents(
                    2, e -> e.getJsonObject("payload").containsKey("tx"), "both events once the first commits");
            assertEquals(List.of(held, committed), seqs(got));
            assertEquals(
                    List.of("held", "committed"),
                    got.stream()
                            .map(e -> e.getJsonObject("payload").getString("tx"))
                            .toList());
        }
        c.close();
    }

    private static long insertReturningSeq(Connection c, String node, String tx) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (event_type, node_uuid, priority,"
                + " publisher, payload) VALUES ('baremetal.node.update.end', ?::uuid, 'info', 'anvil-conductor.t',"
                + " ?::jsonb) RETURNING seq")) {
            ps.setString(1, node);
            ps.setString(2, new JsonObject().put("tx", tx).encode());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
