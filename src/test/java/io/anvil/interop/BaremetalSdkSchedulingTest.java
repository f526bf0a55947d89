package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * openstacksdk (python3-openstacksdk) against Anvil on VIFs, allocations and deploy templates: the script
 * {@code sdk_scheduling.py} writes a clouds.yaml with {@code auth_type: none} and Anvil's endpoint and drives
 * {@code conn.baremetal}. Skipped where {@code import openstack} fails, failed when CI=true.
 */
class BaremetalSdkSchedulingTest {
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
    void vifsAllocationsAndDeployTemplatesThroughTheSdk() {
        JsonObject seen = sdk.run("sdk_scheduling.py", null, anvil.endpoint());
        assertEquals(new JsonArray(List.of("vif-sdk")), seen.getJsonArray("vifs"));
        assertEquals(new JsonArray(List.of("CUSTOM_SDK")), seen.getJsonArray("templates"));
        assertTrue(
                seen.getString("failure").contains("no available nodes match the resource class rc-none"),
                seen.encode());
    }
}
