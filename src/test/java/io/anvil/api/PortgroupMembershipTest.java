package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * Ironic's portgroup membership rules (docs/api.md#portgroups): one physical network per portgroup
 * (validate_port_physnet), and a portgroup without standalone ports takes no PXE-enabled port or VIF-carrying port
 * (the port controller's post; the flat network interface's port_changed / portgroup_changed).
 */
class PortgroupMembershipTest extends ApiTestBase {

    private String node(String name, String network) {
        return createNode(new JsonObject()
                        .put("driver", "fake-hardware")
                        .put("name", name)
                        .put("network_interface", network))
                .getString("uuid");
    }

    private String portgroup(String node, boolean standalone) {
        return post(
                        "/v1/portgroups",
                        new JsonObject().put("node_uuid", node).put("standalone_ports_supported", standalone))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
    }

    private Req port(String node, String mac, JsonObject more) {
        return post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", node)
                                .put("address", mac)
                                .mergeIn(more))
                .v(LATEST);
    }

    @Test
    void allPortsOfAPortgroupShareOnePhysicalNetwork() {
        String n = node("pgm-physnet", "noop");
        String pg = portgroup(n, true);
        port(n, "52:54:00:0a:00:01", new JsonObject().put("portgroup_uuid", pg).put("physical_network", "physnet1"))
                .expect(201);
        // another member on another network, or on none
        assertError(
                port(
                                n,
                                "52:54:00:0a:00:02",
                                new JsonObject().put("portgroup_uuid", pg).put("physical_network", "physnet2"))
                        .send(),
                409,
                "Port with physical network physnet2 cannot become a member of port group " + pg
                        + " which has ports in physical network physnet1.");
        assertError(
                port(n, "52:54:00:0a:00:02", new JsonObject().put("portgroup_uuid", pg))
                        .send(),
                409,
                "Port with physical network None cannot become a member of port group " + pg
                        + " which has ports in physical network physnet1.");
        String same = port(
                        n,
                        "52:54:00:0a:00:02",
                        new JsonObject().put("portgroup_uuid", pg).put("physical_network", "physnet1"))
                .expect(201)
                .json()
                .getString("uuid");
        // a member changing its network while another member stays on the old one
        assertError(
                patch("/v1/ports/" + same, patchOps(op("replace", "/physical_network", "physnet2")))
                        .v(LATEST)
                        .send(),
                409,
                "Port with physical network physnet2 cannot become a member of port group " + pg);
        // a free port joining the group must be on its network
        String free = port(n, "52:54:00:0a:00:03", new JsonObject().put("physical_network", "physnet3"))
                .expect(201)
                .json()
                .getString("uuid");
        assertError(
                patch("/v1/ports/" + free, patchOps(op("add", "/portgroup_uuid", pg)))
                        .v(LATEST)
                        .send(),
                409,
                "Port with physical network physnet3 cannot become a member of port group " + pg);
        patch(
                        "/v1/ports/" + free,
                        patchOps(op("add", "/portgroup_uuid", pg), op("replace", "/physical_network", "physnet1")))
                .v(LATEST)
                .expect(200);
        assertEquals(
                3L,
                scalar(
                        "SELECT count(*) FROM ports p JOIN portgroups g ON g.id = p.portgroup_id"
                                + " WHERE g.uuid = ?::uuid AND p.physical_network = 'physnet1'",
                        pg));
    }

    @Test
    void aPortgroupWithoutStandalonePortsTakesNoPxePort() {
        String n = node("pgm-standalone", "noop");
        String pg = portgroup(n, false);
        assertError(
                port(
                                n,
                                "52:54:00:0b:00:01",
                                new JsonObject().put("portgroup_uuid", pg).put("pxe_enabled", true))
                        .send(),
                409,
                "Port group " + pg + " doesn't support standalone ports. This port cannot be created as a member of "
                        + "that portgroup as the port's 'pxe_enabled' field was set to True.");
        // the rule looks at what the request sets, as Ironic's does; noop checks no update
        port(n, "52:54:00:0b:00:01", new JsonObject().put("portgroup_uuid", pg).put("pxe_enabled", false))
                .expect(201);
    }

    @Test
    void withTheFlatInterfaceMembersAndTheFlagStayConsistent() {
        String n = node("pgm-flat", "flat");
        String pg = portgroup(n, true);
        String member = port(n, "52:54:00:0c:00:01", new JsonObject().put("portgroup_uuid", pg))
                .expect(201)
                .json()
                .getString("uuid");
        // a PXE-enabled member: the portgroup cannot stop supporting standalone ports
        assertError(
                patch("/v1/portgroups/" + pg, patchOps(op("replace", "/standalone_ports_supported", false)))
                        .v(LATEST)
                        .send(),
                409,
                "standalone_ports_supported can not be set to False, because the port group " + pg
                        + " contains port with 'pxe_enabled' is set to True");
        patch("/v1/ports/" + member, patchOps(op("replace", "/pxe_enabled", false)))
                .v(LATEST)
                .expect(200);
        patch("/v1/portgroups/" + pg, patchOps(op("replace", "/standalone_ports_supported", false)))
                .v(LATEST)
                .expect(200);
        // nor may a member become PXE-enabled again, or a PXE-enabled port join
        assertError(
                patch("/v1/ports/" + member, patchOps(op("replace", "/pxe_enabled", true)))
                        .v(LATEST)
                        .send(),
                409,
                "Port group " + pg + " doesn't support standalone ports. This port " + member
                        + " cannot be  a member of that port group because of: 'pxe_enabled' was set to True");
        String free = port(n, "52:54:00:0c:00:02", new JsonObject())
                .expect(201)
                .json()
                .getString("uuid");
        assertError(
                patch("/v1/ports/" + free, patchOps(op("add", "/portgroup_uuid", pg)))
                        .v(LATEST)
                        .send(),
                409,
                "cannot be  a member of that port group because of: 'pxe_enabled' was set to True");
        // a member carrying a VIF (the legacy extra.vif_port_id) is refused as well
        patch(
                        "/v1/ports/" + free,
                        patchOps(op("replace", "/pxe_enabled", false), op("add", "/extra/vif_port_id", "vif-1")))
                .v(LATEST)
                .expect(200);
        assertError(
                patch("/v1/ports/" + free, patchOps(op("add", "/portgroup_uuid", pg)))
                        .v(LATEST)
                        .send(),
                409,
                "because of: VIF vif-1 is attached to the port");
    }
}
