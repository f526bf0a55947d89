package io.anvil.driver.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.BmcFaults;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failures of the {@code ipmi} hardware type name their cause and never a secret: wrong password, unknown user,
 * a silent BMC, a USER-level session asked to change power, and driver_info that does not validate.
 *
 * <p>Which endpoints validate driver_info: as in Ironic, {@code PUT states/power} validates the power interface
 * and {@code PUT management/boot_device} the management interface synchronously (400, nothing written, nothing
 * sent); {@code manage} from enroll validates in its verify worker, so it answers 202 and the node goes back to
 * enroll with the message in last_error.
 */
class IpmiErrorsApiTest extends AbstractIpmiApiTest {
    private SimulatedFleet fleet;

    @BeforeAll
    void fleet() {
        fleet = fleet(new FleetOptions().count(8));
    }

    /** Power on → start, error; target cleared; last_error names the failure. */
    private JsonObject failedPowerOn(String uuid, long timeoutMs) {
        assertEquals(202, power(uuid, "power on").status());
        JsonObject n = awaitPowerSettled(uuid, timeoutMs);
        assertNull(n.getValue("target_power_state"));
        assertEquals(List.of("start:power on", "error:power on"), powerEvents(uuid));
        Event error = events(uuid).stream()
                .filter(e -> e.type().equals("baremetal.node.power_set.error"))
                .findFirst()
                .orElseThrow();
        assertEquals("error", error.priority());
        String lastError = n.getString("last_error");
        assertTrue(
                lastError != null && lastError.startsWith("Failed to change power state to 'power on' by 'power on': "),
                n.encode());
        return n;
    }

    @Test
    void wrongPasswordNamesBadCredentials() {
        SimulatedBmc bmc = fleet.bmc(0);
        String uuid = createIpmiNode(driverInfo(bmc).put("ipmi_password", "Wr0ng-S3cret"));
        JsonObject n = failedPowerOn(uuid, 15_000);
        String err = n.getString("last_error");
        assertTrue(err.contains("RAKP2") && err.contains("wrong password"), err);
        assertTrue(err.contains("127.0.0.1:" + bmc.port()), "names the BMC: " + err);
        assertTrue(!err.contains("Wr0ng-S3cret"), err);
        assertEquals(PowerState.OFF, bmc.power());
        assertEquals(0, bmc.counters().chassisControls());
        assertTrue(bmc.counters().handshakesAbandoned() + bmc.counters().sessionsOpened() >= 0);
    }

    @Test
    void unknownUserIsNamed() {
        SimulatedBmc bmc = fleet.bmc(1);
        String uuid = createIpmiNode(driverInfo(bmc).put("ipmi_username", "nobody"));
        String err = failedPowerOn(uuid, 15_000).getString("last_error");
        assertTrue(err.contains("user 'nobody' unknown to the BMC"), err);
        assertTrue(bmc.counters().unknownUsers() >= 1);
        assertEquals(0, bmc.counters().chassisControls());
    }

    /** No answer at all: the client gives up after its retransmits (1+2+3+4 s) and says so. */
    @Test
    void silentBmcTimesOut() {
        SimulatedBmc bmc = fleet.bmc(2);
        bmc.faults(BmcFaults.NONE.withSilent(true));
        String uuid = createIpmiNode(driverInfo(bmc));
        String err = failedPowerOn(uuid, 30_000).getString("last_error");
        assertTrue(err.contains("no answer to") && err.contains("tries"), err);
        assertTrue(bmc.counters().droppedByFault() >= 4, "retransmitted: " + bmc.counters());
    }

    /** ipmi_priv_level USER: the state read works, Chassis Control is refused with 0xD4. */
    @Test
    void userPrivilegeCannotChangePower() {
        SimulatedBmc bmc = fleet.bmc(3);
        String uuid = createIpmiNode(driverInfo(bmc).put("ipmi_priv_level", "USER"));
        String err = failedPowerOn(uuid, 15_000).getString("last_error");
        assertTrue(err.toLowerCase(Locale.ROOT).contains("insufficient privilege"), err);
        assertTrue(err.contains("Chassis Control"), err);
        assertEquals(PowerState.OFF, bmc.power());
        assertTrue(bmc.counters().privilegeDenied() >= 1);
    }

    /** A BMC error on boot device set is a failed request naming the cause, never a 2xx. */
    @Test
    void bootDeviceFailureIsReported() {
        SimulatedBmc bmc = fleet.bmc(4);
        String uuid = createIpmiNode(driverInfo(bmc).put("ipmi_password", "Wr0ng-S3cret"));
        Resp r = call(
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/management/boot_device",
                new JsonObject().put("boot_device", "pxe"));
        assertTrue(r.status() >= 400, r.toString());
        assertTrue(r.fault().contains("wrong password"), r.toString());
    }

    @Test
    void driverInfoValidation() {
        SimulatedBmc bmc = fleet.bmc(5);
        record Case(JsonObject info, String fragment) {}
        JsonObject good = driverInfo(bmc);
        JsonObject noAddress = good.copy();
        noAddress.remove("ipmi_address");
        List<Case> cases = List.of(
                new Case(noAddress, "Missing the following IPMI credentials in node"),
                new Case(good.copy().put("ipmi_port", "not-a-port"), "Invalid ipmi_port 'not-a-port'"),
                new Case(good.copy().put("ipmi_port", 70000), "Invalid ipmi_port '70000'"),
                new Case(good.copy().put("ipmi_priv_level", "ROOT"), "Invalid privilege level value: ROOT"),
                new Case(good.copy().put("ipmi_protocol_version", "3.0"), "Invalid IPMI protocol version value 3.0"),
                new Case(good.copy().put("ipmi_cipher_suite", 5), "Unsupported ipmi_cipher_suite 5"),
                new Case(good.copy().put("ipmi_hex_kg_key", "xyz"), "ipmi_hex_kg_key must be"));
        for (Case c : cases) {
            String uuid = createIpmiNode(c.info());
            Resp r = power(uuid, "power on");
            assertEquals(400, r.status(), () -> c + " -> " + r);
            assertTrue(r.fault().contains(c.fragment()), () -> c.fragment() + " in " + r.fault());
            JsonObject n = node(uuid);
            assertNull(n.getValue("target_power_state"), "nothing recorded on a 400");
            assertTrue(powerEvents(uuid).isEmpty(), "no notification on a 400");

            Resp boot = call(
                    HttpMethod.PUT,
                    "/v1/nodes/" + uuid + "/management/boot_device",
                    new JsonObject().put("boot_device", "pxe"));
            assertEquals(400, boot.status(), () -> c + " -> " + boot);
            assertTrue(boot.fault().contains(c.fragment()), boot.fault());

            // manage validates in its worker (Ironic's do_node_verify): 202, back to enroll with last_error
            assertEquals(202, provision(uuid, "manage").status());
            n = awaitNode(
                    uuid,
                    x -> "enroll".equals(x.getString("provision_state"))
                            && x.getValue("target_provision_state") == null
                            && x.getValue("last_error") != null,
                    10_000);
            assertTrue(n.getString("last_error").contains(c.fragment()), n.getString("last_error"));
        }
        assertEquals(0, bmc.counters().received(), "no datagram for an invalid driver_info");
    }

    /** driver_info secrets are masked in node responses, lists and every event payload. */
    @Test
    void secretsMasked() {
        SimulatedBmc bmc = fleet.bmc(6);
        String uuid = createIpmiNode(driverInfo(bmc).put("ipmi_hex_kg_key", "00112233"));
        assertEquals(202, power(uuid, "power on").status());
        // Kg is wrong for this BMC (it has none): fails with a RAKP4 message, key not shown
        JsonObject n = awaitPowerSettled(uuid, 15_000);
        JsonObject di = n.getJsonObject("driver_info");
        assertEquals("******", di.getString("ipmi_password"));
        assertEquals("******", di.getString("ipmi_hex_kg_key"));
        String detail =
                expect(200, HttpMethod.GET, "/v1/nodes/detail", null).body().toString();
        assertTrue(!detail.contains("00112233"), detail);
        for (Event e : events(uuid)) {
            assertTrue(!e.payload().encode().contains("00112233"), e.toString());
            JsonObject pdi = e.payload().getJsonObject("driver_info");
            if (pdi != null) {
                assertEquals("******", pdi.getString("ipmi_password"), e.toString());
            }
        }
        String err = n.getString("last_error");
        if (err != null) {
            assertTrue(!err.contains("00112233"), err);
        }
    }
}
