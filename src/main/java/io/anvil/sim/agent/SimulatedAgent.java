package io.anvil.sim.agent;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated ironic-python-agent, bound to a node's MAC addresses. {@link #boot()} starts what IPA does after
 * the ramdisk boots: look up (by MACs) until found, then heartbeat on IPA's jittered interval
 * ({@code heartbeat_timeout × U(0.3, 0.6)}), retrying errors with an exponential back-off with jitter and a 409
 * sooner ({@code min_heartbeat_interval × U(1, 2)}); a finished command forces a heartbeat. It answers IPA's command
 * API ({@code GET/POST {callback_url}/v1/commands/}, token checked) through the fleet's shared HTTP server.
 * {@link #stop()} is the machine powering off: every timer of this boot is void.
 *
 * <p>All state is confined to the fleet's Vert.x context.
 */
public final class SimulatedAgent {
    /** IPA's exponential back-off factor on lookup/heartbeat errors. */
    private static final double BACKOFF_FACTOR = 2.7;

    private final AgentFleet fleet;
    private final int index;
    private final List<String> macs;
    private final String version;
    private final AtomicLong heartbeatsSent = new AtomicLong();
    private final AtomicLong heartbeatsAccepted = new AtomicLong();
    private final AtomicLong lookups = new AtomicLong();
    private final List<JsonObject> commands = new ArrayList<>();

    /** Bumped by every boot and stop: callbacks of an older boot see a different value and do nothing. */
    private long generation;

    private volatile boolean running;
    private volatile String nodeUuid;
    private String token;
    private double heartbeatTimeoutSeconds = 300;
    private long previousHeartbeatNanos;
    private long nextHeartbeatTimer = -1;
    private int errors;
    private volatile int lastHeartbeatStatus;
    private volatile String lastError;

    SimulatedAgent(AgentFleet fleet, int index, List<String> macs, String version) {
        this.fleet = fleet;
        this.index = index;
        this.macs = List.copyOf(macs);
        this.version = version;
    }

    public int index() {
        return index;
    }

    public List<String> macs() {
        return macs;
    }

    /** {@code http://host:port/agents/<index>}: the callback_url this agent heartbeats with. */
    public String callbackUrl() {
        return fleet.baseUrl() + "/agents/" + index;
    }

    public boolean running() {
        return running;
    }

    public String nodeUuid() {
        return nodeUuid;
    }

    public long heartbeatsSent() {
        return heartbeatsSent.get();
    }

    public long heartbeatsAccepted() {
        return heartbeatsAccepted.get();
    }

    public long lookups() {
        return lookups.get();
    }

    /** HTTP status of the last heartbeat (0 before the first). */
    public int lastHeartbeatStatus() {
        return lastHeartbeatStatus;
    }

    public String lastError() {
        return lastError;
    }

    /** The ramdisk booted: look up, then heartbeat. A running agent reboots (new lookup, no commands). */
    public void boot() {
        fleet.context().runOnContext(v -> {
            stopNow();
            rescuePassword = null; // h-rescue: a new boot has no rescue password yet
            rescuePasswordHashed = null;
            running = true;
            long g = ++generation;
            fleet.log(this, "booted");
            lookup(g, 0);
        });
    }

    /** The machine powered off or rebooted: the agent is gone. */
    public void stop() {
        fleet.context().runOnContext(v -> stopNow());
    }

    /**
     * The agent's heartbeats stop while the ramdisk keeps answering its command API (a hung heartbeat thread, or a
     * network path to Anvil that broke one way): Anvil hears nothing more and the node's wait times out.
     */
    public void silence() {
        fleet.context().runOnContext(v -> {
            generation++; // heartbeat callbacks of this boot now do nothing
            cancelHeartbeat();
            fleet.log(this, "silenced");
        });
    }

    private void stopNow() {
        if (running) {
            fleet.log(this, "stopped");
        }
        running = false;
        generation++;
        cancelHeartbeat();
        commands.clear();
        token = null;
    }

    // ---- lookup ----

    private void lookup(long g, int attempt) {
        if (g != generation) {
            return;
        }
        lookups.incrementAndGet();
        String uri = "/v1/lookup?addresses=" + String.join(",", macs);
        fleet.request(HttpMethod.GET, uri, "1.62", null).onComplete(ar -> {
            if (g != generation) {
                return;
            }
            if (ar.succeeded() && ar.result().status() == 200) {
                JsonObject body = ar.result().json();
                nodeUuid = body.getJsonObject("node").getString("uuid");
                JsonObject config = body.getJsonObject("config");
                token = config.getString("agent_token");
                Number timeout = config.getNumber("heartbeat_timeout");
                heartbeatTimeoutSeconds = timeout == null ? 300 : timeout.doubleValue();
                fleet.log(this, "looked up node " + nodeUuid);
                heartbeat(g);
                return;
            }
            int status = ar.succeeded() ? ar.result().status() : 0;
            lastError = ar.succeeded() ? ar.result().body() : String.valueOf(ar.cause());
            double delay = status == 409
                    ? lockPause(attempt) // IPA's lookup_lock_pause: 5, 10, 30 s
                    : Math.min(maxBackoffSeconds(), minSeconds() * Math.pow(BACKOFF_FACTOR, attempt)) * jitter(1, 2);
            fleet.timer(seconds(delay), () -> lookup(g, attempt + 1));
        });
    }

    private double lockPause(int attempt) {
        double base = minSeconds();
        return (attempt == 0 ? base : attempt == 1 ? 2 * base : 6 * base) * jitter(1, 1.2);
    }

    // ---- heartbeats ----

    private void heartbeat(long g) {
        if (g != generation) {
            return;
        }
        nextHeartbeatTimer = -1;
        previousHeartbeatNanos = System.nanoTime();
        heartbeatsSent.incrementAndGet();
        JsonObject body = new JsonObject()
                .put("callback_url", callbackUrl())
                .put("agent_token", token)
                .put("agent_version", version);
        fleet.request(HttpMethod.POST, "/v1/heartbeat/" + nodeUuid, "1.68", body)
                .onComplete(ar -> {
                    if (g != generation) {
                        return;
                    }
                    int status = ar.succeeded() ? ar.result().status() : 0;
                    lastHeartbeatStatus = status;
                    double delay;
                    if (status == 202) {
                        heartbeatsAccepted.incrementAndGet();
                        errors = 0;
                        delay = heartbeatTimeoutSeconds * jitter(0.3, 0.6);
                    } else {
                        lastError = ar.succeeded() ? ar.result().body() : String.valueOf(ar.cause());
                        delay = status == 409
                                ? minSeconds() * jitter(1, 2)
                                : Math.min(
                                                Math.max(minSeconds(), heartbeatTimeoutSeconds),
                                                minSeconds() * Math.pow(BACKOFF_FACTOR, errors++))
                                        * jitter(1, 2);
                    }
                    schedule(g, seconds(delay));
                });
    }

    private void schedule(long g, long delayMs) {
        cancelHeartbeat();
        nextHeartbeatTimer = fleet.vertx().setTimer(Math.max(1, delayMs), id -> heartbeat(g));
    }

    /** IPA's force_heartbeat: soon, but no sooner than min_heartbeat_interval after the previous heartbeat. */
    private void forceHeartbeat() {
        if (!running || nodeUuid == null || nextHeartbeatTimer < 0) {
            return;
        }
        long sinceMs = (System.nanoTime() - previousHeartbeatNanos) / 1_000_000;
        schedule(generation, Math.max(1, seconds(minSeconds()) - sinceMs));
    }

    private void cancelHeartbeat() {
        if (nextHeartbeatTimer >= 0) {
            fleet.vertx().cancelTimer(nextHeartbeatTimer);
            nextHeartbeatTimer = -1;
        }
    }

    // ---- command API (IPA's api/app.py) ----

    /** Answers a request routed here by the fleet's server: {@code rest} is the path after /agents/<index>. */
    Future<AgentFleet.Reply> handle(HttpMethod method, String rest, String presentedToken, Buffer body) {
        if (!running) {
            return Future.succeededFuture(new AgentFleet.Reply(503, fault("The agent is not running.")));
        }
        if (rest.equals("/v1/status") || rest.equals("/status")) {
            return Future.succeededFuture(new AgentFleet.Reply(
                    200, new JsonObject().put("started_at", 0).put("version", version)));
        }
        if (!rest.equals("/v1/commands/") && !rest.equals("/v1/commands")) {
            return Future.succeededFuture(new AgentFleet.Reply(404, fault("Not Found")));
        }
        if (!tokenValid(presentedToken)) {
            return Future.succeededFuture(new AgentFleet.Reply(401, fault("Token invalid.")));
        }
        if (method == HttpMethod.GET) {
            return Future.succeededFuture(new AgentFleet.Reply(
                    200, new JsonObject().put("commands", new JsonArray(new ArrayList<>(commands)))));
        }
        JsonObject req;
        try {
            req = body == null ? null : body.toJsonObject();
        } catch (RuntimeException e) {
            req = null;
        }
        if (req == null || req.getString("name") == null || !(req.getValue("params") instanceof JsonObject)) {
            return Future.succeededFuture(new AgentFleet.Reply(400, fault("Missing or invalid name or params")));
        }
        if (!commands.isEmpty()
                && "RUNNING".equals(commands.get(commands.size() - 1).getString("command_status"))) {
            return Future.succeededFuture(new AgentFleet.Reply(409, fault("Agent is busy.")));
        }
        return Future.succeededFuture(
                new AgentFleet.Reply(200, execute(req.getString("name"), req.getJsonObject("params"))));
    }

    private JsonObject execute(String name, JsonObject params) {
        String[] parts = name.split("\\.", 2);
        String shortName = parts.length == 2 ? parts[1] : name;
        JsonObject result = new JsonObject()
                .put("id", UUID.randomUUID().toString())
                .put("command_name", shortName)
                .put("command_status", "RUNNING")
                .putNull("command_error")
                .putNull("command_result");
        commands.add(result);
        // ---- BEGIN h-rescue: minimal rescue.finalize_rescue (to reconcile with the full IPA simulation) ----
        if (name.equals("rescue.finalize_rescue")) {
            return finalizeRescue(result, params);
        }
        // ---- END h-rescue ----
        if (!name.equals("standby.prepare_image")) {
            result.put("command_status", "FAILED").put("command_error", "Unknown command: " + name);
            return result.copy();
        }
        JsonObject image = params.getJsonObject("image_info", new JsonObject());
        JsonArray urls = image.getJsonArray("urls", new JsonArray());
        String url = urls.isEmpty() ? "" : String.valueOf(urls.getValue(0));
        long g = generation;
        fleet.log(this, "prepare_image " + url);
        fleet.timer(fleet.options().prepareImageTime().toMillis(), () -> {
            if (g != generation) {
                return;
            }
            // failure injection for tests and demos: an image URL containing "fail" fails to write
            if (url.contains("fail")) {
                result.put("command_status", "FAILED")
                        .put(
                                "command_error",
                                new JsonObject()
                                        .put("type", "ImageDownloadError")
                                        .put("code", 500)
                                        .put("message", "Error downloading image")
                                        .put(
                                                "details",
                                                "Download of image " + image.getString("id") + " failed: simulated"));
            } else {
                result.put("command_status", "SUCCEEDED")
                        .put(
                                "command_result",
                                new JsonObject()
                                        .put(
                                                "result",
                                                "prepare_image: image (" + image.getString("id")
                                                        + ") written to device /dev/sda"));
            }
            fleet.log(this, "prepare_image " + result.getString("command_status"));
            forceHeartbeat();
        });
        return result.copy();
    }

    // ---- BEGIN h-rescue: minimal rescue.finalize_rescue (to reconcile with the full IPA simulation) ----
    private volatile String rescuePassword;
    private volatile Boolean rescuePasswordHashed;
    private volatile String finalizeRescueError;

    /** The rescue_password of the last finalize_rescue this boot accepted (what IPA writes to its shadow file). */
    public String rescuePassword() {
        return rescuePassword;
    }

    /** The {@code hashed} flag that came with {@link #rescuePassword()}, or null. */
    public Boolean rescuePasswordHashed() {
        return rescuePasswordHashed;
    }

    /** Failure injection: the next finalize_rescue answers FAILED with {@code error} (null: succeed again). */
    public void failFinalizeRescue(String error) {
        this.finalizeRescueError = error;
    }

    /**
     * ironic-python-agent's extensions/rescue.py: a synchronous command that writes the (hashed) password and then
     * stops the agent's API and heartbeats, so the tenant's network never sees them; the answer is already made.
     */
    private JsonObject finalizeRescue(JsonObject result, JsonObject params) {
        String error = finalizeRescueError;
        if (error != null) {
            result.put("command_status", "FAILED").put("command_error", error);
            fleet.log(this, "finalize_rescue FAILED");
            return result.copy();
        }
        rescuePassword =
                params.getValue("rescue_password") == null ? null : String.valueOf(params.getValue("rescue_password"));
        rescuePasswordHashed = Boolean.TRUE.equals(params.getValue("hashed"));
        result.put("command_status", "SUCCEEDED");
        fleet.log(this, "finalize_rescue SUCCEEDED: rescue mode, agent API and heartbeats stopped");
        running = false;
        generation++;
        cancelHeartbeat();
        return result.copy();
    }
    // ---- END h-rescue ----

    private boolean tokenValid(String presented) {
        if (token == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(
                token.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonObject fault(String message) {
        return new JsonObject().put("faultcode", "Client").put("faultstring", message);
    }

    private double minSeconds() {
        return fleet.options().minHeartbeatInterval().toNanos() / 1e9;
    }

    private double maxBackoffSeconds() {
        return fleet.options().maxBackoff().toNanos() / 1e9;
    }

    private static double jitter(double lo, double hi) {
        return ThreadLocalRandom.current().nextDouble(lo, hi);
    }

    private static long seconds(double s) {
        return Math.max(1, Math.round(s * 1000));
    }

    @Override
    public String toString() {
        return "SimulatedAgent[" + index + " " + macs + (nodeUuid == null ? "" : " node " + nodeUuid) + "]";
    }
}
