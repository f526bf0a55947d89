package io.anvil.sim.agent;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated ironic-python-agent, bound to a machine's MAC addresses and its {@link SimulatedDisk} (which outlives
 * every boot). What it does once its ramdisk is up is what IPA does (agent.py run):
 *
 * <ol>
 *   <li>{@link #pxeBoot()}: the machine's firmware asks Anvil for its iPXE script ({@code GET
 *       {anvilUrl}/boot/<mac>.ipxe}, each NIC in turn); a script that boots a kernel starts the agent with the
 *       kernel's {@code ipa-api-url}, {@code ipa-inspection-callback-url} and {@code BOOTIF}; a local-disk script
 *       boots no agent; a "try again" script asks again after {@code pxeRetryInterval}. {@link #boot()} starts the
 *       agent without a script (virtual media, or tests), talking to the fleet's Anvil URL.
 *   <li>With an inspection callback URL: POST IPA's inspection data (inventory, root_disk, boot_interface, …),
 *       retrying connection errors, 5xx and 409 with IPA's back-off (inspector.py call_inspector).
 *   <li>Look up by MACs (the node UUID inspection returned, if any) until found, then heartbeat on IPA's jittered
 *       interval ({@code heartbeat_timeout × U(0.3, 0.6)}), errors retried with an exponential back-off with
 *       jitter and a 409 sooner ({@code min_heartbeat_interval × U(1, 2)}); a finished command forces a heartbeat.
 *   <li>Answer IPA's command API ({@link AgentCommands}) through the fleet's shared HTTP server until the machine
 *       goes down, or {@code rescue.finalize_rescue} / {@code system.lockdown} stop the API and the heartbeats.
 * </ol>
 *
 * {@link #stop()} is the machine powering off or rebooting: every timer of this boot is void, the command results
 * are gone; the disk keeps what was written. All state is confined to the fleet's Vert.x context.
 */
public final class SimulatedAgent implements AgentCommands.Agent {
    /** IPA's exponential back-off factor on lookup/heartbeat errors. */
    private static final double BACKOFF_FACTOR = 2.7;
    /** IPA's inspection retries: 5 attempts, waits 1.5 × 2^n s clamped to [5, 30] s. */
    private static final int INSPECTION_ATTEMPTS = 5;

    private static final int JOURNAL_LINES = 1000;

    /** What the agent can do to the machine it runs on (its BMC's chassis), bound by {@link BmcAgents}. */
    public interface Machine {
        void powerOff();

        void reboot();

        /** The BMC's IP address, reported in the inventory. */
        String bmcAddress();

        boolean uefi();

        /** Writes a line to the machine's serial console (read over SOL); nothing by default. */
        default void console(String line) {}
    }

    private final AgentFleet fleet;
    private final int index;
    private final List<String> macs;
    private final String version;
    private final SimulatedDisk disk;
    private final AgentCommands commands;
    private final ImageWriter images;
    private final AtomicLong heartbeatsSent = new AtomicLong();
    private final AtomicLong heartbeatsAccepted = new AtomicLong();
    private final AtomicLong lookups = new AtomicLong();
    private final AtomicLong inspections = new AtomicLong();
    private final AtomicLong scriptFetches = new AtomicLong();
    private final ArrayDeque<String> journal = new ArrayDeque<>();

    /** Bumped by every boot and stop: callbacks of an older boot see a different value and do nothing. */
    private long boot;
    /** Bumped by every boot, stop, silence and the end of the API: the heartbeat loop of an older value ends. */
    private long generation;

    private volatile Machine machine;
    private volatile boolean running;
    private volatile boolean heartbeating;
    private volatile boolean serving;
    private volatile boolean rescued;
    private volatile String nodeUuid;
    private volatile String apiUrl;
    private volatile String inspectionUrl;
    private volatile String pxeMac;
    private volatile JsonObject lastInspection;
    private volatile int lastInspectionStatus;
    private volatile String rescuePasswordHash;
    private String token;
    private boolean md5Enabled = true;
    private double startedAt;
    private JsonObject partitionUuids;
    private String cachedImageId;
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
        this.disk = new SimulatedDisk("/dev/sda", Inventory.rootDiskBytes(index));
        this.commands = new AgentCommands(this);
        this.images = new ImageWriter(fleet, fleet.web());
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

    /** Whether the ramdisk is up (the agent booted and its machine has not gone down since). */
    public boolean running() {
        return running;
    }

    /** Whether the command API answers (false after finalize_rescue or lockdown, and while not running). */
    public boolean serving() {
        return serving;
    }

    /** Whether finalize_rescue ran in this boot: the machine is in rescue mode, the agent silent. */
    public boolean rescued() {
        return rescued;
    }

    private volatile boolean rescuePasswordSentHashed;
    private volatile String finalizeRescueFailure;

    /** Whether the last finalize_rescue carried a hash ({@code hashed: true}) rather than the clear password. */
    public boolean rescuePasswordSentHashed() {
        return rescuePasswordSentHashed;
    }

    /** Failure injection: the next finalize_rescue calls fail with {@code error} (null: succeed again). */
    public void failFinalizeRescue(String error) {
        finalizeRescueFailure = error;
    }

    @Override
    public String finalizeRescueFailure() {
        return finalizeRescueFailure;
    }

    /** The rescue password hash finalize_rescue stored (crypt format), or null. Never logged. */
    public String rescuePasswordHash() {
        return rescuePasswordHash;
    }

    public String nodeUuid() {
        return nodeUuid;
    }

    /** The machine's root disk: what image it holds. */
    @Override
    public SimulatedDisk disk() {
        return disk;
    }

    /** The Anvil API this boot talks to ({@code ipa-api-url} of its iPXE script), or null for the fleet's. */
    public String apiUrl() {
        return apiUrl;
    }

    /** The inspection callback URL of this boot's kernel parameters, or null. */
    public String inspectionUrl() {
        return inspectionUrl;
    }

    /** What this agent reports as its hardware (deterministic per index, see {@link Inventory}). */
    @Override
    public JsonObject inventory() {
        Machine m = machine;
        return Inventory.of(
                index,
                macs,
                pxeMac != null ? pxeMac : macs.isEmpty() ? null : macs.get(0),
                m == null ? null : m.bmcAddress(),
                m != null && m.uefi());
    }

    /** The inspection data last posted, or null. */
    public JsonObject lastInspection() {
        return lastInspection;
    }

    /** HTTP status of the last inspection POST (0: none, or no connection). */
    public int lastInspectionStatus() {
        return lastInspectionStatus;
    }

    public long inspectionsSent() {
        return inspections.get();
    }

    /** iPXE script requests made by {@link #pxeBoot()}. */
    public long scriptFetches() {
        return scriptFetches.get();
    }

    /** Whether the heartbeat loop runs (from a successful lookup until stop, silence, rescue or lockdown). */
    public boolean heartbeating() {
        return heartbeating;
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

    /** The command results of this boot, oldest first, as the API lists them. */
    public Future<List<JsonObject>> commandResults() {
        Promise<List<JsonObject>> p = Promise.promise();
        fleet.context().runOnContext(v -> p.complete(commands.results()));
        return p.future();
    }

    /** Binds the machine the agent runs on (done by {@link BmcAgents}); without one, power_off just stops it. */
    public void bindMachine(Machine m) {
        this.machine = m;
    }

    /** The ramdisk booted without a script (virtual media, tests): look up at the fleet's Anvil, then heartbeat. */
    public void boot() {
        fleet.context().runOnContext(v -> {
            startRamdisk(null, null, null);
            lookup(boot, generation, null, 0);
        });
    }

    /**
     * The machine network-boots: ask Anvil for the iPXE script of each NIC in turn, and do what it says. If Anvil
     * knows none of the NICs (404 for each), the chain loader's fallback, {@code /boot/inspector.ipxe}, boots the
     * inspection ramdisk while a node waits in unmanaged inspection; else the firmware chain-loads its default, the
     * agent ramdisk, talking to the fleet's Anvil URL (as {@link #boot()}); Anvil's lookup then finds the node by MAC
     * or not at all.
     */
    public void pxeBoot() {
        fleet.context().runOnContext(v -> {
            stopNow();
            long b = boot;
            log("PXE boot");
            fetchScript(b, 0);
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
            log("silenced");
        });
    }

    private void stopNow() {
        if (running) {
            log("stopped");
        }
        running = false;
        serving = false;
        boot++;
        generation++;
        cancelHeartbeat();
        commands.clear();
        token = null;
    }

    private void startRamdisk(String api, String inspection, String bootif) {
        stopNow();
        running = true;
        serving = true;
        rescued = false;
        rescuePasswordHash = null;
        apiUrl = api;
        inspectionUrl = inspection;
        pxeMac = bootif;
        nodeUuid = null;
        md5Enabled = true;
        partitionUuids = null;
        cachedImageId = null;
        startedAt = System.currentTimeMillis() / 1000.0;
        log("ramdisk up" + (api == null ? "" : ", ipa-api-url=" + api));
    }

    // ---- iPXE ----

    private void fetchScript(long b, int nic) {
        if (b != boot) {
            return;
        }
        if (nic >= macs.size()) {
            fetchFallbackScript(b);
            return;
        }
        String mac = macs.get(nic);
        scriptFetches.incrementAndGet();
        fleet.request(fleet.anvilUrl(), HttpMethod.GET, "/boot/" + mac.replace(':', '-') + ".ipxe", null, null)
                .onComplete(ar -> {
                    if (b != boot) {
                        return;
                    }
                    if (ar.failed() || ar.result().status() >= 500) {
                        lastError = ar.failed()
                                ? String.valueOf(ar.cause())
                                : ar.result().body();
                        fleet.timer(fleet.options().pxeRetryInterval().toMillis(), () -> fetchScript(b, 0));
                        return;
                    }
                    if (ar.result().status() != 200) {
                        fetchScript(b, nic + 1);
                        return;
                    }
                    follow(b, IpxeScript.parse(ar.result().body()), null);
                });
    }

    /**
     * No NIC known to Anvil: the chain loader tries Anvil's fallback script (docs/boot.md, {@code inspector.ipxe}: the
     * inspection ramdisk while a node waits in unmanaged inspection, iPXE filling in {@code BOOTIF=${mac}} with the
     * first NIC); when there is none, the firmware chain-loads its default, the agent ramdisk with the configured URL.
     */
    private void fetchFallbackScript(long b) {
        String firstMac = macs.isEmpty() ? null : macs.get(0);
        scriptFetches.incrementAndGet();
        fleet.request(fleet.anvilUrl(), HttpMethod.GET, "/boot/inspector.ipxe", null, null)
                .onComplete(ar -> {
                    if (b != boot) {
                        return;
                    }
                    IpxeScript script = ar.succeeded() && ar.result().status() == 200
                            ? IpxeScript.parse(ar.result().body())
                            : null;
                    if (script != null && script.action() == IpxeScript.Action.RAMDISK) {
                        follow(b, script, firstMac);
                        return;
                    }
                    log("no iPXE script for any NIC; booting the default ramdisk");
                    startRamdisk(null, null, firstMac);
                    lookup(boot, generation, null, 0);
                });
    }

    /** Does what a fetched script says; {@code mac} replaces iPXE's {@code ${mac}} in BOOTIF (null: none to fill). */
    private void follow(long b, IpxeScript script, String mac) {
        switch (script.action()) {
            case RAMDISK -> {
                String bootif = script.param("BOOTIF");
                if (mac != null && "${mac}".equals(bootif)) {
                    bootif = mac;
                }
                runRamdisk(script.params(), bootif);
            }
            case LOCAL_DISK -> log("iPXE script boots the local disk; no agent");
            case RETRY -> {
                log("iPXE script says to try again later");
                fleet.timer(fleet.options().pxeRetryInterval().toMillis(), () -> fetchScript(b, 0));
            }
        }
    }

    /**
     * Starts the ramdisk with these kernel parameters: inspection first when {@code ipa-inspection-callback-url} is
     * set (the node may not know the MACs yet), then lookup and heartbeats when {@code ipa-api-url} is; an
     * inspection-only boot (no ipa-api-url) stops there, as IPA does.
     */
    private void runRamdisk(Map<String, String> params, String bootif) {
        startRamdisk(firstUrl(params.get("ipa-api-url")), firstUrl(params.get("ipa-inspection-callback-url")), bootif);
        long b2 = boot;
        long g = generation;
        if (inspectionUrl != null) {
            inspect(b2, 0).onComplete(x -> {
                if (apiUrl != null) {
                    lookup(b2, g, x.succeeded() ? x.result() : null, 0);
                }
            });
        } else if (apiUrl != null) {
            lookup(b2, g, null, 0);
        } else {
            log("neither ipa-api-url nor ipa-inspection-callback-url in the kernel parameters");
        }
    }

    /**
     * The machine boots a ramdisk from virtual media whose kernel command line is {@code params} (docs/redfish.md,
     * "Virtual-media boot": the simulator reads them from the image URL's query). Without {@code ipa-api-url} nor
     * {@code ipa-inspection-callback-url} the agent talks to the fleet's Anvil URL, as {@link #boot()}.
     */
    public void mediaBoot(Map<String, String> params) {
        fleet.context().runOnContext(v -> {
            log("virtual media boot " + params.keySet());
            if (params.get("ipa-api-url") == null && params.get("ipa-inspection-callback-url") == null) {
                startRamdisk(null, null, params.get("BOOTIF"));
                lookup(boot, generation, null, 0);
                return;
            }
            runRamdisk(params, params.get("BOOTIF"));
        });
    }

    /** The first of IPA's comma-separated URLs, or null. */
    private static String firstUrl(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return value.split(",")[0].trim();
    }

    /** The base URL of Anvil's API for this boot. */
    private String api() {
        return apiUrl != null ? apiUrl : fleet.anvilUrl();
    }

    // ---- inspection (inspector.py) ----

    /** IPA's inspection data (collectors "default" and "logs"). */
    JsonObject inspectionData() {
        JsonObject inventory = inventory();
        JsonObject root = Inventory.rootDisk(inventory);
        JsonObject data = new JsonObject().put("inventory", inventory);
        if (root != null) {
            data.put("root_disk", root);
        }
        data.put("boot_interface", inventory.getJsonObject("boot").getValue("pxe_interface"));
        data.put(
                "configuration",
                new JsonObject()
                        .put("collectors", new io.vertx.core.json.JsonArray(List.of("default", "logs")))
                        .put(
                                "managers",
                                new io.vertx.core.json.JsonArray(List.of(new JsonObject()
                                        .put("name", HardwareSteps.MANAGER_NAME)
                                        .put("version", HardwareSteps.MANAGER_VERSION)))));
        data.put("logs", LogArchive.gzipTarBase64(Map.of("journal", journal()), System.currentTimeMillis() / 1000));
        data.putNull("error");
        return data;
    }

    /** Completes with the node UUID the inspection answer named (or null); fails when it gave up. */
    private Future<String> inspect(long b, int attempt) {
        Promise<String> p = Promise.promise();
        JsonObject data = inspectionData();
        lastInspection = data;
        inspections.incrementAndGet();
        log("posting inspection data to " + inspectionUrl);
        fleet.requestAbsolute(HttpMethod.POST, inspectionUrl, data).onComplete(ar -> {
            if (b != boot) {
                p.tryFail("rebooted");
                return;
            }
            int status = ar.succeeded() ? ar.result().status() : 0;
            lastInspectionStatus = status;
            if (status == 200 || status == 202) {
                String uuid = null;
                try {
                    uuid = ar.result().json().getString("uuid");
                } catch (RuntimeException e) {
                    // an answer without a JSON body names no node
                }
                log("inspection accepted (" + status + ")");
                p.complete(uuid);
                return;
            }
            boolean retry = status == 0 || status >= 500 || status == 409;
            if (!retry || attempt + 1 >= INSPECTION_ATTEMPTS) {
                lastError = ar.succeeded() ? ar.result().body() : String.valueOf(ar.cause());
                log("inspection failed (" + status + "), proceeding with lookup");
                p.fail("inspection failed: " + status);
                return;
            }
            double wait = Math.min(30, Math.max(5, 1.5 * Math.pow(2, attempt))) * minSeconds() / 5;
            fleet.timer(seconds(wait), () -> inspect(b, attempt + 1).onComplete(p));
        });
        return p.future();
    }

    // ---- lookup ----

    private void lookup(long b, long g, String uuidHint, int attempt) {
        if (b != boot || g != generation) {
            return;
        }
        lookups.incrementAndGet();
        String uri =
                "/v1/lookup?addresses=" + String.join(",", macs) + (uuidHint == null ? "" : "&node_uuid=" + uuidHint);
        fleet.request(api(), HttpMethod.GET, uri, "1.62", null).onComplete(ar -> {
            if (b != boot || g != generation) {
                return;
            }
            if (ar.succeeded() && ar.result().status() == 200) {
                JsonObject body = ar.result().json();
                nodeUuid = body.getJsonObject("node").getString("uuid");
                JsonObject config = body.getJsonObject("config", new JsonObject());
                token = config.getString("agent_token");
                Number timeout = config.getNumber("heartbeat_timeout");
                heartbeatTimeoutSeconds = timeout == null ? 300 : timeout.doubleValue();
                if (config.getValue("agent_md5_checksum_enable") instanceof Boolean md5) {
                    md5Enabled = md5;
                }
                log("looked up node " + nodeUuid);
                if ("******".equals(token)) {
                    // IPA (agent.py process_lookup_data): the token went to an earlier agent and this one has none
                    // on file, which is fatal: it stops its API and locks itself down without heartbeating
                    token = null;
                    lastError = "agent token already retrieved";
                    stopServing("token already retrieved by another agent");
                    return;
                }
                heartbeating = true;
                heartbeat(g);
                return;
            }
            int status = ar.succeeded() ? ar.result().status() : 0;
            lastError = ar.succeeded() ? ar.result().body() : String.valueOf(ar.cause());
            double delay = status == 409
                    ? lockPause(attempt) // IPA's lookup_lock_pause: 5, 10, 30 s
                    : Math.min(maxBackoffSeconds(), minSeconds() * Math.pow(BACKOFF_FACTOR, attempt)) * jitter(1, 2);
            fleet.timer(seconds(delay), () -> lookup(b, g, uuidHint, attempt + 1));
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
        fleet.request(api(), HttpMethod.POST, "/v1/heartbeat/" + nodeUuid, "1.68", body)
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
        if (nextHeartbeatTimer >= 0) {
            fleet.vertx().cancelTimer(nextHeartbeatTimer);
        }
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
        heartbeating = false;
        if (nextHeartbeatTimer >= 0) {
            fleet.vertx().cancelTimer(nextHeartbeatTimer);
            nextHeartbeatTimer = -1;
        }
    }

    /** The API stops (finalize_rescue, lockdown): heartbeats end with it; the machine stays up. */
    private void stopServing(String why) {
        serving = false;
        generation++;
        cancelHeartbeat();
        log(why + ": API and heartbeats stopped");
    }

    // ---- command API ----

    /** Answers a request routed here by the fleet's server: {@code rest} is the path after /agents/<index>. */
    Future<AgentFleet.Reply> handle(HttpMethod method, String rest, Map<String, String> query, Buffer body) {
        if (!running || !serving) {
            return Future.succeededFuture(AgentFleet.Reply.DROP); // nothing listens: the connection is refused
        }
        return commands.handle(method, rest, query, body);
    }

    // ---- AgentCommands.Agent ----

    @Override
    public boolean tokenValid(String presented) {
        return AgentCommands.sameToken(token, presented);
    }

    @Override
    public boolean md5Enabled() {
        return md5Enabled;
    }

    @Override
    public double startedAt() {
        return startedAt;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public void commandFinished() {
        forceHeartbeat();
    }

    @Override
    public void finalizeRescue(String passwordHash, boolean sentHashed) {
        rescuePasswordHash = passwordHash;
        rescuePasswordSentHashed = sentHashed;
        rescued = true;
        long b = boot;
        // IPA answers finalize_rescue, then its serve loop notices serve_api = False and stops the API
        fleet.timer(1, () -> {
            if (b == boot) {
                stopServing("rescue finalized");
            }
        });
    }

    @Override
    public void lockdown() {
        long b = boot;
        fleet.timer(1, () -> {
            if (b == boot) {
                stopServing("locked down");
            }
        });
    }

    @Override
    public void shutdown(boolean reboot) {
        Machine m = machine;
        log(reboot ? "rebooting" : "powering off");
        if (m == null) {
            stopNow();
        } else if (reboot) {
            m.reboot();
        } else {
            m.powerOff();
        }
    }

    @Override
    public String journal() {
        synchronized (journal) {
            return String.join("\n", journal) + "\n";
        }
    }

    @Override
    public JsonObject partitionUuids() {
        return partitionUuids;
    }

    @Override
    public Future<Void> pause() {
        Promise<Void> p = Promise.promise();
        fleet.timer(fleet.options().stepTime().toMillis(), () -> p.complete());
        return p.future();
    }

    @Override
    public Future<String> writeImage(JsonObject imageInfo, Object configdrive) {
        try {
            ImageWriter.validate(imageInfo, md5Enabled);
        } catch (IpaError e) {
            return Future.failedFuture(e);
        }
        long b = boot;
        String id = String.valueOf(imageInfo.getValue("id"));
        log("prepare_image " + id + " from " + imageInfo.getJsonArray("urls").getValue(0));
        if (id.equals(cachedImageId) && disk.contents() != null) {
            return Future.succeededFuture("image (" + id + ") written to device " + disk.device() + " root_uuid="
                    + disk.contents().rootUuid());
        }
        return images.write(imageInfo, configdrive, md5Enabled, disk, () -> b == boot)
                .onSuccess(text -> {
                    cachedImageId = id;
                    partitionUuids =
                            new JsonObject().put("root uuid", disk.contents().rootUuid());
                    log("prepare_image " + id + " done: " + disk);
                })
                .onFailure(e -> log("prepare_image " + id + " failed: " + e.getMessage()));
    }

    // ---- helpers ----

    private void log(String what) {
        fleet.log(this, what);
        Machine m = machine;
        if (m != null) {
            m.console("ironic-python-agent: " + what);
        }
        synchronized (journal) {
            journal.addLast(Instant.now() + " ironic-python-agent[" + index + "]: " + what);
            if (journal.size() > JOURNAL_LINES) {
                journal.removeFirst();
            }
        }
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
