package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.driver.agent.RescuePasswordHash;
import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.agent.BmcAgents;
import io.anvil.sim.agent.SimulatedAgent;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code agent} rescue interface on simulated IPMI nodes (docs/agent.md#rescue): rescue powers the node off,
 * sets PXE and powers it on; the simulated BMC's PXE boot starts the rescue ramdisk's agent, which looks up and
 * heartbeats; the conductor sends it {@code rescue.finalize_rescue} with the crypt(3) hash of the password and the
 * node reaches "rescue". Unrescue boots the disk. Also the failure paths: the agent answers FAILED, the agent's API
 * cannot be reached (the node waits for the timeout), the rescue wait times out, the wait is aborted, and the rescue
 * ramdisk is not configured.
 */
class AgentRescueTest extends AgentTestSupport {
    private static final String PASSWORD = "Correct-Horse-Battery-7";
    private static final int BMCS = 10;

    private AgentFleet agents;
    private SimulatedFleet bmcs;
    private BmcAgents binding;
    private final AtomicInteger nextBmc = new AtomicInteger();
    /** BMCs whose PXE boot starts no agent (a ramdisk that never comes up). */
    private final Set<Integer> muted = ConcurrentHashMap.newKeySet();

    @Override
    protected Map<String, Object> extraConfig() {
        // the rescue wait clock is not moved by heartbeats: the timeout test moves it back in SQL instead of
        // waiting for a short timeout that a slow run of the happy path could also hit
        return Map.of(
                "api.ramdisk_heartbeat_timeout",
                1,
                "agent.liveness_flush_interval",
                0.1,
                "conductor.rescue_callback_timeout",
                600,
                "conductor.check_rescue_state_interval",
                0.2);
    }

    @BeforeAll
    void startSimulators() {
        agents = await(AgentFleet.start(
                vertx,
                AgentFleetOptions.defaults("http://127.0.0.1:" + anvil.apiPort())
                        .withMinHeartbeatInterval(Duration.ofMillis(100))
                        .withPrepareImageTime(Duration.ofMillis(200))
                        .withMaxBackoff(Duration.ofSeconds(1))));
        binding = new BmcAgents(agents, null);
        bmcs = await(SimulatedFleet.start(
                vertx,
                new FleetOptions().count(BMCS).host("127.0.0.1").basePort(0).eventListener((bmc, what) -> {
                    if (!muted.contains(bmc.index())) {
                        binding.listener(bmc, what);
                    }
                })));
    }

    @AfterAll
    void stopSimulators() {
        if (bmcs != null) {
            await(bmcs.close());
        }
        if (agents != null) {
            await(agents.close());
        }
    }

    /** A node on the next simulated BMC: {uuid, bmc index}. */
    private record SimNode(String uuid, SimulatedBmc bmc, SimulatedAgent agent) {}

    /**
     * An ipmi node with the direct deploy, the agent rescue and the iPXE boot interface (rescue ramdisk in
     * driver_info), one port with its agent's MAC, in {@code available}.
     */
    private SimNode ipmiNode(boolean rescueRamdisk) {
        int index = nextBmc.getAndIncrement();
        assertTrue(index < BMCS, "raise BMCS");
        SimulatedBmc bmc = bmcs.bmc(index);
        SimulatedAgent agent = binding.agentOf(index);
        JsonObject driverInfo = new JsonObject()
                .put("ipmi_address", "127.0.0.1")
                .put("ipmi_port", bmc.port())
                .put("ipmi_username", "admin")
                .put("ipmi_password", "password")
                .put("deploy_kernel", "http://images.example/ipa.kernel")
                .put("deploy_ramdisk", "http://images.example/ipa.initramfs");
        if (rescueRamdisk) {
            driverInfo
                    .put("rescue_kernel", "http://images.example/rescue.kernel")
                    .put("rescue_ramdisk", "http://images.example/rescue.initramfs");
        }
        JsonObject body = new JsonObject()
                .put("driver", "ipmi")
                .put("name", "rescue-" + index)
                .put("boot_interface", "ipxe")
                .put("deploy_interface", "direct")
                .put("rescue_interface", "agent")
                .put("instance_info", agents.instanceInfoFor("os.img"))
                .put("driver_info", driverInfo);
        Resp created = http(HttpMethod.POST, "/v1/nodes", body);
        assertEquals(201, created.status(), created::toString);
        String uuid = created.json().getString("uuid");
        Resp port = http(
                HttpMethod.POST,
                "/v1/ports",
                new JsonObject().put("address", agent.macs().get(0)).put("node_uuid", uuid));
        assertEquals(201, port.status(), port::toString);
        sql("UPDATE nodes SET provision_state = 'available' WHERE uuid = ?", uuid);
        return new SimNode(uuid, bmc, agent);
    }

    /** An ipmi node that a direct deploy already brought to "active" (set in SQL; the BMC booted from disk). */
    private SimNode activeNode(boolean rescueRamdisk) {
        SimNode n = ipmiNode(rescueRamdisk);
        sql("UPDATE nodes SET provision_state = 'active', power_state = 'power on' WHERE uuid = ?", n.uuid());
        await(n.bmc().power(PowerState.ON));
        return n;
    }

    private Resp rescue(String uuid, String password) {
        return putProvision(uuid, new JsonObject().put("target", "rescue").put("rescue_password", password));
    }

    private JsonObject instanceInfo(String uuid) {
        // as stored, its secrets (the rescue passwords, encrypted at rest) decrypted with the conductor's key
        return anvil.secrets()
                .openAll(new JsonObject((String) node(uuid).get("instance_info")), "instance_info", "node " + uuid);
    }

    /** GET /v1/nodes/{uuid} and the detailed list, as a client sees them. */
    private String apiViews(String uuid) {
        Resp one = http(HttpMethod.GET, "/v1/nodes/" + uuid, null);
        assertEquals(200, one.status(), one::toString);
        Resp list = http(HttpMethod.GET, "/v1/nodes/detail", null);
        assertEquals(200, list.status(), list::toString);
        return one.body().toString() + list.body().toString();
    }

    @Test
    void rescueHandsTheAgentAHashAndUnrescueBootsTheDisk() {
        SimNode n = ipmiNode(true);
        assertEquals(202, putProvision(n.uuid(), "active").status());
        waitForState(n.uuid(), "active");
        waitUntil("the deploy ramdisk is gone after the reboot to disk", () -> !n.agent()
                .running());
        long lookupsAfterDeploy = n.agent().lookups();

        assertEquals(202, rescue(n.uuid(), PASSWORD).status());
        // the agent's rescue ramdisk boots from PXE, looks up, heartbeats, is sent finalize_rescue
        waitForState(n.uuid(), "rescue");
        assertTrue(n.agent().lookups() > lookupsAfterDeploy, "the rescue ramdisk looked the node up");

        String received = n.agent().rescuePasswordHash();
        assertTrue(n.agent().rescuePasswordSentHashed());
        assertTrue(received.startsWith("$5$") && RescuePasswordHash.isCryptString(received), received);
        assertNotEquals(PASSWORD, received);
        assertTrue(RescuePasswordHash.matches(PASSWORD, received), "the hash is of the password asked for");
        waitUntil("the agent stops its API and heartbeats after finalize_rescue", () -> !n.agent()
                .serving());

        JsonObject info = instanceInfo(n.uuid());
        assertFalse(info.containsKey("rescue_password"), info::encode);
        assertFalse(info.containsKey("hashed_rescue_password"), info::encode);
        assertEquals(agents.imageUrl("os.img"), info.getString("image_source"), "the instance is kept");
        assertNull(node(n.uuid()).get("last_error"));
        assertEquals("power on", node(n.uuid()).get("power_state"));
        assertEquals(PowerState.ON, n.bmc().power());
        String views = apiViews(n.uuid());
        assertFalse(views.contains(PASSWORD));
        assertFalse(views.contains(received));

        assertEquals(202, putProvision(n.uuid(), "unrescue").status());
        waitForState(n.uuid(), "active");
        assertEquals(PowerState.ON, n.bmc().power());
        assertEquals(BootDevice.DISK, n.bmc().bootDevice(), "the instance boots from disk again");
        assertTrue(n.bmc().bootPersistent());
        assertFalse(n.agent().running(), "no ramdisk after the disk boot");
        assertEquals("power on", node(n.uuid()).get("power_state"));
        assertNull(node(n.uuid()).get("last_error"));
        info = instanceInfo(n.uuid());
        assertFalse(info.containsKey("rescue_password") || info.containsKey("hashed_rescue_password"), info::encode);
        JsonObject internal = internal(n.uuid());
        assertNull(internal.getValue("agent_secret_token"), internal::encode);
        assertNull(internal.getValue("agent_url"), internal::encode);
        assertFalse(apiViews(n.uuid()).contains(PASSWORD));
    }

    @Test
    void whileWaitingThePasswordIsStoredHashedAndMaskedInTheApi() {
        SimNode n = activeNode(true);
        muted.add(n.bmc().index()); // the ramdisk never comes up: the node stays in "rescue wait"
        assertEquals(202, rescue(n.uuid(), PASSWORD).status());
        waitForState(n.uuid(), "rescue wait");
        JsonObject info = instanceInfo(n.uuid());
        assertTrue(RescuePasswordHash.matches(PASSWORD, info.getString("hashed_rescue_password")), info::encode);
        assertEquals(PowerState.ON, n.bmc().power());
        assertEquals(BootDevice.PXE, n.bmc().lastBoot().flatMap(f -> f.device()).orElse(null));
        Resp shown = http(HttpMethod.GET, "/v1/nodes/" + n.uuid(), null);
        JsonObject ii = shown.json().getJsonObject("instance_info");
        assertEquals("******", ii.getString("rescue_password"), ii::encode);
        assertEquals("******", ii.getString("hashed_rescue_password"), ii::encode);
        String views = apiViews(n.uuid());
        assertFalse(views.contains(PASSWORD));
        assertFalse(views.contains(info.getString("hashed_rescue_password")));

        // abort: "rescue failed", the rescue clean-up forgets the password; the node keeps its power (as Ironic)
        assertEquals(202, putProvision(n.uuid(), "abort").status());
        waitForState(n.uuid(), "rescue failed");
        waitUntil("the abort's clean-up forgot the password", () -> {
            JsonObject i = instanceInfo(n.uuid());
            return !i.containsKey("rescue_password") && !i.containsKey("hashed_rescue_password");
        });
        assertEquals(PowerState.ON, n.bmc().power());
        assertEquals("power on", node(n.uuid()).get("power_state"));
    }

    @Test
    void theAgentAnsweringFailedFailsTheRescueAndPowersTheNodeOff() {
        SimNode n = activeNode(true);
        n.agent().failFinalizeRescue("Rescue Operation failed when writing the hashed rescue password");
        try {
            assertEquals(202, rescue(n.uuid(), PASSWORD).status());
            waitForState(n.uuid(), "rescue failed");
        } finally {
            n.agent().failFinalizeRescue(null);
        }
        String error = (String) node(n.uuid()).get("last_error");
        assertEquals(
                "Node failed to perform rescue operation: Failed to rescue instance None for node " + n.uuid()
                        + ": Agent returned bad result for command finalize_rescue: Rescue Operation failed when"
                        + " writing the hashed rescue password",
                error);
        assertFalse(error.contains(PASSWORD));
        assertEquals(PowerState.OFF, n.bmc().power(), "Ironic's rescuing_error_handler powers the node off");
        assertEquals("power off", node(n.uuid()).get("power_state"));
        JsonObject info = instanceInfo(n.uuid());
        assertFalse(info.containsKey("rescue_password") || info.containsKey("hashed_rescue_password"), info::encode);
        assertNull(internal(n.uuid()).getValue("agent_secret_token"));

        // a failed rescue can be retried (rescue failed → rescue), this time the agent succeeds
        assertEquals(202, rescue(n.uuid(), PASSWORD).status());
        waitForState(n.uuid(), "rescue");
        assertTrue(RescuePasswordHash.matches(PASSWORD, n.agent().rescuePasswordHash()));
    }

    @Test
    void anUnreachableAgentLeavesTheNodeWaitingUntilTheTimeoutPowersItOff() {
        SimNode n = activeNode(true);
        muted.add(n.bmc().index());
        // the rescue ramdisk's API: accepts connections and drops them unanswered
        AtomicInteger attempts = new AtomicInteger();
        HttpServer dead = await(vertx.createHttpServer()
                .requestHandler(req -> {
                    if (req.path().startsWith("/v1/commands")) {
                        attempts.incrementAndGet();
                    }
                    req.connection().close();
                })
                .listen(0, "127.0.0.1"));
        try {
            assertEquals(202, rescue(n.uuid(), PASSWORD).status());
            waitForState(n.uuid(), "rescue wait");
            Resp lookup = lookup("addresses=" + n.agent().macs().get(0), "1.62");
            assertEquals(200, lookup.status(), lookup::toString);
            String token = lookup.json().getJsonObject("config").getString("agent_token");
            String url = "http://127.0.0.1:" + dead.actualPort();
            // a second attempt only happens if the first left the node waiting
            waitUntil("two finalize_rescue attempts", () -> {
                assertEquals(
                        202,
                        heartbeat(n.uuid(), "1.68", hb(url, token, "9.4.0")).status());
                return attempts.get() >= 2;
            });
            assertEquals("rescue wait", node(n.uuid()).get("provision_state"));
            assertNull(node(n.uuid()).get("last_error"));

            // the timeout (heartbeats never reset the rescue wait clock)
            sql("UPDATE nodes SET provision_updated_at = now() - interval '1 hour' WHERE uuid = ?", n.uuid());
            waitForState(n.uuid(), "rescue failed");
            assertEquals(
                    "Timeout reached while waiting for rescue ramdisk callback for node",
                    node(n.uuid()).get("last_error"));
            assertEquals(PowerState.OFF, n.bmc().power());
            assertEquals("power off", node(n.uuid()).get("power_state"));
            JsonObject info = instanceInfo(n.uuid());
            assertFalse(info.containsKey("rescue_password") || info.containsKey("hashed_rescue_password"));
            assertNull(internal(n.uuid()).getValue("agent_url"));
        } finally {
            await(dead.close());
        }
    }

    /** A stand-in for the rescue ramdisk's command API: each POST gets the next canned answer (status, body). */
    private HttpServer commandApi(List<JsonObject> requests, List<Object[]> answers) {
        AtomicInteger next = new AtomicInteger();
        return await(vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(b -> {
                    requests.add(new JsonObject()
                            .put("method", req.method().name())
                            .put("path", req.path())
                            .put("agent_token", req.getParam("agent_token"))
                            .put("body", b.length() == 0 ? null : b.toJsonObject()));
                    Object[] a = answers.get(Math.min(next.getAndIncrement(), answers.size() - 1));
                    req.response()
                            .setStatusCode((Integer) a[0])
                            .putHeader("Content-Type", "application/json")
                            .end(((JsonObject) a[1]).encode());
                }))
                .listen(0, "127.0.0.1"));
    }

    /** Rescue with the simulated ramdisk muted: the test looks up and heartbeats for it; returns the token. */
    private String rescueWaitingForAHandMadeAgent(SimNode n) {
        muted.add(n.bmc().index());
        assertEquals(202, rescue(n.uuid(), PASSWORD).status());
        waitForState(n.uuid(), "rescue wait");
        Resp lookup = lookup("addresses=" + n.agent().macs().get(0), "1.62");
        assertEquals(200, lookup.status(), lookup::toString);
        return lookup.json().getJsonObject("config").getString("agent_token");
    }

    @Test
    void aBusyAgentIsAskedAgainOnItsNextHeartbeat() {
        SimNode n = activeNode(true);
        List<JsonObject> requests = new CopyOnWriteArrayList<>();
        JsonObject succeeded = new JsonObject()
                .put("id", "c1")
                .put("command_name", "finalize_rescue")
                .put("command_status", "SUCCEEDED")
                .putNull("command_error")
                .putNull("command_result");
        HttpServer api = commandApi(
                requests,
                List.of(
                        new Object[] {409, new JsonObject().put("faultstring", "Agent is busy.")},
                        new Object[] {200, succeeded}));
        try {
            String token = rescueWaitingForAHandMadeAgent(n);
            String url = "http://127.0.0.1:" + api.actualPort();
            assertEquals(
                    202, heartbeat(n.uuid(), "1.68", hb(url, token, "9.4.0")).status());
            waitUntil("the second heartbeat's finalize_rescue succeeded", () -> {
                if (requests.size() < 2) {
                    // not asserted: one sent just before the rescue ended may find the node in "rescue" (409)
                    heartbeat(n.uuid(), "1.68", hb(url, token, "9.4.0"));
                }
                return "rescue".equals(node(n.uuid()).get("provision_state"));
            });
            waitForState(n.uuid(), "rescue");
            assertEquals(2, requests.size(), requests::toString);
            for (JsonObject r : requests) {
                assertEquals("POST", r.getString("method"));
                assertEquals("/v1/commands/", r.getString("path"));
                assertEquals(token, r.getString("agent_token"));
                JsonObject body = r.getJsonObject("body");
                assertEquals("rescue.finalize_rescue", body.getString("name"));
                JsonObject params = body.getJsonObject("params");
                assertEquals(Set.of("rescue_password", "hashed"), params.fieldNames());
                assertEquals(true, params.getBoolean("hashed"));
                assertTrue(RescuePasswordHash.matches(PASSWORD, params.getString("rescue_password")), r::encode);
                assertFalse(r.encode().contains(PASSWORD));
            }
        } finally {
            await(api.close());
        }
    }

    @Test
    void anErrorAnswerFailsTheRescueAndPowersTheNodeOff() {
        SimNode n = activeNode(true);
        List<JsonObject> requests = new CopyOnWriteArrayList<>();
        HttpServer api = commandApi(requests, List.<Object[]>of(new Object[] {
            400, new JsonObject().put("faultcode", "Client").put("faultstring", "Unknown command")
        }));
        try {
            String token = rescueWaitingForAHandMadeAgent(n);
            String url = "http://127.0.0.1:" + api.actualPort();
            assertEquals(
                    202, heartbeat(n.uuid(), "1.68", hb(url, token, "9.4.0")).status());
            waitUntil("the agent's error failed the rescue", () -> {
                if (requests.isEmpty()) {
                    heartbeat(n.uuid(), "1.68", hb(url, token, "9.4.0"));
                }
                return "rescue failed".equals(node(n.uuid()).get("provision_state"));
            });
            waitForState(n.uuid(), "rescue failed");
            String error = (String) node(n.uuid()).get("last_error");
            assertTrue(
                    error.startsWith("Node failed to perform rescue operation: Failed to rescue instance None for node "
                            + n.uuid() + ": Agent at " + url),
                    error);
            assertTrue(error.endsWith("answered 400: Unknown command"), error);
            assertFalse(error.contains(token), "the token never shows");
            assertEquals(PowerState.OFF, n.bmc().power());
            assertEquals("power off", node(n.uuid()).get("power_state"));
            assertNull(internal(n.uuid()).getValue("agent_secret_token"));
            JsonObject info = instanceInfo(n.uuid());
            assertFalse(info.containsKey("rescue_password") || info.containsKey("hashed_rescue_password"));
        } finally {
            await(api.close());
        }
    }

    @Test
    void withoutARescueRamdiskTheRescueFailsAndForgetsThePassword() {
        SimNode n = activeNode(false);
        assertEquals(202, rescue(n.uuid(), PASSWORD).status());
        waitForState(n.uuid(), "rescue failed");
        String error = (String) node(n.uuid()).get("last_error");
        assertTrue(error.contains("'rescue_kernel'") && error.contains("'rescue_ramdisk'"), error);
        JsonObject info = instanceInfo(n.uuid());
        assertFalse(info.containsKey("rescue_password") || info.containsKey("hashed_rescue_password"), info::encode);
        assertEquals(PowerState.ON, n.bmc().power(), "nothing was done to the node");
    }

    @Test
    void theApiRefusesAnEmptyPassword() {
        SimNode n = activeNode(true);
        Resp r = rescue(n.uuid(), "  ");
        assertEquals(400, r.status(), r::toString);
        Resp none = putProvision(n.uuid(), "rescue");
        assertEquals(400, none.status(), none::toString);
        assertEquals("active", node(n.uuid()).get("provision_state"));
    }
}
