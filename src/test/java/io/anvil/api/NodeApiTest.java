package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.lock.LockLease;
import io.anvil.lock.LockRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** /v1/nodes: create, show, JSON-Patch update, delete, states, maintenance and the reservation lock. */
class NodeApiTest extends ApiTestBase {
    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of("conductor.api_lock_wait", 0.3);
    }

    private static final String HOST = "anvil-test-nodeapitest";

    private JsonObject fake(String name) {
        return new JsonObject().put("driver", "fake-hardware").put("name", name);
    }

    private String lockedMessage(String uuid, String holder) {
        return "Node " + uuid + " is locked by host " + holder + ", please retry after the current operation is "
                + "completed.";
    }

    // ---- create ----

    @Test
    void createReturns201WithLocationLinksAndDefaults() {
        long eventsBefore = count("events");
        ApiTestBase.Resp r = post("/v1/nodes", fake("create-1").put("extra", new JsonObject().put("rack", 4)))
                .v(LATEST)
                .expect(201);
        JsonObject n = r.json();
        String uuid = n.getString("uuid");
        assertNotNull(UUID.fromString(uuid));
        assertEquals(base + "/v1/nodes/" + uuid, r.header("Location"));
        assertEquals("create-1", n.getString("name"));
        assertEquals("fake-hardware", n.getString("driver"));
        assertEquals("enroll", n.getString("provision_state"));
        assertNull(n.getValue("power_state"));
        assertFalse(n.getBoolean("maintenance"));
        assertEquals(new JsonObject().put("rack", 4), n.getJsonObject("extra"));
        assertEquals(new JsonObject(), n.getJsonObject("driver_info"));
        assertEquals("", n.getString("conductor_group"));
        assertEquals(HOST, n.getString("conductor"));
        assertNotNull(n.getString("created_at"));
        assertNull(n.getValue("updated_at"));
        Map<String, String> defaults = Map.ofEntries(
                Map.entry("bios_interface", "fake"),
                Map.entry("boot_interface", "fake"),
                Map.entry("console_interface", "fake"),
                Map.entry("deploy_interface", "fake"),
                Map.entry("inspect_interface", "fake"),
                Map.entry("management_interface", "fake"),
                Map.entry("network_interface", "flat"),
                Map.entry("power_interface", "fake"),
                Map.entry("raid_interface", "fake"),
                Map.entry("rescue_interface", "fake"),
                Map.entry("storage_interface", "noop"),
                Map.entry("vendor_interface", "fake"));
        defaults.forEach((k, v) -> assertEquals(v, n.getString(k), k));
        assertLinks(n.getJsonArray("links"), "nodes/" + uuid);
        for (String sub : List.of("ports", "portgroups", "states", "volume")) {
            assertLinks(n.getJsonArray(sub), "nodes/" + uuid + "/" + sub);
        }
        assertEquals(1L, scalar("SELECT count(*) FROM nodes WHERE uuid = ?", uuid));
        assertEquals(eventsBefore + 1, count("events"));
        assertEquals(
                "baremetal.node.create.end",
                scalar("SELECT event_type FROM events WHERE node_uuid = ? ORDER BY seq DESC LIMIT 1", uuid));
    }

    @Test
    void createHonoursAGivenUuidAndIpmiDefaults() {
        String uuid = UUID.randomUUID().toString();
        JsonObject n = createNode(new JsonObject()
                .put("driver", "ipmi")
                .put("uuid", uuid)
                .put("network_interface", "noop")
                .put("resource_class", "gold"));
        assertEquals(uuid, n.getString("uuid"));
        assertEquals("ipmitool", n.getString("power_interface"));
        assertEquals("ipmitool", n.getString("management_interface"));
        assertEquals("no-console", n.getString("console_interface"));
        assertEquals("noop", n.getString("network_interface"));
        assertEquals("gold", n.getString("resource_class"));
        assertNull(n.getValue("name"));
        // the same UUID again is a conflict and writes nothing
        Map<String, Long> before = counts();
        assertError(
                post("/v1/nodes", new JsonObject().put("driver", "ipmi").put("uuid", uuid))
                        .v(LATEST)
                        .send(),
                409,
                uuid);
        assertEquals(before, counts());
    }

    @Test
    void createRejectsUnsupportedInterfaceAndUnknownDriver() {
        Map<String, Long> before = counts();
        assertError(
                post("/v1/nodes", new JsonObject().put("driver", "ipmi").put("power_interface", "fake"))
                        .v(LATEST)
                        .send(),
                400,
                "power interface implementation 'fake'");
        assertError(
                post("/v1/nodes", new JsonObject().put("driver", "idrac"))
                        .v(LATEST)
                        .send(),
                400,
                "No valid host was found. Reason: No conductor service registered which supports driver idrac");
        assertError(
                post("/v1/nodes", new JsonObject().put("name", "no-driver"))
                        .v(LATEST)
                        .send(),
                400,
                "driver");
        assertEquals(before, counts());
    }

    @Test
    void duplicateNameOnCreateIs409AndWritesNothing() {
        createNode("dup-create");
        Map<String, Long> before = counts();
        assertError(
                post("/v1/nodes", fake("dup-create")).v(LATEST).send(),
                409,
                "A node with name dup-create already exists.");
        assertEquals(before, counts());
    }

    // ---- show ----

    @Test
    void showByUuidAndByName() {
        JsonObject n = createNode("show-me");
        String uuid = n.getString("uuid");
        JsonObject byUuid = get("/v1/nodes/" + uuid).v(LATEST).expect(200).json();
        JsonObject byName = get("/v1/nodes/show-me").v(LATEST).expect(200).json();
        assertEquals(byUuid, byName);
        assertEquals(uuid, byName.getString("uuid"));
        assertLinks(byName.getJsonArray("links"), "nodes/" + uuid);
        // a UUID without dashes still finds it
        assertEquals(
                uuid,
                get("/v1/nodes/" + uuid.replace("-", ""))
                        .v(LATEST)
                        .expect(200)
                        .json()
                        .getString("uuid"));
        JsonObject only = get("/v1/nodes/show-me?fields=uuid,driver")
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(Set.of("uuid", "driver", "links"), only.fieldNames());
        assertError(get("/v1/nodes/show-me?fields=uuid,bogus").v(LATEST).send(), 400, "bogus");
    }

    @Test
    void showUnknownIs404() {
        String missing = UUID.randomUUID().toString();
        assertError(get("/v1/nodes/" + missing).v(LATEST).send(), 404, "Node " + missing + " could not be found.");
        assertError(get("/v1/nodes/nobody-here").v(LATEST).send(), 404, "Node nobody-here could not be found.");
        assertError(get("/v1/nodes/" + missing + "/states").send(), 404, missing);
    }

    @Test
    void namesIdentifyNodesFromMicroversion15() {
        String uuid = createNode("named-late").getString("uuid");
        assertError(get("/v1/nodes/named-late").v("1.4").send(), 404, "Node named-late could not be found.");
        assertError(get("/v1/nodes/named-late/states").v("1.4").send(), 404, "named-late");
        assertEquals(
                uuid, get("/v1/nodes/named-late").v("1.5").expect(200).json().getString("uuid"));
        assertEquals(uuid, get("/v1/nodes/" + uuid).v("1.4").expect(200).json().getString("uuid"));
        // neither a UUID nor a valid logical name: 400, as Ironic's InvalidUuidOrName
        assertError(
                get("/v1/nodes/bad%20name").v(LATEST).send(),
                400,
                "Expected a logical name or UUID but received bad name.");
        assertError(
                put("/v1/nodes/bad%20name/maintenance", new JsonObject())
                        .v(LATEST)
                        .send(),
                400,
                "bad name");
    }

    // ---- patch ----

    @Test
    void patchAddReplaceRemoveOnNestedPaths() {
        JsonObject n = createNode("patch-nested");
        String uuid = n.getString("uuid");
        JsonObject p1 = patch(
                        "/v1/nodes/" + uuid,
                        patchOps(
                                op("add", "/extra/foo", "bar"),
                                op("add", "/driver_info/ipmi_address", "10.0.0.5"),
                                op("add", "/driver_info/ipmi_password", "hunter2"),
                                op("replace", "/description", "rack 4, slot 2")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals("bar", p1.getJsonObject("extra").getString("foo"));
        assertEquals("10.0.0.5", p1.getJsonObject("driver_info").getString("ipmi_address"));
        assertEquals("******", p1.getJsonObject("driver_info").getString("ipmi_password"));
        assertEquals("rack 4, slot 2", p1.getString("description"));
        assertNotNull(p1.getString("updated_at"));
        assertLinks(p1.getJsonArray("links"), "nodes/" + uuid);
        assertEquals("hunter2", storedSecret("SELECT driver_info->>'ipmi_password' FROM nodes WHERE uuid = ?", uuid));

        JsonObject p2 = patch(
                        "/v1/nodes/patch-nested",
                        patchOps(
                                op("replace", "/extra/foo", "baz"),
                                op("add", "/extra/nested", new JsonObject().put("a", 1)),
                                op("add", "/extra/nested/b", 2)))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(
                new JsonObject()
                        .put("foo", "baz")
                        .put("nested", new JsonObject().put("a", 1).put("b", 2)),
                p2.getJsonObject("extra"));

        JsonObject p3 = patch(
                        "/v1/nodes/" + uuid,
                        patchOps(remove("/extra/foo"), remove("/driver_info/ipmi_password"), remove("/description")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(
                new JsonObject().put("nested", new JsonObject().put("a", 1).put("b", 2)), p3.getJsonObject("extra"));
        assertEquals(new JsonObject().put("ipmi_address", "10.0.0.5"), p3.getJsonObject("driver_info"));
        assertNull(p3.getValue("description"));

        JsonObject p4 = patch("/v1/nodes/" + uuid, patchOps(remove("/extra")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(new JsonObject(), p4.getJsonObject("extra"));
        // the stored row matches what the API said
        assertEquals("{}", scalar("SELECT extra::text FROM nodes WHERE uuid = ?", uuid));
        assertEquals(
                4L,
                scalar(
                        "SELECT count(*) FROM events WHERE node_uuid = ? AND event_type = ?",
                        uuid,
                        "baremetal.node.update.end"));
    }

    @Test
    void patchRenameAndDriverChangeResetsInterfaces() {
        String uuid = createNode("patch-rename").getString("uuid");
        assertError(
                patch("/v1/nodes/patch-rename?reset_interfaces=true", patchOps(op("replace", "/name", "x")))
                        .v(LATEST)
                        .send(),
                400,
                "The reset_interfaces parameter can only be used when changing the node's driver.");
        assertError(
                patch("/v1/nodes/patch-rename?reset_interfaces=true", patchOps(op("replace", "/driver", "ipmi")))
                        .v("1.44")
                        .send(),
                406,
                null);
        JsonObject p = patch(
                        "/v1/nodes/patch-rename?reset_interfaces=true",
                        patchOps(op("replace", "/name", "patch-renamed"), op("replace", "/driver", "ipmi")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals("patch-renamed", p.getString("name"));
        assertEquals("ipmi", p.getString("driver"));
        assertEquals("ipmitool", p.getString("power_interface"));
        assertEquals("no-bios", p.getString("bios_interface"));
        assertError(get("/v1/nodes/patch-rename").v(LATEST).send(), 404, null);
        assertEquals(
                uuid,
                get("/v1/nodes/patch-renamed").v(LATEST).expect(200).json().getString("uuid"));
    }

    @Test
    void patchRejectsInternalUnknownMandatoryAndBadOps() {
        JsonObject n = createNode("patch-bad");
        String uuid = n.getString("uuid");
        Map<String, Long> before = counts();
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("replace", "/provision_state", "active")))
                        .v(LATEST)
                        .send(),
                400,
                "Cannot patch /provision_state. Only the following can be updated: automated_clean,");
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("replace", "/power_state", "power on")))
                        .v(LATEST)
                        .send(),
                400,
                "Cannot patch /power_state.");
        assertError(
                patch(
                                "/v1/nodes/" + uuid,
                                patchOps(
                                        op("replace", "/uuid", UUID.randomUUID().toString())))
                        .v(LATEST)
                        .send(),
                400,
                "/uuid");
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(remove("/driver")))
                        .v(LATEST)
                        .send(),
                400,
                "'/driver' is a mandatory attribute and can not be removed");
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("add", "/flavour", "x")))
                        .v(LATEST)
                        .send(),
                400,
                "flavour");
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("frobnicate", "/extra/a", "x")))
                        .v(LATEST)
                        .send(),
                400,
                "frobnicate");
        assertError(
                patch(
                                "/v1/nodes/" + uuid,
                                patchOps(new JsonObject().put("op", "add").put("path", "/extra/a")))
                        .v(LATEST)
                        .send(),
                400,
                "value");
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("replace", "extra", new JsonObject())))
                        .v(LATEST)
                        .send(),
                400,
                "path");
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(remove("/extra/missing")))
                        .v(LATEST)
                        .send(),
                400,
                "/extra/missing");
        assertError(
                patch("/v1/nodes/" + uuid, new JsonObject().put("op", "add"))
                        .v(LATEST)
                        .send(),
                400,
                "list");
        assertError(patch("/v1/nodes/" + uuid, patchOps()).v(LATEST).send(), 400, "empty");
        // a field newer than the requested version: 406 (Ironic's reject_patch_in_newer_versions)
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("replace", "/owner", "alice")))
                        .v("1.49")
                        .send(),
                406,
                "owner");
        assertError(
                patch("/v1/nodes/" + UUID.randomUUID(), patchOps(op("add", "/extra/a", 1)))
                        .v(LATEST)
                        .send(),
                404,
                "could not be found");
        assertEquals(before, counts());
        assertNull(scalar("SELECT updated_at FROM nodes WHERE uuid = ?", uuid));
    }

    @Test
    void patchTestOperation() {
        String uuid = createNode("patch-test-op").getString("uuid");
        patch("/v1/nodes/" + uuid, patchOps(op("test", "/name", "patch-test-op"), op("add", "/extra/ok", true)))
                .v(LATEST)
                .expect(200);
        Map<String, Long> before = counts();
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("test", "/name", "other"), op("add", "/extra/no", true)))
                        .v(LATEST)
                        .send(),
                400,
                "/name");
        assertEquals(before, counts());
        assertEquals("{\"ok\": true}", scalar("SELECT extra::text FROM nodes WHERE uuid = ?", uuid));
    }

    @Test
    void duplicateNameOnPatchIs409AndWritesNothing() {
        createNode("dup-a");
        String b = createNode("dup-b").getString("uuid");
        Map<String, Long> before = counts();
        assertError(
                patch("/v1/nodes/" + b, patchOps(op("replace", "/name", "dup-a"), op("add", "/extra/x", 1)))
                        .v(LATEST)
                        .send(),
                409,
                "A node with name dup-a already exists.");
        assertEquals(before, counts());
        assertEquals("dup-b", scalar("SELECT name FROM nodes WHERE uuid = ?", b));
        assertEquals("{}", scalar("SELECT extra::text FROM nodes WHERE uuid = ?", b));
    }

    @Test
    void interfaceChangeDependsOnStateAndMaintenance() {
        String uuid = createNode("iface-state").getString("uuid");
        JsonObject ok = patch("/v1/nodes/" + uuid, patchOps(op("replace", "/network_interface", "noop")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals("noop", ok.getString("network_interface"));
        sql("UPDATE nodes SET provision_state = 'active' WHERE uuid = ?", uuid);
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("replace", "/network_interface", "flat")))
                        .v(LATEST)
                        .send(),
                409,
                "can not have network_interface updated unless it is in one of allowed");
        // a new driver alone is not state-checked (ConductorManager.update_node), but keeps the interfaces: the
        // fake power interface is not ipmi's, so without reset_interfaces it is refused
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("replace", "/driver", "ipmi")))
                        .v(LATEST)
                        .send(),
                400,
                "interface implementation 'fake' is not supported by hardware type ipmi");
        assertEquals("fake-hardware", scalar("SELECT driver FROM nodes WHERE uuid = ?", uuid));
        assertEquals("noop", scalar("SELECT network_interface FROM nodes WHERE uuid = ?", uuid));
        // other fields may still change in active
        patch("/v1/nodes/" + uuid, patchOps(op("add", "/extra/note", "fine")))
                .v(LATEST)
                .expect(200);
        // in maintenance the interface may change
        put("/v1/nodes/" + uuid + "/maintenance", null).v(LATEST).expect(202);
        assertEquals(
                "flat",
                patch("/v1/nodes/" + uuid, patchOps(op("replace", "/network_interface", "flat")))
                        .v(LATEST)
                        .expect(200)
                        .json()
                        .getString("network_interface"));
        sql("UPDATE nodes SET provision_state = 'deploying', maintenance = false WHERE uuid = ?", uuid);
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("replace", "/rescue_interface", "no-rescue")))
                        .v(LATEST)
                        .send(),
                409,
                "can not have rescue_interface updated");
        // setting an interface to the value it already has changes nothing, so it is allowed (as in Ironic)
        patch("/v1/nodes/" + uuid, patchOps(op("replace", "/boot_interface", "fake")))
                .v(LATEST)
                .expect(200);
        assertEquals("fake", scalar("SELECT rescue_interface FROM nodes WHERE uuid = ?", uuid));
        sql("UPDATE nodes SET provision_state = 'manageable' WHERE uuid = ?", uuid);
        // an implementation the hardware type lacks is a 400 in any state
        assertError(
                patch("/v1/nodes/iface-state", patchOps(op("replace", "/power_interface", "ipmitool")))
                        .v(LATEST)
                        .send(),
                400,
                "power interface implementation 'ipmitool' is not supported");
        assertEquals("fake", scalar("SELECT power_interface FROM nodes WHERE uuid = ?", uuid));
    }

    @Test
    void protectedNeedsActive() {
        String uuid = createNode("protect-me").getString("uuid");
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("replace", "/protected", true)))
                        .v(LATEST)
                        .send(),
                409,
                "can only be made protected in provision states 'active' or 'rescue', the current state is 'enroll'");
        assertError(
                patch("/v1/nodes/" + uuid, patchOps(op("replace", "/protected_reason", "why")))
                        .v(LATEST)
                        .send(),
                400,
                "The protected_reason field can only be set when protected is True");
        sql("UPDATE nodes SET provision_state = 'rescue' WHERE uuid = ?", uuid);
        patch("/v1/nodes/" + uuid, patchOps(op("replace", "/protected", true)))
                .v(LATEST)
                .expect(200);
        patch("/v1/nodes/" + uuid, patchOps(op("replace", "/protected", false)))
                .v(LATEST)
                .expect(200);
        sql("UPDATE nodes SET provision_state = 'active' WHERE uuid = ?", uuid);
        JsonObject p = patch(
                        "/v1/nodes/" + uuid,
                        patchOps(op("replace", "/protected", true), op("replace", "/protected_reason", "production")))
                .v(LATEST)
                .expect(200)
                .json();
        assertTrue(p.getBoolean("protected"));
        assertEquals("production", p.getString("protected_reason"));
        JsonObject off = patch("/v1/nodes/" + uuid, patchOps(op("replace", "/protected", false)))
                .v(LATEST)
                .expect(200)
                .json();
        assertFalse(off.getBoolean("protected"));
        assertNull(off.getValue("protected_reason"));
    }

    // ---- delete ----

    @Test
    void deleteReturns204AndTheNodeIsGone() {
        String uuid = createNode("delete-me").getString("uuid");
        ApiTestBase.Resp r = delete("/v1/nodes/delete-me").v(LATEST).expect(204);
        assertEquals(0, r.body().length());
        assertEquals("1.1", r.header("X-OpenStack-Ironic-API-Minimum-Version"));
        assertError(get("/v1/nodes/" + uuid).send(), 404, uuid);
        assertEquals(0L, scalar("SELECT count(*) FROM nodes WHERE uuid = ?", uuid));
        assertEquals(
                "baremetal.node.delete.end",
                scalar("SELECT event_type FROM events WHERE node_uuid = ? ORDER BY seq DESC LIMIT 1", uuid));
        assertError(delete("/v1/nodes/" + uuid).send(), 404, uuid);
    }

    @Test
    void deleteInActiveIs409UnlessInMaintenance() {
        String uuid = createNode("delete-active").getString("uuid");
        sql("UPDATE nodes SET provision_state = 'active' WHERE uuid = ?", uuid);
        assertError(
                delete("/v1/nodes/" + uuid).v(LATEST).send(),
                409,
                "Can not delete node " + uuid + " while it is in provision state \"active\"");
        assertEquals(1L, scalar("SELECT count(*) FROM nodes WHERE uuid = ?", uuid));
        put("/v1/nodes/" + uuid + "/maintenance", new JsonObject().put("reason", "decommission"))
                .v(LATEST)
                .expect(202);
        delete("/v1/nodes/" + uuid).v(LATEST).expect(204);
        assertEquals(0L, scalar("SELECT count(*) FROM nodes WHERE uuid = ?", uuid));
    }

    @Test
    void deleteProtectedOrAssociatedIsRefused() {
        String uuid = createNode("delete-protected").getString("uuid");
        sql("UPDATE nodes SET provision_state = 'active', protected = true, maintenance = true WHERE uuid = ?", uuid);
        assertError(delete("/v1/nodes/" + uuid).v(LATEST).send(), 400, "is protected");
        String inst = UUID.randomUUID().toString();
        sql("UPDATE nodes SET protected = false, instance_uuid = ? WHERE uuid = ?", UUID.fromString(inst), uuid);
        assertError(delete("/v1/nodes/" + uuid).v(LATEST).send(), 409, "is associated with instance " + inst);
        assertEquals(1L, scalar("SELECT count(*) FROM nodes WHERE uuid = ?", uuid));
    }

    @Test
    void deleteCascadesToPortsPortgroupsAndVolumes() {
        String uuid = createNode("cascade").getString("uuid");
        String pg = post(
                        "/v1/portgroups",
                        new JsonObject()
                                .put("node_uuid", uuid)
                                .put("name", "cascade-pg")
                                .put("address", "52:54:00:aa:00:01"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        post(
                        "/v1/ports",
                        new JsonObject()
                                .put("node_uuid", uuid)
                                .put("address", "52:54:00:aa:00:02")
                                .put("portgroup_uuid", pg))
                .v(LATEST)
                .expect(201);
        post("/v1/ports", new JsonObject().put("node_uuid", uuid).put("address", "52:54:00:aa:00:03"))
                .v(LATEST)
                .expect(201);
        post(
                        "/v1/volume/connectors",
                        new JsonObject()
                                .put("node_uuid", uuid)
                                .put("type", "iqn")
                                .put("connector_id", "iqn.2024-01.io.anvil:cascade"))
                .v(LATEST)
                .expect(201);
        post(
                        "/v1/volume/targets",
                        new JsonObject()
                                .put("node_uuid", uuid)
                                .put("volume_type", "iscsi")
                                .put("volume_id", "vol-cascade")
                                .put("boot_index", 0))
                .v(LATEST)
                .expect(201);
        String id = "(SELECT id FROM nodes WHERE uuid = '" + uuid + "')";
        for (String t : List.of("ports", "portgroups", "volume_connectors", "volume_targets")) {
            assertNotEquals(0L, scalar("SELECT count(*) FROM " + t + " WHERE node_id = " + id), t);
        }
        long portsBefore = count("ports");
        delete("/v1/nodes/" + uuid).v(LATEST).expect(204);
        assertEquals(portsBefore - 2, count("ports"));
        assertEquals(0L, scalar("SELECT count(*) FROM portgroups WHERE name = 'cascade-pg'"));
        assertEquals(
                0L,
                scalar("SELECT count(*) FROM volume_connectors WHERE connector_id = "
                        + "'iqn.2024-01.io.anvil:cascade'"));
        assertEquals(0L, scalar("SELECT count(*) FROM volume_targets WHERE volume_id = 'vol-cascade'"));
        assertError(get("/v1/portgroups/" + pg).v(LATEST).send(), 404, pg);
    }

    // ---- states ----

    @Test
    void statesShowsProvisionAndPowerStateByVersion() {
        String uuid = createNode("states-node").getString("uuid");
        sql("UPDATE nodes SET power_state = 'power off', last_error = 'boom' WHERE uuid = ?", uuid);
        JsonObject v11 = get("/v1/nodes/" + uuid + "/states").expect(200).json();
        assertEquals(
                Set.of(
                        "console_enabled",
                        "last_error",
                        "power_state",
                        "provision_state",
                        "provision_updated_at",
                        "target_power_state",
                        "target_provision_state"),
                v11.fieldNames());
        assertEquals("enroll", v11.getString("provision_state"));
        assertEquals("power off", v11.getString("power_state"));
        assertEquals("boom", v11.getString("last_error"));
        assertNull(v11.getValue("target_provision_state"));
        assertFalse(v11.getBoolean("console_enabled"));
        assertNotNull(v11.getString("provision_updated_at"));
        JsonObject latest =
                get("/v1/nodes/states-node/states").v(LATEST).expect(200).json();
        assertTrue(
                latest.fieldNames()
                        .containsAll(Set.of("raid_config", "target_raid_config", "boot_mode", "secure_boot")),
                latest::encode);
        assertEquals(new JsonObject(), latest.getJsonObject("raid_config"));
    }

    // ---- maintenance ----

    @Test
    void maintenanceOnWithReasonAndOffClearsReasonAndFault() {
        String uuid = createNode("maint").getString("uuid");
        ApiTestBase.Resp on = put("/v1/nodes/" + uuid + "/maintenance", new JsonObject().put("reason", "disk swap"))
                .v(LATEST)
                .expect(202);
        assertEquals(0, on.body().length());
        JsonObject n = get("/v1/nodes/" + uuid).v(LATEST).expect(200).json();
        assertTrue(n.getBoolean("maintenance"));
        assertEquals("disk swap", n.getString("maintenance_reason"));
        assertEquals(
                List.of("baremetal.node.maintenance_set.start", "baremetal.node.maintenance_set.end"),
                column(
                        "SELECT event_type FROM events WHERE node_uuid = ? AND event_type LIKE '%maintenance%' ORDER BY seq",
                        uuid));
        sql("UPDATE nodes SET fault = 'power failure' WHERE uuid = ?", uuid);
        delete("/v1/nodes/maint/maintenance").v(LATEST).expect(202);
        JsonObject off = get("/v1/nodes/" + uuid).v(LATEST).expect(200).json();
        assertFalse(off.getBoolean("maintenance"));
        assertNull(off.getValue("maintenance_reason"));
        assertNull(off.getValue("fault"));
    }

    @Test
    void maintenanceWithoutReason() {
        String uuid = createNode("maint-noreason").getString("uuid");
        put("/v1/nodes/" + uuid + "/maintenance", null).expect(202);
        assertEquals(true, scalar("SELECT maintenance FROM nodes WHERE uuid = ?", uuid));
        assertNull(scalar("SELECT maintenance_reason FROM nodes WHERE uuid = ?", uuid));
        put("/v1/nodes/" + uuid + "/maintenance", new JsonObject()).expect(202);
        assertEquals(true, scalar("SELECT maintenance FROM nodes WHERE uuid = ?", uuid));
        assertError(
                put("/v1/nodes/" + uuid + "/maintenance", new JsonObject().put("reason", 42))
                        .send(),
                400,
                "reason");
        // a UUID is locked without a lookup first; a missing node is still a 404 naming it as the caller wrote it
        String absent = UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT);
        assertError(
                put("/v1/nodes/" + absent + "/maintenance", null).send(),
                404,
                "Node " + absent + " could not be found.");
        put("/v1/nodes/" + uuid.toUpperCase(java.util.Locale.ROOT) + "/maintenance", null)
                .expect(202);
        assertError(delete("/v1/nodes/nobody/maintenance").send(), 404, "nobody");
    }

    // ---- reservation ----

    @Test
    void cachedRenderingsNeverServeAStaleNode() {
        String uuid = createNode("cached").getString("uuid");
        // warm both paths that reuse the rendering: GET one node and the detail list
        get("/v1/nodes/" + uuid).v(LATEST).expect(200);
        get("/v1/nodes/detail").v(LATEST).expect(200);
        patch("/v1/nodes/" + uuid, patchOps(op("add", "/extra/rack", "r1")))
                .v(LATEST)
                .expect(200);
        assertEquals("r1", detailOf(uuid).getJsonObject("extra").getString("rack"));
        // a write that bypasses the API (another conductor, an operator's SQL) is seen too: the row version moved
        sql("UPDATE nodes SET description = 'from sql' WHERE uuid = ?::uuid", uuid);
        assertEquals("from sql", detailOf(uuid).getString("description"));
        assertEquals(
                "from sql",
                get("/v1/nodes/" + uuid).v(LATEST).expect(200).json().getString("description"));
    }

    private JsonObject detailOf(String uuid) {
        for (Object o : get("/v1/nodes/detail").v(LATEST).expect(200).json().getJsonArray("nodes")) {
            if (uuid.equals(((JsonObject) o).getString("uuid"))) {
                return (JsonObject) o;
            }
        }
        throw new AssertionError("node " + uuid + " missing from the detail list");
    }

    @Test
    void lockedNodeAnswersNodeLockedAfterItsBoundedWait() throws Exception {
        String uuid = createNode("locked").getString("uuid");
        String other = createNode("unlocked-neighbour").getString("uuid");
        String port = post("/v1/ports", new JsonObject().put("node_uuid", other).put("address", "52:54:00:bb:00:02"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        LockLease console = anvil.conductor()
                .locks()
                .acquire(uuid, LockRequest.exclusive("serial console").tryOnce())
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Map<String, Long> before = counts();
        for (String msg : List.of(
                assertError(
                        patch("/v1/nodes/" + uuid, patchOps(op("add", "/extra/a", 1)))
                                .v(LATEST)
                                .send(),
                        409,
                        null),
                assertError(delete("/v1/nodes/" + uuid).v(LATEST).send(), 409, null),
                assertError(
                        put("/v1/nodes/" + uuid + "/maintenance", new JsonObject().put("reason", "r"))
                                .v(LATEST)
                                .send(),
                        409,
                        null),
                assertError(
                        delete("/v1/nodes/" + uuid + "/maintenance").v(LATEST).send(), 409, null),
                assertError(
                        post(
                                        "/v1/ports",
                                        new JsonObject().put("node_uuid", uuid).put("address", "52:54:00:bb:00:01"))
                                .v(LATEST)
                                .send(),
                        409,
                        null),
                // moving a port onto the locked node needs that node's lock too
                assertError(
                        patch("/v1/ports/" + port, patchOps(op("replace", "/node_uuid", uuid)))
                                .v(LATEST)
                                .send(),
                        409,
                        null))) {
            assertTrue(msg.contains("Node " + uuid + " is locked"), msg);
            assertTrue(msg.contains("serial console"), "names the holder's purpose: " + msg);
        }
        assertEquals(before, counts());
        assertEquals(false, scalar("SELECT maintenance FROM nodes WHERE uuid = ?", uuid));
        assertEquals(
                other, get("/v1/ports/" + port).v(LATEST).expect(200).json().getString("node_uuid"));
        console.release().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        patch("/v1/nodes/" + uuid, patchOps(op("add", "/extra/a", 1))).v(LATEST).expect(200);
    }

    @Test
    void shortContentionQueuesInsteadOfFailing() throws Exception {
        String uuid = createNode("briefly-locked").getString("uuid");
        LockLease holder = anvil.conductor()
                .locks()
                .acquire(uuid, LockRequest.exclusive("power sync").tryOnce())
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        var pending = patch("/v1/nodes/" + uuid, patchOps(op("add", "/extra/queued", true)))
                .v(LATEST)
                .sendAsync();
        // the PATCH is now waiting in the node's fair queue; releasing the holder lets it through
        awaitQueued(uuid);
        holder.release().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        var resp = pending.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(200, resp.status(), resp.body().toString());
        assertEquals(true, resp.json().getJsonObject("extra").getBoolean("queued"));
    }

    private void awaitQueued(String uuid) throws Exception {
        for (int i = 0; i < 200; i++) {
            var info = anvil.conductor()
                    .locks()
                    .inspect(uuid)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            if (info.queueLength() > 0) {
                return;
            }
            vertxDelay(10);
        }
        throw new AssertionError("the PATCH never queued for node " + uuid);
    }
}
