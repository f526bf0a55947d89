package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /v1/portgroups (from 1.23), /v1/nodes/{node}/portgroups and /v1/portgroups/{pg}/ports (from 1.24). */
class PortgroupApiTest extends ApiTestBase {
    private String nodeA;
    private String nodeB;

    @BeforeAll
    void nodes() {
        nodeA = createNode("pg-node-a").getString("uuid");
        nodeB = createNode("pg-node-b").getString("uuid");
    }

    private JsonObject createPg(String node, String name, String mac) {
        JsonObject body = new JsonObject().put("node_uuid", node).put("name", name);
        if (mac != null) {
            body.put("address", mac);
        }
        return post("/v1/portgroups", body).v(LATEST).expect(201).json();
    }

    private static Set<String> uuids(JsonObject page, String key) {
        Set<String> out = new HashSet<>();
        page.getJsonArray(key).forEach(o -> out.add(((JsonObject) o).getString("uuid")));
        return out;
    }

    @Test
    void notThereBefore123() {
        String pg = createPg(nodeA, "pg-versioned", null).getString("uuid");
        assertError(get("/v1/portgroups").v("1.22").send(), 404, null);
        assertError(get("/v1/portgroups").send(), 404, null);
        assertError(get("/v1/portgroups/" + pg).v("1.22").send(), 404, null);
        assertError(
                post("/v1/portgroups", new JsonObject().put("node_uuid", nodeA))
                        .v("1.22")
                        .send(),
                404,
                null);
        assertError(delete("/v1/portgroups/" + pg).v("1.22").send(), 404, null);
        get("/v1/portgroups").v("1.23").expect(200);
        // the node and portgroup sub-collections come with 1.24
        assertError(get("/v1/nodes/" + nodeA + "/portgroups").v("1.23").send(), 404, null);
        assertError(get("/v1/portgroups/" + pg + "/ports").v("1.23").send(), 404, null);
        get("/v1/nodes/" + nodeA + "/portgroups").v("1.24").expect(200);
        get("/v1/portgroups/" + pg + "/ports").v("1.24").expect(200);
        // mode and properties appear at 1.26
        JsonObject v125 = get("/v1/portgroups/" + pg).v("1.25").expect(200).json();
        assertFalse(v125.containsKey("mode") || v125.containsKey("properties"), v125::encode);
        assertEquals(
                "active-backup",
                get("/v1/portgroups/" + pg).v("1.26").expect(200).json().getString("mode"));
        assertEquals(1L, scalar("SELECT count(*) FROM portgroups WHERE uuid = ?", pg));
    }

    @Test
    void createShowByNameAndUuid() {
        ApiTestBase.Resp r = post(
                        "/v1/portgroups",
                        new JsonObject()
                                .put("node_uuid", "pg-node-a")
                                .put("name", "bond0")
                                .put("address", "52:54:00:BB:00:01")
                                .put("mode", "802.3ad")
                                .put("properties", new JsonObject().put("miimon", "100"))
                                .put("standalone_ports_supported", false))
                .v(LATEST)
                .expect(201);
        JsonObject pg = r.json();
        String uuid = pg.getString("uuid");
        assertEquals(base + "/v1/portgroups/" + uuid, r.header("Location"));
        assertEquals("bond0", pg.getString("name"));
        assertEquals("52:54:00:bb:00:01", pg.getString("address"));
        assertEquals(nodeA, pg.getString("node_uuid"));
        assertEquals("802.3ad", pg.getString("mode"));
        assertEquals("100", pg.getJsonObject("properties").getString("miimon"));
        assertFalse(pg.getBoolean("standalone_ports_supported"));
        assertEquals(new JsonObject(), pg.getJsonObject("extra"));
        assertEquals(new JsonObject(), pg.getJsonObject("internal_info"));
        assertLinks(pg.getJsonArray("links"), "portgroups/" + uuid);
        assertLinks(pg.getJsonArray("ports"), "portgroups/" + uuid + "/ports");
        assertEquals(pg, get("/v1/portgroups/bond0").v(LATEST).expect(200).json());
        assertEquals(pg, get("/v1/portgroups/" + uuid).v(LATEST).expect(200).json());
        assertEquals(
                Set.of("name", "links"),
                get("/v1/portgroups/bond0?fields=name")
                        .v(LATEST)
                        .expect(200)
                        .json()
                        .fieldNames());
        assertError(get("/v1/portgroups/bond9").v(LATEST).send(), 404, "Portgroup bond9 could not be found.");
        String missing = UUID.randomUUID().toString();
        assertError(get("/v1/portgroups/" + missing).v(LATEST).send(), 404, missing);
        JsonObject defaults = createPg(nodeB, null, null);
        assertTrue(defaults.getBoolean("standalone_ports_supported"));
        assertNull(defaults.getValue("name"));
        assertNull(defaults.getValue("address"));
        assertEquals("active-backup", defaults.getString("mode"));
    }

    @Test
    void duplicatesAndBadInput() {
        createPg(nodeA, "pg-dup", "52:54:00:bb:01:01");
        Map<String, Long> before = counts();
        assertError(
                post("/v1/portgroups", new JsonObject().put("node_uuid", nodeB).put("name", "pg-dup"))
                        .v(LATEST)
                        .send(),
                409,
                "A portgroup with name pg-dup already exists.");
        assertError(
                post("/v1/portgroups", new JsonObject().put("node_uuid", nodeB).put("address", "52:54:00:BB:01:01"))
                        .v(LATEST)
                        .send(),
                409,
                "MAC address 52:54:00:bb:01:01 already exists");
        assertError(
                post("/v1/portgroups", new JsonObject().put("node_uuid", nodeB).put("name", "bad name"))
                        .v(LATEST)
                        .send(),
                400,
                "logical name");
        assertError(
                post(
                                "/v1/portgroups",
                                new JsonObject()
                                        .put("node_uuid", nodeB)
                                        .put("name", UUID.randomUUID().toString()))
                        .v(LATEST)
                        .send(),
                400,
                "logical name");
        assertError(
                post("/v1/portgroups", new JsonObject().put("node_uuid", nodeB).put("address", "bb:01"))
                        .v(LATEST)
                        .send(),
                400,
                "MAC");
        assertError(
                post("/v1/portgroups", new JsonObject().put("name", "orphan"))
                        .v(LATEST)
                        .send(),
                400,
                "node_uuid");
        assertError(
                post(
                                "/v1/portgroups",
                                new JsonObject()
                                        .put("node_uuid", UUID.randomUUID().toString()))
                        .v(LATEST)
                        .send(),
                400,
                "could not be found");
        assertError(
                post("/v1/portgroups", new JsonObject().put("node_uuid", nodeB).put("mode", "802.3ad"))
                        .v("1.25")
                        .send(),
                406,
                "mode");
        assertError(
                post(
                                "/v1/portgroups",
                                new JsonObject().put("node_uuid", nodeB).put("standalone_ports_supported", "sometimes"))
                        .v(LATEST)
                        .send(),
                400,
                "standalone_ports_supported");
        assertEquals(before, counts());
    }

    @Test
    void listsAndFilters() {
        String a = createPg(nodeA, "pg-list-a", "52:54:00:bb:02:01").getString("uuid");
        String b = createPg(nodeB, "pg-list-b", "52:54:00:bb:02:02").getString("uuid");
        JsonObject all = get("/v1/portgroups").v(LATEST).expect(200).json();
        assertTrue(uuids(all, "portgroups").containsAll(Set.of(a, b)));
        for (Object o : all.getJsonArray("portgroups")) {
            JsonObject pg = (JsonObject) o;
            assertEquals(Set.of("uuid", "address", "name", "links"), pg.fieldNames());
            assertLinks(pg.getJsonArray("links"), "portgroups/" + pg.getString("uuid"));
        }
        JsonObject detail = get("/v1/portgroups/detail?node=pg-node-b")
                .v(LATEST)
                .expect(200)
                .json();
        assertTrue(uuids(detail, "portgroups").contains(b));
        assertFalse(uuids(detail, "portgroups").contains(a));
        JsonObject first = detail.getJsonArray("portgroups").getJsonObject(0);
        assertLinks(first.getJsonArray("ports"), "portgroups/" + first.getString("uuid") + "/ports");
        assertEquals(
                Set.of(a),
                uuids(
                        get("/v1/portgroups?address=52:54:00:BB:02:01")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "portgroups"));
        Set<String> onA = uuids(
                get("/v1/nodes/pg-node-a/portgroups").v(LATEST).expect(200).json(), "portgroups");
        assertEquals(
                Set.copyOf(column(
                        "SELECT g.uuid::text FROM portgroups g JOIN nodes n ON n.id = g.node_id " + "WHERE n.uuid = ?",
                        nodeA)),
                onA);
        assertTrue(onA.contains(a) && !onA.contains(b));
        assertEquals(
                onA,
                uuids(
                        get("/v1/nodes/" + nodeA + "/portgroups/detail")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "portgroups"));
        assertError(get("/v1/nodes/nobody/portgroups").v(LATEST).send(), 404, "nobody");
        assertError(get("/v1/portgroups?sort_key=properties").v(LATEST).send(), 400, "properties");
    }

    @Test
    void portsOfAPortgroup() {
        String pg = createPg(nodeA, "pg-ports", null).getString("uuid");
        String other = createPg(nodeA, "pg-other", null).getString("uuid");
        String p1 = post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", nodeA)
                                .put("address", "52:54:00:bb:03:01")
                                .put("portgroup_uuid", pg))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        String p2 = post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", nodeA)
                                .put("address", "52:54:00:bb:03:02")
                                .put("portgroup_uuid", pg))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", nodeA)
                                .put("address", "52:54:00:bb:03:03")
                                .put("portgroup_uuid", other))
                .v(LATEST)
                .expect(201);
        assertEquals(
                Set.of(p1, p2),
                uuids(
                        get("/v1/portgroups/" + pg + "/ports")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "ports"));
        assertEquals(
                Set.of(p1, p2),
                uuids(get("/v1/portgroups/pg-ports/ports").v(LATEST).expect(200).json(), "ports"));
        JsonObject detail = get("/v1/portgroups/pg-ports/ports/detail")
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(Set.of(p1, p2), uuids(detail, "ports"));
        detail.getJsonArray("ports").forEach(o -> assertEquals(pg, ((JsonObject) o).getString("portgroup_uuid")));
        assertEquals(
                Set.of(p1, p2),
                uuids(get("/v1/ports?portgroup=" + pg).v(LATEST).expect(200).json(), "ports"));
        assertError(
                get("/v1/portgroups/" + UUID.randomUUID() + "/ports").v(LATEST).send(), 404, "could not be found");
    }

    @Test
    void patchPortgroup() {
        String uuid = createPg(nodeA, "pg-patch", "52:54:00:bb:04:01").getString("uuid");
        JsonObject p = patch(
                        "/v1/portgroups/pg-patch",
                        patchOps(
                                op("replace", "/name", "pg-patched"),
                                op("replace", "/mode", "balance-rr"),
                                op("add", "/extra/owner", "net-team"),
                                op("replace", "/address", "52:54:00:BB:04:02"),
                                op("replace", "/node_uuid", nodeB)))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals("pg-patched", p.getString("name"));
        assertEquals("balance-rr", p.getString("mode"));
        assertEquals("net-team", p.getJsonObject("extra").getString("owner"));
        assertEquals("52:54:00:bb:04:02", p.getString("address"));
        assertEquals(nodeB, p.getString("node_uuid"));
        assertLinks(p.getJsonArray("ports"), "portgroups/" + uuid + "/ports");
        Map<String, Long> before = counts();
        assertError(
                patch("/v1/portgroups/" + uuid, patchOps(op("replace", "/name", "no spaces")))
                        .v(LATEST)
                        .send(),
                400,
                "logical name");
        assertError(
                patch("/v1/portgroups/" + uuid, patchOps(op("replace", "/internal_info", new JsonObject())))
                        .v(LATEST)
                        .send(),
                400,
                "internal_info");
        assertError(
                patch("/v1/portgroups/" + uuid, patchOps(remove("/node_uuid")))
                        .v(LATEST)
                        .send(),
                400,
                "mandatory");
        assertEquals(before, counts());
        assertEquals("pg-patched", scalar("SELECT name FROM portgroups WHERE uuid = ?", uuid));
    }

    @Test
    void deleteEmptyAndNonEmpty() {
        String pg = createPg(nodeB, "pg-delete", null).getString("uuid");
        String port = post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", nodeB)
                                .put("address", "52:54:00:bb:05:01")
                                .put("portgroup_uuid", pg))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        assertError(delete("/v1/portgroups/pg-delete").v(LATEST).send(), 400, "contains ports.");
        assertEquals(1L, scalar("SELECT count(*) FROM portgroups WHERE uuid = ?", pg));
        patch("/v1/ports/" + port, patchOps(remove("/portgroup_uuid")))
                .v(LATEST)
                .expect(200);
        delete("/v1/portgroups/pg-delete").v(LATEST).expect(204);
        assertEquals(0L, scalar("SELECT count(*) FROM portgroups WHERE uuid = ?", pg));
        assertEquals(1L, scalar("SELECT count(*) FROM ports WHERE uuid = ?", port));
        assertError(delete("/v1/portgroups/" + pg).v(LATEST).send(), 404, pg);
    }
}
