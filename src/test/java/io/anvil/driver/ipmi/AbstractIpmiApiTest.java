package io.anvil.driver.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.Anvil;
import io.anvil.ipmi.client.ClientStats;
import io.anvil.ipmi.client.IpmiClient;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.DriverApiTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/**
 * End-to-end tests of the {@code ipmi} hardware type through the REST API against simulated BMC fleets. Every test
 * uses its own BMC so that the client's per-BMC governor and circuit breaker never couple tests.
 */
abstract class AbstractIpmiApiTest extends DriverApiTestBase {

    /** An ipmi node on {@code bmc} switched to the {@code ipmi-sol} console interface (docs/console.md). */
    String solNode(SimulatedBmc bmc) {
        String uuid = createIpmiNode(driverInfo(bmc));
        expect(
                200,
                HttpMethod.PATCH,
                "/v1/nodes/" + uuid,
                new io.vertx.core.json.JsonArray()
                        .add(new JsonObject()
                                .put("op", "replace")
                                .put("path", "/console_interface")
                                .put("value", "ipmi-sol")));
        return uuid;
    }

    /** {@code PUT …/states/console} (202). */
    void console(String uuid, boolean enabled) {
        expect(202, HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/console", new JsonObject().put("enabled", enabled));
    }

    /** Starts a fleet on ephemeral ports, closed after the class. */
    SimulatedFleet fleet(FleetOptions options) {
        SimulatedFleet f =
                await(SimulatedFleet.start(vertx, options.host("127.0.0.1").basePort(0)));
        closeAfterAll(f::close);
        return f;
    }

    /** Driver info of an admin/password ipmi node on {@code bmc}. */
    static JsonObject driverInfo(SimulatedBmc bmc) {
        return new JsonObject()
                .put("ipmi_address", "127.0.0.1")
                .put("ipmi_port", bmc.port())
                .put("ipmi_username", "admin")
                .put("ipmi_password", PASSWORD);
    }

    /** Creates an enroll-state ipmi node; returns its UUID. */
    String createIpmiNode(JsonObject driverInfo) {
        return createIpmiNode(driverInfo, new JsonObject());
    }

    String createIpmiNode(JsonObject driverInfo, JsonObject extraFields) {
        JsonObject created = createNode("ipmi", "ipmi", driverInfo, extraFields);
        assertEquals("ipmitool", created.getString("power_interface"));
        assertEquals("ipmitool", created.getString("management_interface"));
        return created.getString("uuid");
    }

    /** Anvil's IPMI client; Anvil has no accessor for it yet (see the report), so the test reads the field. */
    IpmiClient ipmiClient() {
        try {
            var f = Anvil.class.getDeclaredField("ipmi");
            f.setAccessible(true);
            return (IpmiClient) f.get(anvil);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    ClientStats.BmcStats bmcStats(SimulatedBmc bmc) {
        ClientStats.BmcStats s = ipmiClient().stats().bmcs().get("127.0.0.1:" + bmc.port());
        assertTrue(
                s != null,
                () -> "no governor for " + bmc.hostAndPort() + " in "
                        + ipmiClient().stats().bmcs().keySet());
        return s;
    }
}
