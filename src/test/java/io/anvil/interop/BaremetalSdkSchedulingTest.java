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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * openstacksdk (python3-openstacksdk) against Anvil on VIFs, allocations and deploy templates: the script
 * {@code sdk_scheduling.py} writes a clouds.yaml with {@code auth_type: none} and Anvil's endpoint and drives
 * {@code conn.baremetal}. Skipped where {@code import openstack} fails, failed when CI=true.
 */
class BaremetalSdkSchedulingTest {
    private static AnvilInstance anvil;
    private static String python;

    @BeforeAll
    static void start() throws Exception {
        TestServices.requireTool("python3");
        python = pythonWithSdk();
        if (python == null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("openstacksdk (python3-openstacksdk) is required when CI=true");
            }
            Assumptions.abort("no python3 on PATH can import openstack (python3-openstacksdk); skipping");
        }
        anvil = AnvilInstance.start(Map.of());
    }

    /** The first python3 on PATH that can import openstack (a pyenv shim may come before the system's). */
    private static String pythonWithSdk() throws Exception {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            java.io.File f = new java.io.File(dir, "python3");
            if (!f.canExecute()) {
                continue;
            }
            Process probe = new ProcessBuilder(f.getAbsolutePath(), "-c", "import openstack")
                    .redirectErrorStream(true)
                    .start();
            probe.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    @AfterAll
    static void stop() throws Exception {
        if (anvil != null) {
            anvil.close();
        }
    }

    @Test
    void vifsAllocationsAndDeployTemplatesThroughTheSdk() throws Exception {
        Path script = Files.createTempFile("sdk_scheduling", ".py");
        try (InputStream in = getClass().getResourceAsStream("sdk_scheduling.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder(python, script.toString(), anvil.endpoint()).start();
        String out = read(p.getInputStream());
        String err = read(p.getErrorStream());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the SDK script timed out");
        assertEquals(0, p.exitValue(), "the SDK script failed: " + err + out);
        String[] lines = out.trim().split("\n");
        JsonObject seen = new JsonObject(lines[lines.length - 1]);
        assertEquals(new JsonArray(List.of("vif-sdk")), seen.getJsonArray("vifs"));
        assertEquals(new JsonArray(List.of("CUSTOM_SDK")), seen.getJsonArray("templates"));
        assertTrue(
                seen.getString("failure").contains("no available nodes match the resource class rc-none"),
                seen.encode());
        Files.deleteIfExists(script);
    }

    private static String read(InputStream in) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toString(StandardCharsets.UTF_8);
    }
}
