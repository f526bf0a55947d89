package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * /v1/drivers and /v1/conductors. Two more conductors are seeded before start: one dead (no heartbeat for an
 * hour) and one alive in conductor group rack9 that only runs ipmi.
 */
class DriverConductorApiTest extends ApiTestBase {
    private static final String ME = "anvil-test-driverconductorapitest";

    @Override
    protected void prepareDatabase() {
        sql("INSERT INTO conductors (hostname, conductor_group, online, drivers, updated_at) VALUES "
                + "('dead-host', '', TRUE, '[\"ipmi\", \"fake-hardware\"]', now() - interval '1 hour'), "
                + "('rack9-host', 'rack9', TRUE, '[\"ipmi\"]', now())");
    }

    private Map<String, JsonObject> byName(JsonArray drivers) {
        Map<String, JsonObject> m = new HashMap<>();
        drivers.forEach(o -> m.put(((JsonObject) o).getString("name"), (JsonObject) o));
        return m;
    }

    @Test
    void listDrivers() {
        JsonObject body = get("/v1/drivers").expect(200).json();
        Map<String, JsonObject> drivers = byName(body.getJsonArray("drivers"));
        assertEquals(Set.of("fake-hardware", "ipmi", "redfish"), drivers.keySet());
        JsonObject ipmi = drivers.get("ipmi");
        assertEquals(
                Set.of(ME, "rack9-host"), Set.copyOf(ipmi.getJsonArray("hosts").getList()));
        assertEquals(
                List.of(ME), drivers.get("fake-hardware").getJsonArray("hosts").getList());
        assertEquals("dynamic", ipmi.getString("type"));
        assertLinks(ipmi.getJsonArray("links"), "drivers/ipmi");
        assertLinks(ipmi.getJsonArray("properties"), "drivers/ipmi/properties");
        assertFalse(ipmi.containsKey("default_power_interface"));
        assertEquals(
                0,
                get("/v1/drivers?type=classic")
                        .expect(200)
                        .json()
                        .getJsonArray("drivers")
                        .size());
        assertEquals(
                3,
                get("/v1/drivers?type=dynamic")
                        .expect(200)
                        .json()
                        .getJsonArray("drivers")
                        .size());
        assertError(get("/v1/drivers?type=modern").send(), 400, "modern");
        JsonObject detailed = byName(get("/v1/drivers?detail=true")
                        .v(LATEST)
                        .expect(200)
                        .json()
                        .getJsonArray("drivers"))
                .get("ipmi");
        assertEquals("ipmitool", detailed.getString("default_power_interface"));
    }

    @Test
    void showDriverInterfacesFrom130() {
        JsonObject v129 = get("/v1/drivers/ipmi").v("1.29").expect(200).json();
        assertEquals("ipmi", v129.getString("name"));
        assertFalse(v129.containsKey("default_power_interface") || v129.containsKey("enabled_power_interfaces"));
        JsonObject v130 = get("/v1/drivers/ipmi").v("1.30").expect(200).json();
        assertEquals("ipmitool", v130.getString("default_power_interface"));
        assertEquals(
                List.of("ipmitool"),
                v130.getJsonArray("enabled_power_interfaces").getList());
        assertEquals("ipmitool", v130.getString("default_management_interface"));
        assertEquals(
                List.of("flat", "noop"),
                v130.getJsonArray("enabled_network_interfaces").getList());
        assertEquals("flat", v130.getString("default_network_interface"));
        assertLinks(v130.getJsonArray("links"), "drivers/ipmi");
        JsonObject fake = get("/v1/drivers/fake-hardware").v(LATEST).expect(200).json();
        assertEquals("fake", fake.getString("default_power_interface"));
        assertEquals(
                List.of("fake", "no-bios"),
                fake.getJsonArray("enabled_bios_interfaces").getList());
        assertEquals("noop", fake.getString("default_storage_interface"));
    }

    @Test
    void driverProperties() {
        JsonObject props = get("/v1/drivers/ipmi/properties").expect(200).json();
        assertTrue(props.getString("ipmi_address").contains("Required"), props::encode);
        assertTrue(props.containsKey("ipmi_password") && props.containsKey("ipmi_username"));
        assertEquals(
                new JsonObject(),
                get("/v1/drivers/fake-hardware/properties").expect(200).json());
    }

    @Test
    void unknownDriverIs404() {
        assertError(
                get("/v1/drivers/idrac").send(),
                404,
                "Could not find the following driver(s) or hardware type(s): idrac.");
        assertError(get("/v1/drivers/idrac/properties").send(), 404, "idrac");
    }

    @Test
    void conductorsNeed149() {
        assertError(get("/v1/conductors").v("1.48").send(), 404, null);
        assertError(get("/v1/conductors").send(), 404, null);
        assertError(get("/v1/conductors/" + ME).v("1.48").send(), 404, null);
    }

    @Test
    void listConductors() {
        JsonArray list = get("/v1/conductors").v("1.49").expect(200).json().getJsonArray("conductors");
        Map<String, JsonObject> byHost = new HashMap<>();
        list.forEach(o -> byHost.put(((JsonObject) o).getString("hostname"), (JsonObject) o));
        assertEquals(Set.of(ME, "dead-host", "rack9-host"), byHost.keySet());
        JsonObject me = byHost.get(ME);
        assertEquals(Set.of("hostname", "conductor_group", "alive", "links"), me.fieldNames());
        assertTrue(me.getBoolean("alive"));
        assertEquals("", me.getString("conductor_group"));
        assertLinks(me.getJsonArray("links"), "conductors/" + ME);
        assertFalse(byHost.get("dead-host").getBoolean("alive"));
        assertTrue(byHost.get("rack9-host").getBoolean("alive"));
        assertEquals("rack9", byHost.get("rack9-host").getString("conductor_group"));
        JsonObject detail = get("/v1/conductors?detail=true")
                .v(LATEST)
                .expect(200)
                .json()
                .getJsonArray("conductors")
                .getJsonObject(0);
        assertTrue(detail.containsKey("drivers"), detail::encode);
    }

    @Test
    void showConductor() {
        JsonObject me = get("/v1/conductors/" + ME).v(LATEST).expect(200).json();
        assertEquals(ME, me.getString("hostname"));
        assertTrue(me.getBoolean("alive"));
        assertEquals(
                Set.of("fake-hardware", "ipmi", "redfish"),
                Set.copyOf(me.getJsonArray("drivers").getList()));
        assertNotNull(me.getString("created_at"));
        assertNotNull(me.getString("updated_at"));
        assertLinks(me.getJsonArray("links"), "conductors/" + ME);
        assertError(get("/v1/conductors/nobody").v(LATEST).send(), 404, "Conductor nobody could not be found.");
    }

    @Test
    void nodeConductorFollowsGroupAndDriver() {
        JsonObject rack9 = createNode(new JsonObject().put("driver", "ipmi").put("conductor_group", "rack9"));
        assertEquals("rack9-host", rack9.getString("conductor"));
        JsonObject mine = createNode(new JsonObject().put("driver", "fake-hardware"));
        assertEquals(ME, mine.getString("conductor"));
        // no alive conductor runs fake-hardware in rack9, and none at all in rack5: Ironic's NoValidHost, nothing
        // written
        java.util.Map<String, Long> before = counts();
        assertError(
                post(
                                "/v1/nodes",
                                new JsonObject().put("driver", "fake-hardware").put("conductor_group", "rack9"))
                        .v(LATEST)
                        .send(),
                400,
                "No valid host was found. Reason: No conductor service registered which supports "
                        + "driver fake-hardware for conductor group \"rack9\".");
        assertError(
                post("/v1/nodes", new JsonObject().put("driver", "ipmi").put("conductor_group", "rack5"))
                        .v(LATEST)
                        .send(),
                400,
                "No valid host");
        assertError(
                patch("/v1/nodes/" + mine.getString("uuid"), patchOps(op("replace", "/conductor_group", "rack9")))
                        .v(LATEST)
                        .send(),
                400,
                "No valid host");
        assertEquals(before, counts());
        // moving the ipmi node between groups that run ipmi is fine and changes its conductor
        JsonObject moved = patch(
                        "/v1/nodes/" + rack9.getString("uuid"), patchOps(op("replace", "/conductor_group", "")))
                .v(LATEST)
                .expect(200)
                .json();
        assertEquals(ME, moved.getString("conductor"));
        patch("/v1/nodes/" + rack9.getString("uuid"), patchOps(op("replace", "/conductor_group", "RACK9")))
                .v(LATEST)
                .expect(200);
        assertEquals(
                List.of(rack9.getString("uuid")),
                get("/v1/nodes?conductor=rack9-host").v(LATEST).expect(200).json().getJsonArray("nodes").stream()
                        .map(o -> ((JsonObject) o).getString("uuid"))
                        .toList());
    }
}
