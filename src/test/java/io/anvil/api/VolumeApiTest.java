package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /v1/volume, volume connectors and volume targets (from 1.32). */
class VolumeApiTest extends ApiTestBase {
    private String nodeA;
    private String nodeB;

    @BeforeAll
    void nodes() {
        nodeA = createNode("vol-node-a").getString("uuid");
        nodeB = createNode("vol-node-b").getString("uuid");
    }

    private static Set<String> uuids(JsonObject page, String key) {
        Set<String> out = new HashSet<>();
        page.getJsonArray(key).forEach(o -> out.add(((JsonObject) o).getString("uuid")));
        return out;
    }

    private JsonObject connector(String node, String type, String id) {
        return post(
                        "/v1/volume/connectors",
                        new JsonObject()
                                .put("node_uuid", node)
                                .put("type", type)
                                .put("connector_id", id))
                .v(LATEST)
                .expect(201)
                .json();
    }

    private JsonObject target(String node, int bootIndex, String volumeId) {
        return post(
                        "/v1/volume/targets",
                        new JsonObject()
                                .put("node_uuid", node)
                                .put("volume_type", "iscsi")
                                .put("volume_id", volumeId)
                                .put("boot_index", bootIndex))
                .v(LATEST)
                .expect(201)
                .json();
    }

    @Test
    void notThereBefore132() {
        for (String path : new String[] {
            "/v1/volume",
            "/v1/volume/connectors",
            "/v1/volume/targets",
            "/v1/nodes/" + nodeA + "/volume",
            "/v1/nodes/" + nodeA + "/volume/connectors"
        }) {
            assertError(get(path).v("1.31").send(), 404, null);
        }
        assertError(
                post(
                                "/v1/volume/connectors",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("type", "iqn")
                                        .put("connector_id", "iqn.old"))
                        .v("1.31")
                        .send(),
                404,
                null);
        assertEquals(0L, scalar("SELECT count(*) FROM volume_connectors WHERE connector_id = 'iqn.old'"));
        JsonObject node = get("/v1/nodes/" + nodeA).v("1.31").expect(200).json();
        assertFalse(node.containsKey("volume"));
    }

    @Test
    void volumeRoots() {
        JsonObject root = get("/v1/volume").v("1.32").expect(200).json();
        assertLinks(root.getJsonArray("links"), "volume");
        assertLinks(root.getJsonArray("connectors"), "volume/connectors");
        assertLinks(root.getJsonArray("targets"), "volume/targets");
        JsonObject sub =
                get("/v1/nodes/vol-node-a/volume").v(LATEST).expect(200).json();
        assertLinks(sub.getJsonArray("links"), "nodes/" + nodeA + "/volume");
        assertLinks(sub.getJsonArray("connectors"), "nodes/" + nodeA + "/volume/connectors");
        assertLinks(sub.getJsonArray("targets"), "nodes/" + nodeA + "/volume/targets");
        assertError(get("/v1/nodes/ghost/volume").v(LATEST).send(), 404, "Node ghost could not be found.");
    }

    @Test
    void connectorCrud() {
        ApiTestBase.Resp r = post(
                        "/v1/volume/connectors",
                        new JsonObject()
                                .put("node_uuid", "vol-node-a")
                                .put("type", "iqn")
                                .put("connector_id", "iqn.2024-01.io.anvil:a")
                                .put("extra", new JsonObject().put("k", "v")))
                .v(LATEST)
                .expect(201);
        JsonObject c = r.json();
        String uuid = c.getString("uuid");
        assertEquals(base + "/v1/volume/connectors/" + uuid, r.header("Location"));
        assertEquals(nodeA, c.getString("node_uuid"));
        assertEquals("iqn", c.getString("type"));
        assertEquals("iqn.2024-01.io.anvil:a", c.getString("connector_id"));
        assertEquals("v", c.getJsonObject("extra").getString("k"));
        assertLinks(c.getJsonArray("links"), "volume/connectors/" + uuid);
        assertEquals(
                c, get("/v1/volume/connectors/" + uuid).v(LATEST).expect(200).json());

        JsonObject list = get("/v1/volume/connectors").v(LATEST).expect(200).json();
        assertTrue(uuids(list, "connectors").contains(uuid));
        list.getJsonArray("connectors")
                .forEach(o -> assertEquals(
                        Set.of("uuid", "node_uuid", "type", "connector_id", "links"), ((JsonObject) o).fieldNames()));
        JsonObject detail = get("/v1/volume/connectors/detail?node=" + nodeA)
                .v(LATEST)
                .expect(200)
                .json();
        assertTrue(uuids(detail, "connectors").contains(uuid));
        assertTrue(detail.getJsonArray("connectors").getJsonObject(0).containsKey("node_uuid"));
        assertEquals(
                uuids(
                        get("/v1/nodes/" + nodeA + "/volume/connectors")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "connectors"),
                Set.copyOf(column(
                        "SELECT c.uuid::text FROM volume_connectors c JOIN nodes n ON n.id = c.node_id "
                                + "WHERE n.uuid = ?",
                        nodeA)));
        assertFalse(uuids(
                        get("/v1/nodes/" + nodeB + "/volume/connectors")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "connectors")
                .contains(uuid));

        JsonObject p = patch(
                        "/v1/volume/connectors/" + uuid,
                        patchOps(
                                op("replace", "/connector_id", "iqn.2024-01.io.anvil:a2"),
                                op("replace", "/node_uuid", nodeB)))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals("iqn.2024-01.io.anvil:a2", p.getString("connector_id"));
        assertEquals(nodeB, p.getString("node_uuid"));

        delete("/v1/volume/connectors/" + uuid).v(LATEST).expect(204);
        assertError(
                get("/v1/volume/connectors/" + uuid).v(LATEST).send(),
                404,
                "Volume connector " + uuid + " could not be found.");
        assertEquals(0L, scalar("SELECT count(*) FROM volume_connectors WHERE uuid = ?", uuid));
    }

    @Test
    void connectorConflictsAndBadInput() {
        JsonObject first = connector(nodeA, "wwpn", "20:00:00:00:00:00:00:01");
        Map<String, Long> before = counts();
        assertError(
                post(
                                "/v1/volume/connectors",
                                new JsonObject()
                                        .put("node_uuid", nodeB)
                                        .put("type", "wwpn")
                                        .put("connector_id", "20:00:00:00:00:00:00:01"))
                        .v(LATEST)
                        .send(),
                409,
                "A volume connector with type wwpn and connector ID 20:00:00:00:00:00:00:01 already exists.");
        assertError(
                post(
                                "/v1/volume/connectors",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("type", "nvme")
                                        .put("connector_id", "x"))
                        .v(LATEST)
                        .send(),
                400,
                "nvme");
        assertError(
                post(
                                "/v1/volume/connectors",
                                new JsonObject().put("node_uuid", nodeA).put("type", "iqn"))
                        .v(LATEST)
                        .send(),
                400,
                "connector_id");
        assertError(
                post(
                                "/v1/volume/connectors",
                                new JsonObject()
                                        .put("node_uuid", UUID.randomUUID().toString())
                                        .put("type", "iqn")
                                        .put("connector_id", "iqn.x"))
                        .v(LATEST)
                        .send(),
                400,
                "could not be found");
        assertError(
                patch("/v1/volume/connectors/" + first.getString("uuid"), patchOps(op("replace", "/type", "bogus")))
                        .v(LATEST)
                        .send(),
                400,
                "bogus");
        assertError(
                patch("/v1/volume/connectors/" + first.getString("uuid"), patchOps(remove("/connector_id")))
                        .v(LATEST)
                        .send(),
                400,
                "mandatory");
        JsonObject second = connector(nodeA, "wwpn", "20:00:00:00:00:00:00:02");
        before = counts();
        assertError(
                patch(
                                "/v1/volume/connectors/" + second.getString("uuid"),
                                patchOps(op("replace", "/connector_id", "20:00:00:00:00:00:00:01")))
                        .v(LATEST)
                        .send(),
                409,
                "already exists");
        assertEquals(before, counts());
        // the same connector id with another type is a different connector
        connector(nodeB, "wwnn", "20:00:00:00:00:00:00:01");
    }

    @Test
    void targetCrudAndBootIndex() {
        ApiTestBase.Resp r = post(
                        "/v1/volume/targets",
                        new JsonObject()
                                .put("node_uuid", nodeA)
                                .put("volume_type", "iscsi")
                                .put("volume_id", "vol-a0")
                                .put("boot_index", 0)
                                .put("properties", new JsonObject().put("target_lun", 0)))
                .v(LATEST)
                .expect(201);
        JsonObject t = r.json();
        String uuid = t.getString("uuid");
        assertEquals(base + "/v1/volume/targets/" + uuid, r.header("Location"));
        assertEquals(0, t.getInteger("boot_index"));
        assertEquals("iscsi", t.getString("volume_type"));
        assertEquals("vol-a0", t.getString("volume_id"));
        assertEquals(nodeA, t.getString("node_uuid"));
        assertEquals(0, t.getJsonObject("properties").getInteger("target_lun"));
        assertLinks(t.getJsonArray("links"), "volume/targets/" + uuid);
        assertEquals(t, get("/v1/volume/targets/" + uuid).v(LATEST).expect(200).json());

        Map<String, Long> before = counts();
        assertError(
                post(
                                "/v1/volume/targets",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("volume_type", "iscsi")
                                        .put("volume_id", "vol-a0-dup")
                                        .put("boot_index", 0))
                        .v(LATEST)
                        .send(),
                409,
                "A volume target with boot index '0' for the same node already exists.");
        assertError(
                post(
                                "/v1/volume/targets",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("volume_type", "iscsi")
                                        .put("volume_id", "neg")
                                        .put("boot_index", -1))
                        .v(LATEST)
                        .send(),
                400,
                "boot_index");
        assertError(
                post(
                                "/v1/volume/targets",
                                new JsonObject()
                                        .put("node_uuid", nodeA)
                                        .put("volume_type", "iscsi")
                                        .put("volume_id", "nobi"))
                        .v(LATEST)
                        .send(),
                400,
                "boot_index");
        assertEquals(before, counts());
        // the same boot index on another node is fine
        target(nodeB, 0, "vol-b0");
        String second = target(nodeA, 1, "vol-a1").getString("uuid");
        assertError(
                patch("/v1/volume/targets/" + second, patchOps(op("replace", "/boot_index", 0)))
                        .v(LATEST)
                        .send(),
                409,
                "boot index");
        assertEquals(1, scalar("SELECT boot_index FROM volume_targets WHERE uuid = ?", second));
        JsonObject p = patch(
                        "/v1/volume/targets/" + second,
                        patchOps(op("replace", "/boot_index", 5), op("add", "/properties/target_iqn", "iqn.t")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(5, p.getInteger("boot_index"));
        assertEquals("iqn.t", p.getJsonObject("properties").getString("target_iqn"));

        JsonObject list =
                get("/v1/volume/targets?node=vol-node-a").v(LATEST).expect(200).json();
        assertEquals(Set.of(uuid, second), uuids(list, "targets"));
        list.getJsonArray("targets")
                .forEach(o -> assertEquals(
                        Set.of("uuid", "node_uuid", "volume_type", "volume_id", "boot_index", "links"),
                        Set.copyOf(((JsonObject) o).fieldNames())));
        assertEquals(
                Set.of(uuid, second),
                uuids(
                        get("/v1/nodes/" + nodeA + "/volume/targets")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "targets"));
        assertEquals(
                Set.of(uuid, second),
                uuids(
                        get("/v1/nodes/" + nodeA + "/volume/targets/detail")
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "targets"));

        delete("/v1/volume/targets/" + uuid).v(LATEST).expect(204);
        assertError(get("/v1/volume/targets/" + uuid).v(LATEST).send(), 404, "Volume target " + uuid);
        // boot index 0 is free again
        target(nodeA, 0, "vol-a0-again");
    }
}
