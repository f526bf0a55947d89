package io.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code anvil serve --sim-bmcs N}'s enrolment: each {@code sim-<i>} node is ready for the lifecycle with nothing else
 * installed (agent inspect and rescue, direct deploy, the example image and its SHA-256, a port), a second start
 * enrols nothing twice, the CLI sequence is printed, and the node really goes manage → inspect → provide → deploy
 * through its simulated BMC and agent with the fleet's default (human-speed) timings.
 */
class SimFleetEnrolmentTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private AnvilInstance anvil;
    private Vertx simVertx;

    @BeforeEach
    void start() throws Exception {
        anvil = AnvilInstance.start(Map.of());
        simVertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        if (anvil != null) {
            anvil.close();
        }
        if (simVertx != null) {
            get(simVertx.close());
        }
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private JsonObject call(String method, String path, JsonObject body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(anvil.endpoint() + path))
                .header("X-OpenStack-Ironic-API-Version", "1.78")
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.encode()));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() < 300, () -> method + " " + path + ": " + r.statusCode() + " " + r.body());
        return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
    }

    private JsonObject node(String name) throws Exception {
        return call("GET", "/v1/nodes/" + name, null);
    }

    private JsonObject nodeUnchecked(String name) {
        try {
            return node(name);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void provision(String name, String target, String expected) throws Exception {
        call("PUT", "/v1/nodes/" + name + "/states/provision", new JsonObject().put("target", target));
        JsonObject[] n = {node(name)};
        Conditions.await(simVertx, name + " in " + expected, Duration.ofSeconds(120), Duration.ofMillis(200), () -> {
            n[0] = nodeUnchecked(name);
            return expected.equals(n[0].getString("provision_state"));
        });
        assertNull(n[0].getValue("last_error"), n[0]::encode);
    }

    private SimulatedFleet startFleet(ByteArrayOutputStream printed) throws Exception {
        PrintStream out = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            return get(SimFleetEnrolment.start(simVertx, anvil.port(), 2, 0));
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void enrolledNodesAreReadyForTheWholeLifecycle() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        SimulatedFleet fleet = startFleet(printed);
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("export OS_AUTH_TYPE=none OS_ENDPOINT=" + anvil.endpoint()), text);
        for (String step : new String[] {"manage", "inspect", "provide", "deploy"}) {
            assertTrue(text.contains("baremetal node " + step + " sim-0 --wait"), text);
        }

        String sha256 = AgentFleet.sha256Of(SimFleetEnrolment.EXAMPLE_IMAGE);
        for (int i = 0; i < 2; i++) {
            JsonObject n = node("sim-" + i);
            assertEquals("ipmi", n.getString("driver"));
            assertEquals("ipxe", n.getString("boot_interface"));
            assertEquals("direct", n.getString("deploy_interface"));
            assertEquals("agent", n.getString("inspect_interface"));
            assertEquals("agent", n.getString("rescue_interface"));
            JsonObject info = n.getJsonObject("driver_info");
            assertEquals(fleet.bmc(i).port(), Integer.parseInt(String.valueOf(info.getValue("ipmi_port"))));
            assertEquals("******", info.getString("ipmi_password"));
            for (String image : new String[] {"deploy_kernel", "deploy_ramdisk", "rescue_kernel", "rescue_ramdisk"}) {
                assertNotNull(info.getString(image), image);
            }
            JsonObject instance = n.getJsonObject("instance_info");
            assertTrue(instance.getString("image_source").endsWith("/images/" + SimFleetEnrolment.EXAMPLE_IMAGE));
            assertEquals("sha256", instance.getString("image_os_hash_algo"));
            assertEquals(sha256, instance.getString("image_os_hash_value"));
            JsonArray ports = call("GET", "/v1/ports?node=sim-" + i, null).getJsonArray("ports");
            assertEquals(1, ports.size(), ports::encode);
            assertEquals(AgentFleet.macFor(i), ports.getJsonObject(0).getString("address"));
        }

        // nothing else installed: the node goes through the lifecycle on its simulated BMC and agent
        provision("sim-0", "manage", "manageable");
        provision("sim-0", "inspect", "manageable");
        assertNotNull(node("sim-0").getJsonObject("properties").getValue("cpus"));
        provision("sim-0", "provide", "available");
        provision("sim-0", "active", "active");
        assertEquals("power on", node("sim-0").getString("power_state"));

        // a restart (same database) enrols nothing twice
        get(fleet.close());
        startFleet(new ByteArrayOutputStream());
        assertEquals(2, call("GET", "/v1/nodes", null).getJsonArray("nodes").size());
        assertEquals(2, call("GET", "/v1/ports", null).getJsonArray("ports").size());
        assertEquals("active", node("sim-0").getString("provision_state"));
    }
}
