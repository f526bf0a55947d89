package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /v1/ports and /v1/nodes/{node}/ports. */
class PortApiTest extends ApiTestBase {
    private String nodeA;
    private String nodeB;

    @BeforeAll
    void nodes() {
        nodeA = createNode("port-node-a").getString("uuid");
        nodeB = createNode("port-node-b").getString("uuid");
    }

    private JsonObject createPort(String node, String mac) {
        return post("/v1/ports", new JsonObject().put("node_uuid", node).put("address", mac))
                .v(LATEST)
                .expect(201)
                .json();
    }

    private static Set<String> uuids(JsonObject page, String key) {
        Set<String> out = new HashSet<>();
        page.getJsonArray(key).forEach(o -> out.add(((JsonObject) o).getString("uuid")));
        return out;
    }

    @Test
    void createShowDelete() {
        ApiTestBase.Resp r = post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", nodeA)
                                .put("address", "52:54:00:0A:0B:0C")
                                .put("extra", new JsonObject().put("vif", "v1"))
                                .put("physical_network", "physnet1")
                                .put(
                                        "local_link_connection",
                                        new JsonObject()
                                                .put("switch_id", "0a:1b:2c:3d:4e:5f")
                                                .put("port_id", "Eth1/1")))
                .v(LATEST)
                .expect(201);
        JsonObject p = r.json();
        String uuid = p.getString("uuid");
        assertEquals(base + "/v1/ports/" + uuid, r.header("Location"));
        assertEquals("52:54:00:0a:0b:0c", p.getString("address"));
        assertEquals(nodeA, p.getString("node_uuid"));
        assertNull(p.getValue("portgroup_uuid"));
        assertTrue(p.getBoolean("pxe_enabled"));
        assertFalse(p.getBoolean("is_smartnic"));
        assertEquals("physnet1", p.getString("physical_network"));
        assertEquals("Eth1/1", p.getJsonObject("local_link_connection").getString("port_id"));
        assertEquals(new JsonObject().put("vif", "v1"), p.getJsonObject("extra"));
        assertEquals(new JsonObject(), p.getJsonObject("internal_info"));
        assertTrue(p.containsKey("created_at") && p.containsKey("updated_at"));
        assertLinks(p.getJsonArray("links"), "ports/" + uuid);
        assertEquals(p, get("/v1/ports/" + uuid).v(LATEST).expect(200).json());
        assertEquals("52:54:00:0a:0b:0c", scalar("SELECT address FROM ports WHERE uuid = ?", uuid));

        JsonObject old = get("/v1/ports/" + uuid).expect(200).json();
        assertEquals(
                Set.of("uuid", "address", "node_uuid", "extra", "created_at", "updated_at", "links"), old.fieldNames());
        JsonObject only = get("/v1/ports/" + uuid + "?fields=address")
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(Set.of("address", "links"), only.fieldNames());

        ApiTestBase.Resp d = delete("/v1/ports/" + uuid).v(LATEST).expect(204);
        assertEquals(0, d.body().length());
        assertError(get("/v1/ports/" + uuid).v(LATEST).send(), 404, "Port " + uuid + " could not be found.");
        assertError(delete("/v1/ports/" + uuid).v(LATEST).send(), 404, uuid);
        assertEquals(0L, scalar("SELECT count(*) FROM ports WHERE uuid = ?", uuid));
    }

    @Test
    void createWithGivenUuidAndNodeName() {
        String uuid = UUID.randomUUID().toString();
        JsonObject p = post(
                        "/v1/ports",
                        new JsonObject()
                                .put("uuid", uuid)
                                .put("node_uuid", "port-node-b")
                                .put("address", "52:54:00:00:11:22"))
                .v(LATEST)
                .expect(201)
                .json();
        assertEquals(uuid, p.getString("uuid"));
        assertEquals(nodeB, p.getString("node_uuid"));
        assertEquals("52:54:00:00:11:22", p.getString("address"));
    }

    @Test
    void duplicateMacIs409AndWritesNothing() {
        createPort(nodeA, "52:54:00:00:dd:01");
        Map<String, Long> before = counts();
        assertError(
                post("/v1/ports", new JsonObject().put("node_uuid", nodeB).put("address", "52:54:00:00:DD:01"))
                        .v(LATEST)
                        .send(),
                409,
                "A port with MAC address 52:54:00:00:dd:01 already exists.");
        assertEquals(before, counts());
        JsonObject other = createPort(nodeB, "52:54:00:00:dd:02");
        assertError(
                patch("/v1/ports/" + other.getString("uuid"), patchOps(op("replace", "/address", "52:54:00:00:dd:01")))
                        .v(LATEST)
                        .send(),
                409,
                "already exists");
        assertEquals("52:54:00:00:dd:02", scalar("SELECT address FROM ports WHERE uuid = ?", other.getString("uuid")));
    }

    @Test
    void unknownNodeIs400() {
        Map<String, Long> before = counts();
        String missing = UUID.randomUUID().toString();
        assertError(
                post("/v1/ports", new JsonObject().put("node_uuid", missing).put("address", "52:54:00:00:ee:01"))
                        .v(LATEST)
                        .send(),
                400,
                "Node " + missing + " could not be found.");
        assertError(
                post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("node_uuid", "no-such-node")
                                        .put("address", "52:54:00:00:ee:01"))
                        .v(LATEST)
                        .send(),
                400,
                "no-such-node");
        assertError(
                post("/v1/ports", new JsonObject().put("address", "52:54:00:00:ee:01"))
                        .v(LATEST)
                        .send(),
                400,
                "node_uuid");
        assertEquals(before, counts());
    }

    @Test
    void localLinkConnectionKeys() {
        JsonObject smart = post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", nodeA)
                                .put("address", "52:54:00:00:ff:01")
                                .put("is_smartnic", true)
                                .put(
                                        "local_link_connection",
                                        new JsonObject()
                                                .put("port_id", "rep0-0")
                                                .put("hostname", "dpu-host")))
                .v(LATEST)
                .expect(201)
                .json();
        assertEquals("dpu-host", smart.getJsonObject("local_link_connection").getString("hostname"));
        assertTrue(smart.getBoolean("is_smartnic"));
        Map<String, Long> before = counts();
        assertError(
                post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("address", "52:54:00:00:ff:02")
                                        .put("local_link_connection", new JsonObject().put("switch", "s1")))
                        .v(LATEST)
                        .send(),
                400,
                "switch");
        assertError(
                patch("/v1/ports/" + smart.getString("uuid"), patchOps(op("add", "/local_link_connection/vlan", 5)))
                        .v(LATEST)
                        .send(),
                400,
                "vlan");
        assertError(
                post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("address", "52:54:00:00:ff:03")
                                        .put("local_link_connection", "s1"))
                        .v(LATEST)
                        .send(),
                400,
                "local_link_connection");
        // Ironic's LocalLinkConnectionType: mandatory keys, switch_id a MAC or an OpenFlow datapath id, string values
        assertError(
                post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("address", "52:54:00:00:ff:04")
                                        .put(
                                                "local_link_connection",
                                                new JsonObject().put("switch_id", "0a:1b:2c:3d:4e:5f")))
                        .v(LATEST)
                        .send(),
                400,
                "Missing mandatory keys");
        assertError(
                post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("address", "52:54:00:00:ff:05")
                                        .put(
                                                "local_link_connection",
                                                new JsonObject()
                                                        .put("switch_id", "switch-7")
                                                        .put("port_id", "Eth1/7")))
                        .v(LATEST)
                        .send(),
                400,
                "Expected a MAC address or OpenFlow datapath ID but received switch-7.");
        assertError(
                post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("address", "52:54:00:00:ff:06")
                                        .put(
                                                "local_link_connection",
                                                new JsonObject()
                                                        .put("switch_id", "0a:1b:2c:3d:4e:5f")
                                                        .put("port_id", 7)))
                        .v(LATEST)
                        .send(),
                400,
                "port_id");
        assertError(
                post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("address", "52:54:00:00:ff:07")
                                        .put("local_link_connection", new JsonObject().put("network_type", "wild")))
                        .v(LATEST)
                        .send(),
                400,
                "network_type");
        assertEquals(before, counts());

        JsonObject mac = post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", nodeA)
                                .put("address", "52:54:00:00:ff:08")
                                .put(
                                        "local_link_connection",
                                        new JsonObject()
                                                .put("switch_id", "0A:1B:2C:3D:4E:5F")
                                                .put("port_id", "Eth1/8")))
                .v(LATEST)
                .expect(201)
                .json();
        assertEquals(
                "0a:1b:2c:3d:4e:5f", mac.getJsonObject("local_link_connection").getString("switch_id"));
        JsonObject dpid = post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", nodeA)
                                .put("address", "52:54:00:00:ff:09")
                                .put(
                                        "local_link_connection",
                                        new JsonObject()
                                                .put("switch_id", "00000000DEADBEEF")
                                                .put("port_id", "9")))
                .v(LATEST)
                .expect(201)
                .json();
        assertEquals(
                "00000000deadbeef", dpid.getJsonObject("local_link_connection").getString("switch_id"));
        post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", nodeA)
                                .put("address", "52:54:00:00:ff:0a")
                                .put("local_link_connection", new JsonObject().put("network_type", "unmanaged")))
                .v(LATEST)
                .expect(201);
    }

    @Test
    void listsFiltersAndSubCollections() {
        String a1 = createPort(nodeA, "52:54:00:00:10:01").getString("uuid");
        String a2 = createPort(nodeA, "52:54:00:00:10:02").getString("uuid");
        String b1 = createPort(nodeB, "52:54:00:00:10:03").getString("uuid");

        JsonObject all = get("/v1/ports").v(LATEST).expect(200).json();
        assertTrue(uuids(all, "ports").containsAll(Set.of(a1, a2, b1)));
        for (Object o : all.getJsonArray("ports")) {
            JsonObject p = (JsonObject) o;
            assertEquals(Set.of("uuid", "address", "links"), p.fieldNames());
            assertLinks(p.getJsonArray("links"), "ports/" + p.getString("uuid"));
        }
        JsonObject detail =
                get("/v1/ports/detail?node=" + nodeB).v(LATEST).expect(200).json();
        assertTrue(uuids(detail, "ports").contains(b1));
        detail.getJsonArray("ports").forEach(o -> assertEquals(nodeB, ((JsonObject) o).getString("node_uuid")));
        assertTrue(detail.getJsonArray("ports").getJsonObject(0).containsKey("local_link_connection"));

        Set<String> onA =
                uuids(get("/v1/nodes/" + nodeA + "/ports").v(LATEST).expect(200).json(), "ports");
        assertEquals(
                onA,
                uuids(get("/v1/nodes/port-node-a/ports").v(LATEST).expect(200).json(), "ports"));
        assertEquals(
                onA,
                uuids(
                        get("/v1/ports?node=port-node-a&limit=100")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "ports"));
        assertEquals(
                onA,
                uuids(get("/v1/ports?node_uuid=" + nodeA).v(LATEST).expect(200).json(), "ports"));
        assertTrue(onA.containsAll(Set.of(a1, a2)) && !onA.contains(b1));
        assertEquals(
                Set.copyOf(column(
                        "SELECT p.uuid::text FROM ports p JOIN nodes n ON n.id = p.node_id " + "WHERE n.uuid = ?",
                        nodeA)),
                onA);
        JsonObject subDetail = get("/v1/nodes/" + nodeA + "/ports/detail")
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(onA, uuids(subDetail, "ports"));

        assertEquals(
                Set.of(a2),
                uuids(
                        get("/v1/ports?address=52:54:00:00:10:02")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "ports"));
        // Ironic's is_valid_mac: colons only
        assertError(get("/v1/ports?address=52-54-00-00-10-02").v(LATEST).send(), 400, "Expected a MAC address");
        String upper = createPort(nodeB, "52:54:00:00:10:0a").getString("uuid");
        assertEquals(
                Set.of(upper),
                uuids(
                        get("/v1/ports?address=52:54:00:00:10:0A")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "ports"));
        assertEquals(
                Set.of(),
                uuids(
                        get("/v1/ports?address=52:54:00:00:99:99")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "ports"));
        assertError(get("/v1/ports?address=nonsense").v(LATEST).send(), 400, "MAC");
        assertError(get("/v1/ports?node=" + UUID.randomUUID()).v(LATEST).send(), 404, "could not be found");
        assertError(get("/v1/nodes/ghost/ports").v(LATEST).send(), 404, "Node ghost could not be found.");
        assertError(get("/v1/ports?colour=red").v(LATEST).send(), 400, "colour");
        assertError(get("/v1/ports?fields=address,bogus").v(LATEST).send(), 400, "bogus");
        assertError(get("/v1/ports?sort_key=extra").v(LATEST).send(), 400, "extra");
    }

    @Test
    void paginationOfPorts() {
        for (int i = 0; i < 5; i++) {
            createPort(nodeB, String.format("52:54:00:00:20:%02x", i));
        }
        String marker = null;
        Set<String> seen = new HashSet<>();
        int pages = 0;
        String next = "/v1/nodes/" + nodeB + "/ports?limit=2";
        while (next != null) {
            assertTrue(++pages < 20);
            JsonObject page = get(next).v(LATEST).expect(200).json();
            JsonArray ports = page.getJsonArray("ports");
            ports.forEach(o -> assertTrue(seen.add(((JsonObject) o).getString("uuid")), "duplicate"));
            next = page.getString("next") == null
                    ? null
                    : page.getString("next").substring(base.length());
            if (next != null) {
                assertEquals(2, ports.size());
                marker = ports.getJsonObject(1).getString("uuid");
                assertTrue(next.endsWith("limit=2&marker=" + marker), next);
                assertTrue(next.startsWith("/v1/nodes/" + nodeB + "/ports?"), next);
            }
        }
        assertEquals(
                Set.copyOf(column(
                        "SELECT p.uuid::text FROM ports p JOIN nodes n ON n.id = p.node_id " + "WHERE n.uuid = ?",
                        nodeB)),
                seen);
        assertError(get("/v1/ports?marker=" + UUID.randomUUID()).v(LATEST).send(), 404, "Marker");
        assertError(get("/v1/ports?limit=0").v(LATEST).send(), 400, "Limit must be positive");
    }

    @Test
    void patchMovesAPortToAnotherNode() {
        String uuid = createPort(nodeA, "52:54:00:00:30:01").getString("uuid");
        JsonObject moved = patch(
                        "/v1/ports/" + uuid,
                        patchOps(
                                op("replace", "/node_uuid", nodeB),
                                op("add", "/extra/moved", true),
                                op("replace", "/pxe_enabled", false)))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(nodeB, moved.getString("node_uuid"));
        assertEquals(true, moved.getJsonObject("extra").getBoolean("moved"));
        assertFalse(moved.getBoolean("pxe_enabled"));
        assertTrue(moved.getString("updated_at") != null);
        assertLinks(moved.getJsonArray("links"), "ports/" + uuid);
        assertTrue(
                uuids(get("/v1/nodes/" + nodeB + "/ports").v(LATEST).expect(200).json(), "ports")
                        .contains(uuid));
        assertFalse(
                uuids(get("/v1/nodes/" + nodeA + "/ports").v(LATEST).expect(200).json(), "ports")
                        .contains(uuid));
        // by node name too, and the address is normalised on patch
        JsonObject back = patch(
                        "/v1/ports/" + uuid,
                        patchOps(
                                op("replace", "/node_uuid", "port-node-a"),
                                op("replace", "/address", "52:54:00:00:30:AA")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(nodeA, back.getString("node_uuid"));
        assertEquals("52:54:00:00:30:aa", back.getString("address"));
        Map<String, Long> before = counts();
        assertError(
                patch(
                                "/v1/ports/" + uuid,
                                patchOps(op(
                                        "replace",
                                        "/node_uuid",
                                        UUID.randomUUID().toString())))
                        .v(LATEST)
                        .send(),
                400,
                "could not be found");
        assertError(
                patch("/v1/ports/" + uuid, patchOps(remove("/address")))
                        .v(LATEST)
                        .send(),
                400,
                "mandatory");
        assertError(
                patch("/v1/ports/" + uuid, patchOps(remove("/node_uuid")))
                        .v(LATEST)
                        .send(),
                400,
                "mandatory");
        assertError(
                patch(
                                "/v1/ports/" + uuid,
                                patchOps(
                                        op("replace", "/uuid", UUID.randomUUID().toString())))
                        .v(LATEST)
                        .send(),
                400,
                "/uuid");
        assertError(
                patch("/v1/ports/" + uuid, patchOps(op("replace", "/internal_info", new JsonObject())))
                        .v(LATEST)
                        .send(),
                400,
                "internal_info");
        assertError(
                patch("/v1/ports/" + uuid, patchOps(op("replace", "/address", "bad")))
                        .v(LATEST)
                        .send(),
                400,
                "MAC");
        assertError(
                patch("/v1/ports/" + uuid, patchOps(op("replace", "/physical_network", "x")))
                        .v("1.33")
                        .send(),
                406,
                "physical_network");
        assertEquals(before, counts());
        assertEquals(
                nodeA,
                scalar("SELECT n.uuid::text FROM ports p JOIN nodes n ON n.id = p.node_id WHERE p.uuid = ?", uuid));
    }

    @Test
    void portgroupMustBelongToTheSameNode() {
        String pgA = post(
                        "/v1/portgroups",
                        new JsonObject().put("node_uuid", nodeA).put("name", "pg-on-a"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        Map<String, Long> before = counts();
        assertError(
                post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("node_uuid", nodeB)
                                        .put("address", "52:54:00:00:40:01")
                                        .put("portgroup_uuid", pgA))
                        .v(LATEST)
                        .send(),
                400,
                "belongs to a different node");
        assertError(
                post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("node_uuid", nodeB)
                                        .put("address", "52:54:00:00:40:01")
                                        .put("portgroup_uuid", UUID.randomUUID().toString()))
                        .v(LATEST)
                        .send(),
                400,
                "could not be found");
        assertEquals(before, counts());
        JsonObject inPg = post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", nodeA)
                                .put("address", "52:54:00:00:40:02")
                                .put("portgroup_uuid", pgA))
                .v(LATEST)
                .expect(201)
                .json();
        assertEquals(pgA, inPg.getString("portgroup_uuid"));
        // moving the port alone to node B leaves it in A's portgroup: refused
        assertError(
                patch("/v1/ports/" + inPg.getString("uuid"), patchOps(op("replace", "/node_uuid", nodeB)))
                        .v(LATEST)
                        .send(),
                400,
                "different node");
        // moving it out of the portgroup at the same time is fine
        JsonObject moved = patch(
                        "/v1/ports/" + inPg.getString("uuid"),
                        patchOps(op("replace", "/node_uuid", nodeB), remove("/portgroup_uuid")))
                .v(LATEST)
                .expect(200)
                .json();
        assertNull(moved.getValue("portgroup_uuid"));
        assertEquals(nodeB, moved.getString("node_uuid"));
        // portgroup_uuid is not a field before 1.24
        assertError(
                post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("address", "52:54:00:00:40:03")
                                        .put("portgroup_uuid", pgA))
                        .v("1.23")
                        .send(),
                406,
                "portgroup_uuid");
    }

    @Test
    void fieldsByVersion() {
        String uuid = createPort(nodeA, "52:54:00:00:50:01").getString("uuid");
        JsonObject v119 = get("/v1/ports/" + uuid).v("1.19").expect(200).json();
        assertTrue(v119.containsKey("pxe_enabled")
                && v119.containsKey("local_link_connection")
                && v119.containsKey("internal_info"));
        assertFalse(v119.containsKey("portgroup_uuid")
                || v119.containsKey("physical_network")
                || v119.containsKey("is_smartnic"));
        JsonObject v53 = get("/v1/ports/" + uuid).v("1.53").expect(200).json();
        assertTrue(v53.containsKey("is_smartnic") && v53.containsKey("portgroup_uuid"));
    }
}
