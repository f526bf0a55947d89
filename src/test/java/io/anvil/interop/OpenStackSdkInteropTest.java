package io.anvil.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chassis and node traits driven by openstacksdk (Debian's python3-openstacksdk) with a clouds.yaml of
 * {@code auth_type: none}: the script {@code interop/sdk_chassis_traits.py} asserts each answer as it goes and
 * reports what it saw, which this test checks again. Skipped where the SDK is missing, failed when CI=true.
 */
class OpenStackSdkInteropTest {
    private static AnvilInstance anvil;
    private static String python;

    @BeforeAll
    static void start() throws Exception {
        python = pythonWithSdk(TestServices.requireTool("python3"));
        anvil = AnvilInstance.start(Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (anvil != null) {
            anvil.close();
        }
    }

    /**
     * The first interpreter that imports openstack: Debian installs the SDK for the system python3, which a
     * python3 earlier on PATH (pyenv, a venv) may not see.
     */
    private static String pythonWithSdk(String onPath) throws Exception {
        Set<String> candidates = new LinkedHashSet<>(List.of(onPath, "/usr/bin/python3"));
        for (String candidate : candidates) {
            if (!new java.io.File(candidate).canExecute()) {
                continue;
            }
            Process p = new ProcessBuilder(candidate, "-c", "import openstack")
                    .redirectErrorStream(true)
                    .start();
            read(p.getInputStream());
            if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return candidate;
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("openstacksdk (python3-openstacksdk) is required when CI=true: no python3 on "
                    + candidates + " imports openstack");
        }
        Assumptions.abort("openstacksdk is not installed (apt-get install python3-openstacksdk); skipping");
        return null;
    }

    private static String read(InputStream in) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void chassisAndTraitsThroughTheSdk(@TempDir Path dir) throws Exception {
        Path clouds = dir.resolve("clouds.yaml");
        Files.writeString(
                clouds,
                "clouds:\n"
                        + "  anvil:\n"
                        + "    auth_type: none\n"
                        + "    auth:\n"
                        + "      endpoint: " + anvil.endpoint() + "\n"
                        + "    baremetal_endpoint_override: " + anvil.endpoint() + "\n");
        Path script = dir.resolve("sdk_chassis_traits.py");
        try (InputStream in = getClass().getResourceAsStream("/interop/sdk_chassis_traits.py")) {
            assertTrue(in != null, "interop/sdk_chassis_traits.py missing from the test classpath");
            Files.copy(in, script);
        }
        ProcessBuilder pb = new ProcessBuilder(python, script.toString());
        pb.environment().put("OS_CLIENT_CONFIG_FILE", clouds.toString());
        pb.environment().put("HOME", dir.toString()); // no user clouds.yaml or cache leaks in
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the SDK script did not finish");
        String stderr = err.get(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), () -> "the SDK script failed:\n" + stderr + out);

        List<String> lines = new ArrayList<>(out.lines().toList());
        JsonObject report = new JsonObject(lines.get(lines.size() - 1));
        assertEquals("sdk rack 2", report.getString("chassis_description"));
        assertEquals(null, report.getValue("node_power_state"));
        assertEquals(400, report.getInteger("delete_nonempty_status"));
        assertEquals(new JsonArray(List.of("CUSTOM_B")), report.getJsonArray("traits"));
        assertEquals(409, report.getInteger("retire_available_status"));
        assertEquals(new JsonArray(), report.getJsonArray("chassis_left"));
    }
}
