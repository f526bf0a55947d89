package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * /v1/chassis and /v1/chassis/{uuid}/nodes as Ironic's ChassisController serves them
 * ({@code ironic/api/controllers/v1/chassis.py}), and a node's chassis_uuid.
 */
class ChassisApiTest extends ApiTestBase {

    private JsonObject createChassis(JsonObject body) {
        return post("/v1/chassis", body).v(LATEST).expect(201).json();
    }

    private static List<String> uuids(JsonObject page, String key) {
        List<String> out = new ArrayList<>();
        page.getJsonArray(key).forEach(o -> out.add(((JsonObject) o).getString("uuid")));
        return out;
    }

    @Test
    void createShowAndLinks() {
        String uuid = UUID.randomUUID().toString();
        Resp r = post(
                        "/v1/chassis",
                        new JsonObject()
                                .put("uuid", uuid)
                                .put("description", "rack 12, row B")
                                .put("extra", new JsonObject().put("site", "fra1")))
                .v(LATEST)
                .expect(201);
        assertEquals(base + "/v1/chassis/" + uuid, r.header("Location"));
        JsonObject c = r.json();
        assertEquals(
                Set.of("uuid", "description", "extra", "created_at", "updated_at", "links", "nodes"), c.fieldNames());
        assertEquals("rack 12, row B", c.getString("description"));
        assertEquals("fra1", c.getJsonObject("extra").getString("site"));
        assertNull(c.getValue("updated_at"));
        assertLinks(c.getJsonArray("links"), "chassis/" + uuid);
        assertLinks(c.getJsonArray("nodes"), "chassis/" + uuid + "/nodes");

        JsonObject shown = get("/v1/chassis/" + uuid).v("1.1").expect(200).json();
        assertEquals(c, shown);
        JsonObject some = get("/v1/chassis/" + uuid + "?fields=description,nodes")
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(Set.of("description", "nodes", "links"), some.fieldNames());
        assertError(get("/v1/chassis/" + uuid + "?fields=uuid").v("1.7").send(), 406, null);
        assertError(get("/v1/chassis/" + uuid + "?fields=name").v(LATEST).send(), 400, "name");

        // a generated UUID, and an empty body is a chassis too
        JsonObject bare = createChassis(new JsonObject());
        assertNotNull(UUID.fromString(bare.getString("uuid")));
        assertEquals(new JsonObject(), bare.getJsonObject("extra"));
        assertNull(bare.getValue("description"));
        assertEquals(
                2L,
                scalar(
                        "SELECT count(*) FROM events WHERE event_type = 'baremetal.chassis.create.end'"
                                + " AND (payload->>'uuid')::uuid IN (?, ?)",
                        uuid,
                        bare.getString("uuid")));
    }

    @Test
    void theV1RootLinksTheChassis() {
        assertLinks(get("/v1").v(LATEST).expect(200).json().getJsonArray("chassis"), "chassis");
    }

    @Test
    void createRejectsBadInput() {
        long before = count("chassis");
        assertError(
                post("/v1/chassis", new JsonObject().put("name", "x")).v(LATEST).send(), 400, "name");
        assertError(post("/v1/chassis", new JsonObject().put("id", 5)).v(LATEST).send(), 400, "id");
        assertError(
                post("/v1/chassis", new JsonObject().put("uuid", "not-a-uuid"))
                        .v(LATEST)
                        .send(),
                400,
                "uuid");
        assertError(
                post("/v1/chassis", new JsonObject().put("description", "x".repeat(256)))
                        .v(LATEST)
                        .send(),
                400,
                "255");
        assertError(
                post("/v1/chassis", new JsonObject().put("description", 7))
                        .v(LATEST)
                        .send(),
                400,
                null);
        assertError(
                post("/v1/chassis", new JsonObject().put("extra", "x"))
                        .v(LATEST)
                        .send(),
                400,
                "extra");
        String uuid = createChassis(new JsonObject()).getString("uuid");
        assertError(
                post("/v1/chassis", new JsonObject().put("uuid", uuid))
                        .v(LATEST)
                        .send(),
                409,
                uuid);
        assertEquals(before + 1, count("chassis"));
        // a unicode description of exactly 255 characters is fine
        createChassis(new JsonObject().put("description", "é".repeat(255)));
    }

    @Test
    void showNotFoundAndBadUuid() {
        String missing = UUID.randomUUID().toString();
        assertError(get("/v1/chassis/" + missing).v(LATEST).send(), 404, "Chassis " + missing + " could not be found.");
        assertError(get("/v1/chassis/rack-1").v(LATEST).send(), 400, "Expected a UUID but received rack-1.");
        assertError(
                patch("/v1/chassis/" + missing, patchOps(op("add", "/extra/a", "b")))
                        .v(LATEST)
                        .send(),
                404,
                missing);
        assertError(delete("/v1/chassis/" + missing).v(LATEST).send(), 404, missing);
        // /v1/chassis/{uuid}/detail is not a collection
        String uuid = createChassis(new JsonObject()).getString("uuid");
        assertError(get("/v1/chassis/" + uuid + "/detail").v(LATEST).send(), 404, null);
    }

    @Test
    void listDetailPagingAndSorting() {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            made.add(createChassis(new JsonObject().put("description", "page-" + i))
                    .getString("uuid"));
        }
        JsonObject plain = get("/v1/chassis").v(LATEST).expect(200).json();
        assertTrue(uuids(plain, "chassis").containsAll(made), plain::encode);
        JsonObject first = plain.getJsonArray("chassis").getJsonObject(0);
        assertEquals(Set.of("uuid", "description", "links"), first.fieldNames());

        JsonObject detail = get("/v1/chassis/detail").v(LATEST).expect(200).json();
        assertEquals(
                Set.of("uuid", "description", "extra", "created_at", "updated_at", "links", "nodes"),
                detail.getJsonArray("chassis").getJsonObject(0).fieldNames());
        JsonObject detailParam =
                get("/v1/chassis?detail=True").v(LATEST).expect(200).json();
        assertEquals(
                detail.getJsonArray("chassis").size(),
                detailParam.getJsonArray("chassis").size());
        assertError(get("/v1/chassis?detail=True").v("1.42").send(), 400, "Invalid query parameter ?detail=True");
        assertError(get("/v1/chassis?detail=True&fields=uuid").v(LATEST).send(), 400, null);
        assertError(get("/v1/chassis/detail?fields=uuid").v(LATEST).send(), 400, null);
        JsonObject fields =
                get("/v1/chassis?fields=uuid,extra").v(LATEST).expect(200).json();
        assertEquals(
                Set.of("uuid", "extra", "links"),
                fields.getJsonArray("chassis").getJsonObject(0).fieldNames());

        // paging: limit and marker, with a next link while pages are full
        JsonObject page1 = get("/v1/chassis?limit=2").v(LATEST).expect(200).json();
        assertEquals(2, page1.getJsonArray("chassis").size());
        String next = page1.getString("next");
        assertNotNull(next, page1::encode);
        assertTrue(next.startsWith(base + "/v1/chassis?"), next);
        assertTrue(next.contains("marker=" + uuids(page1, "chassis").get(1)), next);
        JsonObject page2 =
                get(next.substring(base.length())).v(LATEST).expect(200).json();
        assertFalse(uuids(page2, "chassis").contains(uuids(page1, "chassis").get(0)));

        JsonObject desc = get("/v1/chassis?sort_key=description&sort_dir=desc&limit=1000")
                .v(LATEST)
                .expect(200)
                .json();
        List<String> descriptions = new ArrayList<>();
        desc.getJsonArray("chassis").forEach(o -> {
            String d = ((JsonObject) o).getString("description");
            if (d != null && d.startsWith("page-")) {
                descriptions.add(d);
            }
        });
        assertEquals(List.of("page-4", "page-3", "page-2", "page-1", "page-0"), descriptions);
        assertError(get("/v1/chassis?sort_key=extra").v(LATEST).send(), 400, "sort_key");
        assertError(get("/v1/chassis?sort_dir=up").v(LATEST).send(), 400, "sort direction");
        assertError(get("/v1/chassis?limit=0").v(LATEST).send(), 400, "Limit must be positive");
        assertError(get("/v1/chassis?marker=nope").v(LATEST).send(), 400, null);
        assertError(get("/v1/chassis?marker=" + UUID.randomUUID()).v(LATEST).send(), 404, null);
        assertError(get("/v1/chassis?frobnicate=1").v(LATEST).send(), 400, "frobnicate");
    }

    @Test
    void patchDescriptionAndExtra() {
        String uuid = createChassis(new JsonObject()
                        .put("description", "old")
                        .put("extra", new JsonObject().put("a", "1").put("b", "2")))
                .getString("uuid");
        JsonObject p = patch(
                        "/v1/chassis/" + uuid,
                        patchOps(op("replace", "/description", "new"), op("add", "/extra/c", "3"), remove("/extra/a")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals("new", p.getString("description"));
        assertEquals(new JsonObject().put("b", "2").put("c", "3"), p.getJsonObject("extra"));
        assertNotNull(p.getValue("updated_at"));
        assertLinks(p.getJsonArray("nodes"), "chassis/" + uuid + "/nodes");
        JsonObject cleared = patch("/v1/chassis/" + uuid, patchOps(remove("/description"), remove("/extra")))
                .v(LATEST)
                .expect(200)
                .json();
        assertNull(cleared.getValue("description"));
        assertEquals(new JsonObject(), cleared.getJsonObject("extra"));
        assertEquals(
                2L,
                scalar(
                        "SELECT count(*) FROM events WHERE event_type = 'baremetal.chassis.update.end'"
                                + " AND (payload->>'uuid')::uuid = ?",
                        uuid));

        // only uuid, extra and description exist for a patch; uuid is fixed
        assertError(
                patch("/v1/chassis/" + uuid, patchOps(op("add", "/foo", "bar")))
                        .v(LATEST)
                        .send(),
                400,
                "Cannot patch /foo. Only the following can be updated: uuid, extra, description");
        assertError(
                patch("/v1/chassis/" + uuid, patchOps(remove("/uuid")))
                        .v(LATEST)
                        .send(),
                400,
                "uuid");
        assertError(
                patch("/v1/chassis/" + uuid, patchOps(remove("/extra/non-existent")))
                        .v(LATEST)
                        .send(),
                400,
                null);
        assertError(
                patch("/v1/chassis/" + uuid, patchOps(op("replace", "/description", "x".repeat(256))))
                        .v(LATEST)
                        .send(),
                400,
                null);
        assertNull(get("/v1/chassis/" + uuid).v(LATEST).expect(200).json().getValue("description"));
    }

    @Test
    void nodesOfAChassis() {
        String chassis = createChassis(new JsonObject()).getString("uuid");
        String other = createChassis(new JsonObject()).getString("uuid");
        List<String> inside = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inside.add(createNode(new JsonObject()
                            .put("driver", "fake-hardware")
                            .put("name", "in-chassis-" + i)
                            .put("chassis_uuid", chassis))
                    .getString("uuid"));
        }
        String outside = createNode(new JsonObject()
                        .put("driver", "fake-hardware")
                        .put("name", "in-other")
                        .put("chassis_uuid", other))
                .getString("uuid");

        JsonObject nodes =
                get("/v1/chassis/" + chassis + "/nodes").v(LATEST).expect(200).json();
        assertEquals(inside, uuids(nodes, "nodes"));
        assertFalse(nodes.getJsonArray("nodes").getJsonObject(0).containsKey("driver"));
        JsonObject detail = get("/v1/chassis/" + chassis + "/nodes/detail")
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(inside, uuids(detail, "nodes"));
        assertEquals(chassis, detail.getJsonArray("nodes").getJsonObject(0).getString("chassis_uuid"));
        JsonObject page = get("/v1/chassis/" + chassis + "/nodes?limit=1")
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(1, page.getJsonArray("nodes").size());
        assertNotNull(page.getString("next"));
        // the node list filter does the same, and an unknown chassis is 404 either way
        assertEquals(
                inside,
                uuids(
                        get("/v1/nodes?chassis_uuid=" + chassis)
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "nodes"));
        assertEquals(
                List.of(outside),
                uuids(
                        get("/v1/nodes/detail?chassis_uuid=" + other)
                                .v(LATEST)
                                .expect(200)
                                .json(),
                        "nodes"));
        String missing = UUID.randomUUID().toString();
        assertError(get("/v1/chassis/" + missing + "/nodes").v(LATEST).send(), 404, missing);
        assertError(get("/v1/nodes?chassis_uuid=" + missing).v(LATEST).send(), 404, missing);
        assertError(get("/v1/nodes?chassis_uuid=bad").v(LATEST).send(), 400, null);
        // the chassis' nodes are read-only and need a chassis
        assertError(get("/v1/chassis/nodes").v(LATEST).send(), 400, "Chassis id not specified.");
        assertError(
                post("/v1/chassis/" + chassis + "/nodes", new JsonObject().put("driver", "fake-hardware"))
                        .v(LATEST)
                        .send(),
                400,
                "Malformed request URI.");
        assertError(
                get("/v1/chassis/" + chassis + "/nodes/" + inside.get(0))
                        .v(LATEST)
                        .send(),
                400,
                "Malformed request URI.");
        assertError(
                patch("/v1/chassis/" + chassis + "/nodes", patchOps(op("add", "/extra/foo", "bar")))
                        .v(LATEST)
                        .send(),
                400,
                null);
        assertError(delete("/v1/chassis/" + chassis + "/nodes").v(LATEST).send(), 400, null);
    }

    @Test
    void aNodesChassisMustExistAndMayLeaveFrom125() {
        String chassis = createChassis(new JsonObject()).getString("uuid");
        String missing = UUID.randomUUID().toString();
        long nodes = count("nodes");
        assertError(
                post(
                                "/v1/nodes",
                                new JsonObject().put("driver", "fake-hardware").put("chassis_uuid", missing))
                        .v(LATEST)
                        .send(),
                400,
                "Chassis " + missing + " could not be found.");
        assertError(
                post(
                                "/v1/nodes",
                                new JsonObject().put("driver", "fake-hardware").put("chassis_uuid", "nope"))
                        .v(LATEST)
                        .send(),
                400,
                "chassis_uuid");
        assertEquals(nodes, count("nodes"));

        String node = createNode("chassis-mover").getString("uuid");
        JsonObject moved = patch("/v1/nodes/" + node, patchOps(op("add", "/chassis_uuid", chassis)))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(chassis, moved.getString("chassis_uuid"));
        assertError(
                patch("/v1/nodes/" + node, patchOps(op("replace", "/chassis_uuid", missing)))
                        .v(LATEST)
                        .send(),
                400,
                "Chassis " + missing + " could not be found.");
        assertError(
                patch("/v1/nodes/" + node, patchOps(remove("/chassis_uuid")))
                        .v("1.24")
                        .send(),
                406,
                null);
        assertEquals(chassis, scalar("SELECT chassis_uuid::text FROM nodes WHERE uuid = ?", node));
        JsonObject left = patch("/v1/nodes/" + node, patchOps(remove("/chassis_uuid")))
                .v("1.25")
                .expect(200)
                .json();
        assertNull(left.getValue("chassis_uuid"));
    }

    @Test
    void aChassisWithNodesCannotBeDeleted() {
        String chassis =
                createChassis(new JsonObject().put("description", "full")).getString("uuid");
        String node = createNode(new JsonObject()
                        .put("driver", "fake-hardware")
                        .put("name", "keeps-chassis")
                        .put("chassis_uuid", chassis))
                .getString("uuid");
        assertError(
                delete("/v1/chassis/" + chassis).v(LATEST).send(),
                400,
                "Cannot complete the requested action because chassis " + chassis + " contains nodes.");
        assertEquals(1L, scalar("SELECT count(*) FROM chassis WHERE uuid = ?", chassis));

        delete("/v1/nodes/" + node).v(LATEST).expect(204);
        delete("/v1/chassis/" + chassis).v(LATEST).expect(204);
        assertError(get("/v1/chassis/" + chassis).v(LATEST).send(), 404, null);
        assertEquals(
                1L,
                scalar(
                        "SELECT count(*) FROM events WHERE event_type = 'baremetal.chassis.delete.end'"
                                + " AND (payload->>'uuid')::uuid = ?",
                        chassis));
    }

    @Test
    void theForeignKeyHoldsWhateverTheApiChecked() {
        // a node written around the API still cannot name a missing chassis, nor keep one from being deleted
        String chassis = createChassis(new JsonObject()).getString("uuid");
        String node = createNode("fk-node").getString("uuid");
        sql("UPDATE nodes SET chassis_uuid = ? WHERE uuid = ?", chassis, node);
        JsonArray shown = get("/v1/chassis/" + chassis + "/nodes")
                .v(LATEST)
                .expect(200)
                .json()
                .getJsonArray("nodes");
        assertEquals(1, shown.size());
        AssertionError e = assertThrows(AssertionError.class, () -> sql("DELETE FROM chassis WHERE uuid = ?", chassis));
        assertTrue(e.getMessage().contains("nodes_chassis_uuid_fkey"), e.getMessage());
    }
}
