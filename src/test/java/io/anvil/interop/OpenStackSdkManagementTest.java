package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.OpenStackSdk;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * openstacksdk's baremetal proxy (python3-openstacksdk) against Anvil through a clouds.yaml with {@code auth_type:
 * none}: validate_node, set_node_boot_mode, set_node_secure_boot, list/call_node_vendor_passthru (send_raw reaching
 * the simulated BMC), and inject_nmi_to_node / list_node_bios_settings when the installed SDK has them. The script is
 * src/test/resources/interop/baremetal_management.py. Skipped where the SDK is missing, failed when CI=true.
 */
class OpenStackSdkManagementTest {
    private static AnvilInstance anvil;
    private static Vertx vertx;
    private static SimulatedFleet fleet;
    private static OpenStackSdk sdk;

    @BeforeAll
    static void start() throws Exception {
        anvil = AnvilInstance.start(Map.of());
        sdk = OpenStackSdk.at(anvil.endpoint());
        vertx = Vertx.vertx();
        fleet = get(SimulatedFleet.start(
                vertx, new FleetOptions().count(1).host("127.0.0.1").basePort(0)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (anvil != null) {
            anvil.close();
        }
        if (fleet != null) {
            get(fleet.close());
        }
        if (vertx != null) {
            get(vertx.close());
        }
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private JsonObject createNode(JsonObject body) throws Exception {
        HttpClient http = vertx.createHttpClient();
        try {
            Buffer b = get(io.anvil.testsupport.OnContext.of(vertx).call(() -> http.request(new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setAbsoluteURI(anvil.endpoint() + "/v1/nodes")
                            .putHeader("Content-Type", "application/json")
                            .putHeader("X-OpenStack-Ironic-API-Version", "latest"))
                    .compose(req -> req.send(body.toBuffer()))
                    .compose(resp -> resp.body())));
            return new JsonObject(b);
        } finally {
            get(http.close());
        }
    }

    @Test
    void sdkValidatesSetsBootModeAndSecureBootAndCallsSendRaw() throws Exception {
        SimulatedBmc bmc = fleet.bmc(0);
        createNode(new JsonObject().put("driver", "fake-hardware").put("name", "sdk-fake"));
        createNode(new JsonObject()
                .put("driver", "ipmi")
                .put("name", "sdk-ipmi")
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", "127.0.0.1")
                                .put("ipmi_port", bmc.port())
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", "password")));
        get(bmc.power(PowerState.ON));

        JsonObject r = sdk.run("baremetal_management.py", "\"password\"", "sdk-fake", "sdk-ipmi");

        JsonObject v = r.getJsonObject("validate_fake");
        assertEquals(11, v.size(), v.encode());
        assertEquals(true, v.getJsonObject("power").getBoolean("result"));
        String ipmiError = r.getString("validate_ipmi_error");
        assertTrue(ipmiError != null && ipmiError.contains("boot"), "validate_node(required boot) raises: " + r);
        assertEquals("bios", r.getString("boot_mode"));
        assertEquals(true, r.getBoolean("secure_boot"));
        assertTrue(r.getJsonObject("methods").containsKey("send_raw"), r.encode());
        assertEquals(200, r.getInteger("send_raw_status"));
        assertEquals("0x00", r.getJsonObject("send_raw").getString("completion_code"));
        assertTrue(r.getJsonObject("send_raw").getString("response").startsWith("0x20 0x01"), r.encode());
        if (r.containsKey("inject_nmi")) {
            assertEquals(1, bmc.counters().diagnosticInterrupts());
        }
    }
}
