package io.anvil.sim.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.Inventory;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's python3-sushy (the Redfish library Ironic's redfish driver is built on) drives the simulator over HTTPS,
 * verifying it against the simulator's CA, with session authentication: power off/on, boot override (Pxe, Once, with
 * the system's ETag), virtual media insert/eject, a BIOS attribute set through {@code @Redfish.Settings} and applied
 * at the reboot, processors/memory/NIC MACs/disks, and a firmware update followed through its task monitor. The
 * script ({@code src/test/resources/redfish/sushy_interop.py}) checks what sushy sees; this test checks the BMC's
 * state.
 */
class SushyRedfishSimInteropTest {
    private static final Duration T = Duration.ofSeconds(60);
    private static Vertx vertx;
    private static RedfishFleet fleet;
    private static HttpServer images;
    private static String python;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        python = TestServices.requirePythonModule("sushy", "python3-sushy");
        vertx = Vertx.vertx();
        fleet = Conditions.result(
                RedfishFleet.start(
                        vertx, new RedfishFleetOptions().count(3).basePort(0).taskDuration(Duration.ofMillis(100))),
                T);
        images = Conditions.result(
                vertx.createHttpServer()
                        .requestHandler(r -> r.response().end("image"))
                        .listen(0, "127.0.0.1"),
                T);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            Conditions.result(fleet.close(), T);
        }
        if (vertx != null) {
            Conditions.result(vertx.close(), T);
        }
    }

    /** Runs the script against BMC {@code index}; its JSON lines by step. */
    private static Map<String, JsonObject> sushy(int index, String... extra) {
        SimulatedRedfishBmc bmc = fleet.bmc(index);
        Path script = copyScript();
        List<String> cmd = new ArrayList<>(List.of(
                python,
                script.toString(),
                "--url",
                bmc.address(),
                "--system",
                bmc.systemPath(),
                "--ca",
                fleet.caFile().toString(),
                "--image",
                "http://127.0.0.1:" + images.actualPort() + "/deploy.iso"));
        cmd.addAll(List.of(extra));
        String output = run(cmd);
        Map<String, JsonObject> steps = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                JsonObject step = new JsonObject(line);
                steps.put(step.getString("step"), step);
                if (step.containsKey("error")) {
                    throw new AssertionError(
                            "sushy step " + step.getString("step") + " failed: " + step + "\n" + output);
                }
            }
        }
        assertTrue(steps.containsKey("done"), () -> "the script did not finish:\n" + output);
        return steps;
    }

    private static Path copyScript() {
        Path script = dir.resolve("sushy_interop.py");
        if (!Files.exists(script)) {
            try (InputStream in = SushyRedfishSimInteropTest.class.getResourceAsStream("/redfish/sushy_interop.py")) {
                Files.copy(in, script);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return script;
    }

    private static String run(List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            // requests lets these override a session's own verify= (psf/requests#3829): sushy would check the BMC
            // against the system's CAs instead of the simulator's
            pb.environment().remove("REQUESTS_CA_BUNDLE");
            pb.environment().remove("CURL_CA_BUNDLE");
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "<unreadable: " + e + ">";
                }
            });
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("sushy script timed out:\n" + out.getNow(""));
            }
            String text = out.get(10, TimeUnit.SECONDS);
            assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + "\n" + text);
            return text;
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void sushyDrivesPowerBootVirtualMediaBiosAndInventory() {
        int index = 1;
        SimulatedRedfishBmc bmc = fleet.bmc(index);
        String firmware = "http://127.0.0.1:" + images.actualPort() + "/fw/bios-4.5.6.bin";
        Map<String, JsonObject> steps = sushy(index, "--firmware", firmware);

        assertEquals(bmc.uuid(), steps.get("system").getString("uuid"));
        assertTrue(bmc.logins() >= 1, "sushy logged in through SessionService");
        assertEquals(0, Conditions.result(bmc.sessionCount(), T), "and logged out at the end");
        assertEquals(SimulatedRedfishBmc.Power.On, bmc.power());
        assertEquals("Pxe", bmc.lastBootSource(), "the restart used the one-time PXE override");
        assertEquals("Disabled", bmc.bootEnabled());
        assertEquals("Disabled", bmc.biosAttribute("ProcHyperthreading"));
        assertTrue(bmc.biosPending().isEmpty());
        assertEquals(null, bmc.mediaImage("Cd"));
        assertEquals("4.5.6", bmc.biosVersion());

        JsonObject inventory = steps.get("inventory");
        assertEquals(Inventory.cpuCount(index), inventory.getInteger("cpus"));
        assertEquals("x86", inventory.getString("arch"));
        assertEquals(Inventory.memoryMb(index) / 1024, inventory.getLong("memory_gib"));
        assertEquals(new JsonArray().add(AgentFleet.macFor(index)), inventory.getJsonArray("macs"));
        assertTrue(inventory.getJsonArray("drives").contains(Inventory.rootDiskBytes(index)), inventory::encode);
        assertNotNull(steps.get("firmware"));
    }

    @Test
    void sushyLogsInAgainWhenItsSessionExpired() {
        // every session dies after 5 requests: sushy must notice the 401 and log in again on its own
        int index = 2;
        SimulatedRedfishBmc bmc = fleet.bmc(index);
        bmc.faults(RedfishFaults.NONE.withSessionMaxUses(5));
        try {
            sushy(index);
        } finally {
            bmc.faults(null);
        }
        assertTrue(bmc.logins() > 1, "sushy re-authenticated after its session expired: " + bmc.logins());
        assertEquals("Disabled", bmc.biosAttribute("ProcHyperthreading"));
    }
}
