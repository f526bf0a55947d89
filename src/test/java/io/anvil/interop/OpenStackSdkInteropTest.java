package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.OpenStackSdk;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chassis and node traits driven by openstacksdk (Debian's python3-openstacksdk) with a clouds.yaml of
 * {@code auth_type: none}: the script {@code interop/sdk_chassis_traits.py} asserts each answer as it goes and
 * reports what it saw, which this test checks again. Skipped where the SDK is missing, failed when CI=true.
 */
class OpenStackSdkInteropTest {
    private static AnvilInstance anvil;
    private static OpenStackSdk sdk;

    @BeforeAll
    static void start() throws Exception {
        anvil = AnvilInstance.start(Map.of());
        sdk = OpenStackSdk.at(anvil.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        if (anvil != null) {
            anvil.close();
        }
    }

    @Test
    void chassisAndTraitsThroughTheSdk() {
        JsonObject report = sdk.run("sdk_chassis_traits.py", null);
        assertEquals("sdk rack 2", report.getString("chassis_description"));
        assertEquals(null, report.getValue("node_power_state"));
        assertEquals(400, report.getInteger("delete_nonempty_status"));
        assertEquals(new JsonArray(List.of("CUSTOM_B")), report.getJsonArray("traits"));
        assertEquals(409, report.getInteger("retire_available_status"));
        assertEquals(new JsonArray(), report.getJsonArray("chassis_left"));
    }
}
