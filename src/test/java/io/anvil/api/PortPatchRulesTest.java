package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The node-state rules of Ironic's port and portgroup updates ({@code ironic/api/controllers/v1/port.py},
 * {@code portgroup.py}, {@code ironic/conductor/manager.py: update_port / update_portgroup}); docs/api.md lists
 * them rule by rule.
 */
class PortPatchRulesTest extends ApiTestBase {

    private String node(String name, String state) {
        String uuid = createNode(name).getString("uuid");
        sql("UPDATE nodes SET provision_state = ? WHERE uuid = ?", state, uuid);
        return uuid;
    }

    private String port(String node, String mac) {
        return post("/v1/ports", new JsonObject().put("node_uuid", node).put("address", mac))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
    }

    private Resp patchPort(String port, String version, JsonObject op) {
        return patch("/v1/ports/" + port, patchOps(op)).v(version).send();
    }

    @Test
    void aPortsMacStaysWhileItsNodeIsActiveOrHasAnInstance() {
        String active = node("mac-active", "active");
        String p = port(active, "52:54:00:cc:00:01");
        assertError(
                patchPort(p, LATEST, op("replace", "/address", "52:54:00:cc:00:02")),
                409,
                "Cannot update hardware address for port " + p + " as node " + active
                        + " is active or has instance UUID assigned");
        String withInstance = node("mac-instance", "manageable");
        sql("UPDATE nodes SET instance_uuid = gen_random_uuid() WHERE uuid = ?", withInstance);
        String q = port(withInstance, "52:54:00:cc:00:03");
        assertError(patchPort(q, LATEST, op("replace", "/address", "52:54:00:cc:00:04")), 409, null);
        sql("UPDATE nodes SET maintenance = true WHERE uuid = ?", active);
        assertEquals(
                200,
                patchPort(p, LATEST, op("replace", "/address", "52:54:00:cc:00:02"))
                        .status());
        assertEquals("52:54:00:cc:00:02", scalar("SELECT address FROM ports WHERE uuid = ?", p));
    }

    @Test
    void connectivityChangesOnlyInTheEnrolmentStatesOrInMaintenance() {
        String available = node("conn-available", "available");
        String p = port(available, "52:54:00:cc:01:01");
        for (JsonObject op : new JsonObject[] {
            op("replace", "/pxe_enabled", false),
            op("replace", "/physical_network", "physnet1"),
            op(
                    "add",
                    "/local_link_connection",
                    new JsonObject().put("switch_id", "aa:bb:cc:dd:ee:ff").put("port_id", "1"))
        }) {
            assertError(
                    patchPort(p, LATEST, op),
                    409,
                    "can not have any connectivity attributes (portgroup_id, pxe_enabled, local_link_connection,"
                            + " physical_network) updated unless node " + available
                            + " is in a enroll, inspecting, inspect wait, manageable state or in maintenance mode.");
        }
        // other fields may change in any state
        assertEquals(200, patchPort(p, LATEST, op("add", "/extra/slot", "3")).status());
        assertEquals(true, scalar("SELECT pxe_enabled FROM ports WHERE uuid = ?", p));
        sql("UPDATE nodes SET provision_state = 'manageable' WHERE uuid = ?", available);
        assertEquals(
                200, patchPort(p, LATEST, op("replace", "/pxe_enabled", false)).status());
        assertError(
                patchPort(p, LATEST, op("replace", "/physical_network", "")),
                400,
                "A non-empty value is required when setting physical_network");
    }

    @Test
    void nothingChangesWhileInspectingFrom139() {
        String inspecting = node("port-inspecting", "inspecting");
        String p = port(inspecting, "52:54:00:cc:02:01");
        assertError(
                patchPort(p, LATEST, op("add", "/extra/a", "b")),
                409,
                "Cannot update port \"" + p + "\" on \"" + inspecting + "\" while it is in state \"inspecting\".");
        assertEquals(200, patchPort(p, "1.38", op("add", "/extra/a", "b")).status());
    }

    @Test
    void portgroupMovesAndMode() {
        String from = node("pg-from", "manageable");
        String toActive = node("pg-to-active", "active");
        String toManageable = node("pg-to-manageable", "manageable");
        String pg = post(
                        "/v1/portgroups",
                        new JsonObject().put("node_uuid", from).put("name", "pg-rules"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        assertError(
                patch("/v1/portgroups/" + pg, patchOps(remove("/mode")))
                        .v(LATEST)
                        .send(),
                400,
                "'mode' is a mandatory attribute and can not be removed");
        assertError(
                patch("/v1/portgroups/" + pg, patchOps(op("replace", "/node_uuid", toActive)))
                        .v(LATEST)
                        .send(),
                409,
                "can not be associated to node " + toActive + " unless the node is in a");
        String member = port(from, "52:54:00:cc:03:01");
        patchPort(member, LATEST, op("add", "/portgroup_uuid", pg));
        assertError(
                patch("/v1/portgroups/" + pg, patchOps(op("replace", "/node_uuid", toManageable)))
                        .v(LATEST)
                        .send(),
                400,
                "because there are ports associated with this portgroup.");
        patchPort(member, LATEST, remove("/portgroup_uuid"));
        assertEquals(
                toManageable,
                patch("/v1/portgroups/" + pg, patchOps(op("replace", "/node_uuid", toManageable)))
                        .v(LATEST)
                        .expect(200)
                        .json()
                        .getString("node_uuid"));
        assertError(
                patch("/v1/portgroups/" + pg, patchOps(op("replace", "/mode", "802.3ad")))
                        .v("1.25")
                        .send(),
                406,
                "mode");
    }
}
