package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * A node's {@code network_data} (1.66) is checked against Nova's network metadata schema on create and on PATCH, as
 * Ironic's validate_network_data does: 400 {@code Invalid network_data: … } with jsonschema's wording, nothing
 * written (docs/api.md#nodes).
 */
class NetworkDataApiTest extends ApiTestBase {

    /** A valid document: one link, a bond over it, a VLAN, an IPv4 network with a route, a DNS service. */
    static JsonObject valid() {
        return new JsonObject()
                .put(
                        "links",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("id", "eth0")
                                        .put("type", "phy")
                                        .put("ethernet_mac_address", "52:54:00:12:34:56")
                                        .put("mtu", 1500))
                                .add(new JsonObject()
                                        .put("id", "bond0")
                                        .put("type", "bond")
                                        .put("ethernet_mac_address", "52:54:00:12:34:57")
                                        .put("bond_mode", "802.3ad")
                                        .put("bond_links", new JsonArray().add("eth0")))
                                .add(new JsonObject()
                                        .put("id", "vlan10")
                                        .put("type", "vlan")
                                        .put("vlan_mac_address", "52:54:00:12:34:58")
                                        .put("vlan_link", "bond0")
                                        .put("vlan_id", 10)))
                .put(
                        "networks",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("id", "net0")
                                        .put("type", "ipv4")
                                        .put("link", "vlan10")
                                        .put("network_id", "99e88329-f20d-4741-9593-25bf07847b16")
                                        .put("ip_address", "192.168.81.99")
                                        .put("netmask", "255.255.252.0")
                                        .put(
                                                "routes",
                                                new JsonArray()
                                                        .add(new JsonObject()
                                                                .put("network", "0.0.0.0")
                                                                .put("netmask", "0.0.0.0")
                                                                .put("gateway", "192.168.80.1"))))
                                .add(new JsonObject()
                                        .put("id", "net6")
                                        .put("type", "ipv6_slaac")
                                        .put("link", "eth0")
                                        .put("network_id", "n6")))
                .put(
                        "services",
                        new JsonArray().add(new JsonObject().put("type", "dns").put("address", "8.8.8.8")));
    }

    @Test
    void aValidDocumentIsStoredOnCreateAndPatch() {
        JsonObject created = post(
                        "/v1/nodes",
                        new JsonObject()
                                .put("driver", "fake-hardware")
                                .put("name", "nd-valid")
                                .put("network_data", valid()))
                .v(LATEST)
                .expect(201)
                .json();
        assertEquals(valid(), created.getJsonObject("network_data"));
        JsonObject empty = new JsonObject()
                .put("links", new JsonArray())
                .put("networks", new JsonArray())
                .put("services", new JsonArray());
        JsonObject patched = patch("/v1/nodes/nd-valid", patchOps(op("replace", "/network_data", empty)))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(empty, patched.getJsonObject("network_data"));
        // a value below the top is not checked by Ironic either; removing the field is always allowed
        patch("/v1/nodes/nd-valid", patchOps(op("remove", "/network_data", null)))
                .v(LATEST)
                .expect(200);
    }

    @Test
    void anInvalidDocumentIs400InJsonschemasWords() {
        String uuid = createNode("nd-invalid").getString("uuid");
        JsonObject noServices = valid();
        noServices.remove("services");
        assertInvalid(uuid, noServices, "Invalid network_data: 'services' is a required property ");

        JsonObject badMac = valid();
        badMac.getJsonArray("links").getJsonObject(0).put("ethernet_mac_address", "zz:54:00:12:34:56");
        assertInvalid(
                uuid, badMac, "Invalid network_data: 'zz:54:00:12:34:56' does not match '(?i)^([0-9A-F]{2}[:-]){5}");

        JsonObject badType = valid();
        badType.getJsonArray("links").getJsonObject(0).put("type", "wifi");
        assertInvalid(uuid, badType, "Invalid network_data: {'id': 'eth0', 'type': 'wifi', ");

        JsonObject badMtu = valid();
        badMtu.getJsonArray("links").getJsonObject(0).put("mtu", 0);
        assertInvalid(uuid, badMtu, "Invalid network_data: 0 is less than the minimum of 1 ");

        JsonObject badVlan = valid();
        badVlan.getJsonArray("links").getJsonObject(2).remove("vlan_id");
        assertInvalid(uuid, badVlan, "Invalid network_data: 'vlan_id' is a required property ");

        JsonObject badNet = valid();
        badNet.getJsonArray("networks").getJsonObject(0).put("ip_address", "192.168.81.300");
        assertInvalid(uuid, badNet, "Invalid network_data: '192.168.81.300' does not match ");

        JsonObject badService = valid();
        badService.getJsonArray("services").getJsonObject(0).put("type", "ntp");
        assertInvalid(
                uuid,
                badService,
                "Invalid network_data: {'type': 'ntp', 'address': '8.8.8.8'} is not valid "
                        + "under any of the given schemas ");

        assertInvalid(uuid, "links", "Invalid network_data: 'links' is not of type 'object' ");

        // on create as well, and nothing is written
        assertError(
                post(
                                "/v1/nodes",
                                new JsonObject()
                                        .put("driver", "fake-hardware")
                                        .put("name", "nd-refused")
                                        .put("network_data", noServices))
                        .v(LATEST)
                        .send(),
                400,
                "Invalid network_data: 'services' is a required property ");
        get("/v1/nodes/nd-refused").v(LATEST).expect(404);
    }

    private void assertInvalid(String uuid, Object doc, String message) {
        String fault = assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("add", "/network_data", doc)))
                        .v(LATEST)
                        .send(),
                400,
                message);
        assertEquals(
                0,
                ((JsonObject) get("/v1/nodes/" + uuid).v(LATEST).expect(200).json())
                        .getJsonObject("network_data", new JsonObject())
                        .size(),
                fault);
    }
}
