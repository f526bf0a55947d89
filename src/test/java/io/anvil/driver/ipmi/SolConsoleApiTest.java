package io.anvil.driver.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.ConsoleTestClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code ipmi-sol} console through the REST API and its WebSocket stream (docs/console.md): enabling opens SOL on
 * the simulated BMC, {@code console_info} names the stream, late viewers get the buffered boot log, every viewer sees
 * the same bytes, a second writer is refused while the first holds the keyboard, the stream holds no node lock, and
 * disabling ends the viewers and deactivates the payload.
 */
class SolConsoleApiTest extends AbstractIpmiApiTest {
    private static final Duration T = Duration.ofSeconds(30);
    private SimulatedFleet fleet;

    @BeforeAll
    void fleet() {
        fleet = fleet(new FleetOptions().count(4));
    }

    @Test
    void readersWriterBufferAndDisable() {
        SimulatedBmc bmc = fleet.bmc(0);
        await(bmc.power(PowerState.OFF));
        String uuid = solNode(bmc);
        JsonObject off = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/states/console", null)
                .json();
        assertEquals(false, off.getBoolean("console_enabled"));
        assertNull(off.getValue("console_info"));

        console(uuid, true);
        Conditions.await(vertx, "SOL active on the BMC", T, Duration.ofMillis(20), bmc::solActive);
        JsonObject on = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/states/console", null)
                .json();
        assertEquals(true, on.getBoolean("console_enabled"));
        assertEquals("websocket", on.getJsonObject("console_info").getString("type"));
        assertTrue(
                on.getJsonObject("console_info").getString("url").matches("ws://.*/v1/nodes/" + uuid + "/console"),
                on::encode);

        // the host boots before anyone watches: the ring buffer keeps it for late viewers
        await(bmc.power(PowerState.ON));
        Conditions.await(
                vertx,
                "boot log acknowledged",
                T,
                Duration.ofMillis(20),
                () -> bmc.counters().solCharsOut() > 40);
        try (ConsoleTestClient a = await(ConsoleTestClient.connect(vertx, anvil.apiPort(), uuid));
                ConsoleTestClient b = await(ConsoleTestClient.connect(vertx, anvil.apiPort(), uuid))) {
            await(a.control("attached"));
            await(a.screen(s -> s.contains("Anvil simulated firmware, BMC " + bmc.index())));
            await(b.screen(s -> s.contains("Booting from")));

            await(a.type("echo one\r"));
            await(a.screen(s -> s.contains("echo one\r\n")));
            await(b.screen(s -> s.contains("echo one\r\n")));
            assertEquals(a.text(), b.text(), "two readers see the same bytes");

            await(b.type("rm -rf /\r"));
            JsonObject refused = await(b.control("input_refused"));
            assertTrue(refused.getString("message").contains("another viewer is typing"), refused::encode);
            assertFalse(a.text().contains("rm -rf"), "the refused input never reached the host");

            // the stream holds no lock: the node is free while viewers read and type
            assertNull(node(uuid).getValue("reservation"));
            expect(
                    202,
                    HttpMethod.PUT,
                    "/v1/nodes/" + uuid + "/states/power",
                    new JsonObject().put("target", "power off"));
            awaitPowerSettled(uuid, 30_000);
            await(a.screen(s -> s.contains("reboot: Power down")));

            // the writer leaves: the keyboard is free for the other viewer
            a.close();
            await(a.closed());
            Conditions.await(vertx, "first viewer detached", T, Duration.ofMillis(20), () -> anvil.consoles()
                    .get(uuid)
                    .map(c -> c.viewers() == 1)
                    .orElse(false));
            await(b.type("two\r"));
            await(b.screen(s -> s.contains("two\r\n")));

            console(uuid, false);
            JsonObject ended = await(b.control("ended"));
            assertTrue(ended.getString("message").contains("disabled"), ended::encode);
            await(b.closed());
        }
        Conditions.await(vertx, "SOL deactivated", T, Duration.ofMillis(20), () -> !bmc.solActive());
        assertTrue(anvil.consoles().get(uuid).isEmpty());
    }

    /** {@code anvil console NODE} with a pipe for stdin (no raw mode): keystrokes echo, "~." detaches with 0. */
    @Test
    void anvilConsoleCommandAttachesAndDetaches() throws Exception {
        SimulatedBmc bmc = fleet.bmc(1);
        String uuid = solNode(bmc);
        console(uuid, true);
        Conditions.await(vertx, "console held", T, Duration.ofMillis(20), () -> anvil.consoles()
                .get(uuid)
                .map(c -> c.connected())
                .orElse(false));
        Process p = new ProcessBuilder(
                        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "-Xmx128m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.anvil.cli.AnvilCommand",
                        "console",
                        "--url",
                        "http://127.0.0.1:" + anvil.apiPort(),
                        uuid)
                .start();
        StringBuffer out = new StringBuffer();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[1024];
            try (var in = p.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
                }
            } catch (java.io.IOException e) {
                out.append("<" + e + ">");
            }
        });
        reader.setDaemon(true);
        reader.start();
        try (var stdin = p.getOutputStream()) {
            Conditions.await(vertx, "anvil console attached", T, Duration.ofMillis(20), () -> anvil.consoles()
                    .get(uuid)
                    .map(c -> c.viewers() == 1)
                    .orElse(false));
            stdin.write("hello cli\r".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            stdin.flush();
            Conditions.await(vertx, "echo on stdout", T, Duration.ofMillis(20), () -> out.toString()
                    .contains("hello cli\r\n"));
            stdin.write("~.".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            stdin.flush();
            assertTrue(p.waitFor(T.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), out::toString);
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), out::toString);
        console(uuid, false);
    }

    /**
     * Enabling fails on the BMC (Activate Payload refused; the session itself refused): as Ironic's
     * {@code _set_console_mode}, {@code console_enabled} ends false, {@code last_error} and the history say why, and a
     * {@code console_set.error} notification is written.
     */
    @Test
    void aRefusedActivationTurnsTheConsoleOffWithLastError() {
        SimulatedBmc refusing = fleet.bmc(2);
        refusing.faults(io.anvil.sim.bmc.BmcFaults.NONE.withCompletionCode(0x81)); // "payload type disabled"
        assertEnableFails(solNode(refusing), "Activate Payload");
        refusing.faults(io.anvil.sim.bmc.BmcFaults.NONE);

        SimulatedBmc unreachable = fleet.bmc(3);
        unreachable.faults(io.anvil.sim.bmc.BmcFaults.NONE.withOpenSessionStatus(0x01)); // no session resources
        String uuid = solNode(unreachable);
        assertEnableFails(uuid, "");
        // once the BMC answers again, enabling works and clears nothing it should not
        unreachable.faults(io.anvil.sim.bmc.BmcFaults.NONE);
        console(uuid, true);
        Conditions.await(vertx, "console held", T, Duration.ofMillis(20), () -> anvil.consoles()
                .get(uuid)
                .map(c -> c.connected())
                .orElse(false));
        console(uuid, false);
    }

    private void assertEnableFails(String uuid, String reasonContains) {
        console(uuid, true);
        Conditions.await(
                vertx,
                "console_enabled back to false",
                T,
                Duration.ofMillis(50),
                () -> Boolean.FALSE.equals(node(uuid).getBoolean("console_enabled")));
        JsonObject n = node(uuid);
        String lastError = n.getString("last_error");
        assertTrue(
                lastError != null
                        && lastError.startsWith("Error enabling the console on node " + uuid + ". Reason: ")
                        && lastError.contains(reasonContains),
                n::encode);
        assertTrue(anvil.consoles().get(uuid).isEmpty());
        JsonObject state = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/states/console", null)
                .json();
        assertEquals(false, state.getBoolean("console_enabled"), state::encode);
        Event error = events(uuid).stream()
                .filter(e -> e.type().equals("baremetal.node.console_set.error"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no console_set.error event: " + events(uuid)));
        assertEquals("error", error.priority());
        assertEquals(false, error.payload().getBoolean("console_enabled"), error.payload()::encode);
        JsonArray history = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/history", null)
                .json()
                .getJsonArray("history");
        assertTrue(history.encode().contains("Error enabling the console"), history::encode);
    }

    @Test
    void streamNeedsAnEnabledSolConsole() {
        String uuid = solNode(fleet.bmc(1));
        Throwable refused = Conditions.result(
                ConsoleTestClient.connect(vertx, anvil.apiPort(), uuid)
                        .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())),
                T);
        assertTrue(String.valueOf(refused).contains("400"), String.valueOf(refused));
        Resp plain = call(HttpMethod.GET, "/v1/nodes/" + uuid + "/console", null);
        assertEquals(400, plain.status(), plain::toString);
        assertTrue(plain.fault().contains("WebSocket"), plain::toString);
    }
}
