package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/nodes/{node}/vifs} on the {@code flat} and {@code noop} network interfaces: where a VIF lands (portgroups
 * first, then PXE-enabled ports), Ironic's errors, and the microversion gates.
 */
class VifApiTest extends ApiTestBase {
    private static int macs;

    private String port(String node, boolean pxe, String portgroup) {
        JsonObject body = new JsonObject()
                .put("node_uuid", node)
                .put("address", String.format("52:54:00:00:%02x:%02x", 0x10 + (macs / 256), macs++ % 256))
                .put("pxe_enabled", pxe);
        if (portgroup != null) {
            body.put("portgroup_uuid", portgroup);
        }
        return post("/v1/ports", body).v(LATEST).expect(201).json().getString("uuid");
    }

    private String portgroup(String node) {
        return post("/v1/portgroups", new JsonObject().put("node_uuid", node))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
    }

    private Resp attach(String node, JsonObject vif) {
        return post("/v1/nodes/" + node + "/vifs", vif).v(LATEST).send();
    }

    private List<Object> vifs(String node) {
        return get("/v1/nodes/" + node + "/vifs").v(LATEST).expect(200).json().getJsonArray("vifs").stream()
                .map(v -> ((JsonObject) v).getValue("id"))
                .toList();
    }

    private Object vifOn(String table, String uuid) {
        Object info = scalar("SELECT internal_info::text FROM " + table + " WHERE uuid = ?::uuid", uuid);
        return new JsonObject(String.valueOf(info)).getValue("tenant_vif_port_id");
    }

    @Test
    void aVifGoesToAPxePortFirstAndIsListedAndDetached() {
        String node = createNode("vif-ports").getString("uuid");
        String plain = port(node, false, null);
        String pxe = port(node, true, null);
        assertEquals(204, attach(node, new JsonObject().put("id", "vif-a")).status());
        assertEquals("vif-a", vifOn("ports", pxe));
        assertNull(vifOn("ports", plain));
        assertEquals(List.of("vif-a"), vifs(node));

        assertError(
                attach(node, new JsonObject().put("id", "vif-a")),
                409,
                "Unable to attach VIF because VIF vif-a is already attached to Ironic Port " + pxe);
        assertEquals(204, attach(node, new JsonObject().put("id", "vif-b")).status());
        assertEquals("vif-b", vifOn("ports", plain));
        assertError(
                attach(node, new JsonObject().put("id", "vif-c")),
                400,
                "Unable to attach VIF vif-c, not enough free physical ports.");

        delete("/v1/nodes/" + node + "/vifs/vif-a").v(LATEST).expect(204);
        assertNull(vifOn("ports", pxe));
        assertEquals(List.of("vif-b"), vifs(node));
        assertError(
                delete("/v1/nodes/" + node + "/vifs/vif-a").v(LATEST).send(),
                400,
                "Unable to detach VIF vif-a from node " + node + " because it is not attached to it.");
        // the failed detach is in the node's history, as Ironic records it
        assertEquals(
                1L,
                scalar(
                        "SELECT count(*) FROM node_history n JOIN nodes x ON x.id = n.node_id"
                                + " WHERE x.uuid = ?::uuid AND n.event LIKE 'Failed to detach VIF vif-a%'",
                        node));
    }

    @Test
    void aPortgroupIsPreferredAndAPortCanBeNamed() {
        String node = createNode("vif-groups").getString("uuid");
        String standalone = port(node, true, null);
        String group = portgroup(node);
        String member = port(node, true, group);
        String empty = portgroup(node);

        assertEquals(204, attach(node, new JsonObject().put("id", "vif-g")).status());
        assertEquals("vif-g", vifOn("portgroups", group));
        assertNull(vifOn("portgroups", empty), "an empty portgroup is never used");
        assertNull(vifOn("ports", member));

        assertEquals(
                204,
                attach(node, new JsonObject().put("id", "vif-p").put("port_uuid", standalone))
                        .status());
        assertEquals("vif-p", vifOn("ports", standalone));
        assertEquals(List.of("vif-p", "vif-g"), vifs(node), "ports first, then portgroups");

        // from 1.67 naming both is refused; a named portgroup that carries another VIF is not free
        assertError(
                attach(
                        node,
                        new JsonObject()
                                .put("id", "vif-x")
                                .put("port_uuid", standalone)
                                .put("portgroup_uuid", group)),
                400,
                "Cannot specify both port_uuid and portgroup_uuid");
        assertError(
                post(
                                "/v1/nodes/" + node + "/vifs",
                                new JsonObject().put("id", "vif-y").put("portgroup_uuid", group))
                        .v("1.67")
                        .send(),
                400,
                "Unable to attach VIF vif-y, not enough free physical ports.");
        delete("/v1/nodes/" + node + "/vifs/vif-g").v(LATEST).expect(204);
        assertNull(vifOn("portgroups", group));
    }

    @Test
    void noopRecordsNothing() {
        String node = createNode(new JsonObject()
                        .put("driver", "fake-hardware")
                        .put("name", "vif-noop")
                        .put("network_interface", "noop"))
                .getString("uuid");
        port(node, true, null);
        assertEquals(204, attach(node, new JsonObject().put("id", "vif-n")).status());
        assertEquals(List.of(), vifs(node));
        delete("/v1/nodes/" + node + "/vifs/anything").v(LATEST).expect(204);
    }

    @Test
    void badRequestsAndVersions() {
        String node = createNode("vif-bad").getString("uuid");
        assertError(get("/v1/nodes/" + node + "/vifs").v("1.27").send(), 404, null);
        assertError(
                post("/v1/nodes/" + node + "/vifs", new JsonObject().put("id", "v"))
                        .v("1.27")
                        .send(),
                404,
                null);
        assertEquals(
                new JsonObject().put("vifs", new JsonArray()),
                get("/v1/nodes/" + node + "/vifs").v("1.28").expect(200).json());
        assertError(attach(node, new JsonObject()), 400, "'id' is a required property");
        assertError(attach(node, new JsonObject().put("id", 5)), 400, "is not of type 'string'");
        assertError(
                attach(node, new JsonObject().put("id", "not a name")),
                400,
                "Expected UUID or name for id: not a name");
        assertError(get("/v1/nodes/no-such-node/vifs").v(LATEST).send(), 404, "Node no-such-node could not be found.");
        assertError(
                post(
                                "/v1/nodes",
                                new JsonObject().put("driver", "fake-hardware").put("network_interface", "neutron"))
                        .v(LATEST)
                        .send(),
                400,
                "neutron");
    }
}
