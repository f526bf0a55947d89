package io.anvil.driver.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code ipmi} node's NMI, vendor passthru (send_raw, bmc_reset), validate and unsupported management features
 * through the REST API, each checked at the simulated BMC (docs/ipmi.md, docs/api.md).
 */
class IpmiVendorAndNmiApiTest extends AbstractIpmiApiTest {
    private SimulatedFleet fleet;

    @BeforeAll
    void fleet() {
        fleet = fleet(new FleetOptions().count(6));
    }

    @Test
    void injectNmiPulsesTheDiagnosticInterruptAtTheBmc() {
        SimulatedBmc bmc = fleet.bmc(0);
        String uuid = createIpmiNode(driverInfo(bmc));
        await(bmc.power(PowerState.ON));
        expect(204, HttpMethod.PUT, "/v1/nodes/" + uuid + "/management/inject_nmi", new JsonObject());
        assertEquals(1, bmc.counters().diagnosticInterrupts());
        assertEquals(PowerState.ON, bmc.power(), "an NMI does not touch power");

        // a powered-off chassis refuses it (completion code D5h), as ipmitool's "power diag" then fails
        await(bmc.power(PowerState.OFF));
        Resp r = expect(500, HttpMethod.PUT, "/v1/nodes/" + uuid + "/management/inject_nmi", null);
        assertTrue(r.fault().startsWith("IPMI call failed: power diag."), r.fault());
        assertEquals(1, bmc.counters().diagnosticInterrupts());
    }

    @Test
    void sendRawRoundTripsGetDeviceId() {
        SimulatedBmc bmc = fleet.bmc(1);
        String uuid = createIpmiNode(driverInfo(bmc));
        String path = "/v1/nodes/" + uuid + "/vendor_passthru?method=send_raw";
        JsonObject r = expect(200, HttpMethod.POST, path, new JsonObject().put("raw_bytes", "0x06 0x01"))
                .json();
        assertEquals("0x00", r.getString("completion_code"));
        // device 0x20, revision 1, firmware 1.00, IPMI 2.0, then the manufacturer, product and the BMC's index
        assertTrue(r.getString("response").startsWith("0x20 0x01 0x01 0x00 0x02 0x85"), r.encode());
        String index = String.format("0x%02x 0x00 0x00 0x00", bmc.index());
        assertTrue(r.getString("response").endsWith(index), r.encode() + " should end with " + index);

        // a command the BMC lacks: its completion code comes back, nothing fails
        JsonObject unknown = expect(200, HttpMethod.POST, path, new JsonObject().put("raw_bytes", "0x06 0x55"))
                .json();
        assertEquals("0xc1", unknown.getString("completion_code"));
        assertEquals("", unknown.getString("response"));

        assertTrue(expect(400, HttpMethod.POST, path, new JsonObject())
                .fault()
                .contains("Parameter raw_bytes (string of bytes) was not specified."));
        assertTrue(expect(400, HttpMethod.POST, path, new JsonObject().put("raw_bytes", "0x06 0xZZ"))
                .fault()
                .contains("'0xZZ' is not a byte"));
        assertTrue(expect(400, HttpMethod.POST, path, new JsonObject().put("raw_bytes", "0x07 0x01"))
                .fault()
                .contains("not a request network function"));
    }

    @Test
    void bmcResetIsAnAsynchronousColdOrWarmReset() {
        SimulatedBmc bmc = fleet.bmc(2);
        String uuid = createIpmiNode(driverInfo(bmc));
        String path = "/v1/nodes/" + uuid + "/vendor_passthru?method=bmc_reset";
        Resp r = expect(202, HttpMethod.POST, path, new JsonObject().put("warm", false));
        assertEquals(0, r.body().length());
        await(bmc.when(c -> c.bmcResets() == 1));
        expect(202, HttpMethod.POST, path, new JsonObject());
        await(bmc.when(c -> c.bmcResets() == 2));

        JsonObject methods = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/vendor_passthru/methods", null)
                .json();
        assertEquals(
                new JsonObject()
                        .put("http_methods", new JsonArray().add("POST"))
                        .put("async", true)
                        .put(
                                "description",
                                "Reset the BMC. Required argument: 'warm' (Boolean) - for warm (True) or cold (False)"
                                        + " reset.")
                        .put("attach", false)
                        .put("require_exclusive_lock", true),
                methods.getJsonObject("bmc_reset"));
        assertEquals(false, methods.getJsonObject("send_raw").getBoolean("async"));
        assertEquals(
                new JsonObject(),
                expect(200, HttpMethod.GET, "/v1/drivers/ipmi/vendor_passthru/methods", null)
                        .json());
    }

    @Test
    void validateNamesEachMisconfiguration() {
        SimulatedBmc bmc = fleet.bmc(3);
        String good = createIpmiNode(driverInfo(bmc));
        JsonObject v = validate(good);
        assertEquals(new JsonObject().put("result", true), v.getJsonObject("power"));
        assertEquals(new JsonObject().put("result", true), v.getJsonObject("management"));
        assertFalse(v.getJsonObject("boot").getBoolean("result"), "ipxe boot without a port: " + v);
        assertFalse(v.getJsonObject("deploy").getBoolean("result"), "direct deploy without an image: " + v);
        assertEquals(
                "Driver ipmi does not support bios (disabled or not implemented).",
                v.getJsonObject("bios").getString("reason"));
        assertEquals(0, bmc.counters().received(), "validate never touches the BMC (Ironic's rule)");

        assertPowerReason(driverInfo(bmc).copy().put("ipmi_address", ""), "ipmi_address");
        assertPowerReason(driverInfo(bmc).put("ipmi_port", "abc"), "Invalid ipmi_port 'abc'");
        assertPowerReason(driverInfo(bmc).put("ipmi_port", 70000), "Invalid ipmi_port '70000'");
        assertPowerReason(driverInfo(bmc).put("ipmi_priv_level", "ROOT"), "Invalid privilege level value: ROOT");
        assertPowerReason(driverInfo(bmc).put("ipmi_protocol_version", "3.0"), "Invalid IPMI protocol version");
        assertPowerReason(driverInfo(bmc).put("ipmi_cipher_suite", 7), "Unsupported ipmi_cipher_suite 7");
        assertPowerReason(driverInfo(bmc).put("ipmi_cipher_suite", "x"), "Invalid ipmi_cipher_suite 'x'");
        assertPowerReason(
                driverInfo(bmc).put("ipmi_protocol_version", "1.5").put("ipmi_cipher_suite", 3),
                "Cipher suites cannot be used with IPMI 1.5");
        assertPowerReason(driverInfo(bmc).put("ipmi_hex_kg_key", "abc"), "ipmi_hex_kg_key");
    }

    private JsonObject validate(String uuid) {
        JsonObject v = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/validate", null)
                .json();
        assertEquals(11, v.size(), v.encode());
        return v;
    }

    private void assertPowerReason(JsonObject driverInfo, String fragment) {
        JsonObject info = driverInfo.copy();
        if ("".equals(info.getValue("ipmi_address"))) {
            info.remove("ipmi_address");
        }
        JsonObject v = validate(createIpmiNode(info));
        for (String iface : new String[] {"power", "management"}) {
            JsonObject r = v.getJsonObject(iface);
            assertEquals(false, r.getBoolean("result"), iface + " " + v);
            assertTrue(r.getString("reason").contains(fragment), iface + ": " + r + " should name " + fragment);
            assertFalse(r.getString("reason").contains(PASSWORD), "password in " + r);
        }
    }

    @Test
    void whatIronicsIpmitoolCannotDoIsRefusedInIronicsWords() {
        SimulatedBmc bmc = fleet.bmc(4);
        String uuid = createIpmiNode(driverInfo(bmc));
        // boot mode: accepted, then the driver refuses in the worker and last_error says so (as Ironic does)
        expect(202, HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/boot_mode", new JsonObject().put("target", "bios"));
        JsonObject n = awaitNode(uuid, x -> x.getValue("last_error") != null, 20_000);
        assertEquals(
                "Failed to change boot mode to 'bios: Driver ipmi does not support set_boot_mode (disabled or not"
                        + " implemented).",
                n.getString("last_error"));
        assertEquals(null, n.getValue("boot_mode"));
        expect(202, HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/secure_boot", new JsonObject().put("target", true));
        n = awaitNode(uuid, x -> String.valueOf(x.getValue("last_error")).contains("secure_boot"), 20_000);
        assertEquals(
                "Failed to change secure_boot state to 'True': Driver ipmi does not support set_secure_boot_state"
                        + " (disabled or not implemented).",
                n.getString("last_error"));

        assertEquals(
                "Driver ipmi does not support get_supported_indicators (disabled or not implemented).",
                expect(400, HttpMethod.GET, "/v1/nodes/" + uuid + "/management/indicators", null)
                        .fault());
        assertEquals(
                "Driver ipmi does not support raid (disabled or not implemented).",
                expect(
                                404,
                                HttpMethod.PUT,
                                "/v1/nodes/" + uuid + "/states/raid",
                                new JsonObject()
                                        .put(
                                                "logical_disks",
                                                new JsonArray()
                                                        .add(new JsonObject()
                                                                .put("size_gb", 10)
                                                                .put("raid_level", "1"))))
                        .fault());
        assertEquals(0, bmc.counters().chassisControls());
    }
}
