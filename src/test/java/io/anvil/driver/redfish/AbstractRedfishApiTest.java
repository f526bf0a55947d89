package io.anvil.driver.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.anvil.sim.redfish.SimulatedRedfishBmc;
import io.anvil.testsupport.DriverApiTestBase;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * End-to-end tests of the {@code redfish} hardware type through the REST API against simulated Redfish fleets. Every
 * test uses its own BMC so that the client's per-BMC governor never couples tests.
 */
abstract class AbstractRedfishApiTest extends DriverApiTestBase {

    /** Quick retries and task polls (the faults answer 503 on every try), then the class's own settings. */
    @Override
    protected final Map<String, Object> configOverrides() {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("redfish.connection_attempts", 3);
        cfg.put("redfish.connection_retry_interval", 0.05);
        cfg.put("redfish.task_poll_interval", 0.05);
        cfg.putAll(extraConfig());
        return cfg;
    }

    protected Map<String, Object> extraConfig() {
        return Map.of();
    }

    /** Starts a fleet on ephemeral ports, closed after the class. */
    RedfishFleet fleet(RedfishFleetOptions options) {
        RedfishFleet f =
                await(RedfishFleet.start(vertx, options.host("127.0.0.1").basePort(0)));
        closeAfterAll(f::close);
        return f;
    }

    /** Driver info of an admin/password redfish node on {@code bmc}, verified against the fleet's CA. */
    static JsonObject driverInfo(RedfishFleet fleet, SimulatedRedfishBmc bmc) {
        JsonObject info = new JsonObject()
                .put("redfish_address", bmc.address())
                .put("redfish_username", "admin")
                .put("redfish_password", PASSWORD);
        if (fleet.tls()) {
            info.put("redfish_verify_ca", fleet.caFile().toString());
        }
        return info;
    }

    /** The redfish BIOS interface's apply_configuration step setting {@code name} to {@code value}. */
    static JsonObject biosStep(String name, String value) {
        JsonObject setting = new JsonObject().put("name", name).put("value", value);
        return new JsonObject()
                .put("interface", "bios")
                .put("step", "apply_configuration")
                .put("args", new JsonObject().put("settings", new io.vertx.core.json.JsonArray().add(setting)));
    }

    /** Creates an enroll-state redfish node; returns its UUID. */
    String createRedfishNode(JsonObject driverInfo) {
        return createRedfishNode(driverInfo, new JsonObject());
    }

    String createRedfishNode(JsonObject driverInfo, JsonObject extraFields) {
        JsonObject created = createNode("redfish", "rf", driverInfo, extraFields);
        assertEquals("redfish", created.getString("power_interface"));
        assertEquals("redfish", created.getString("management_interface"));
        return created.getString("uuid");
    }
}
