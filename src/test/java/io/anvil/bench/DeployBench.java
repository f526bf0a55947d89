package io.anvil.bench;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.ImageServer;
import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code scripts/bench deploy N} (docs/benchmarks.md): how fast one Anvil conductor takes N simulated machines from
 * {@code manageable} through automated cleaning ({@code provide} → {@code available}) and a {@code direct} deploy
 * ({@code active}), everything driven through the Ironic v1 API.
 *
 * <p>Three processes: Anvil ({@code anvil serve}, its own JVM, so its CPU is its process's alone, from
 * /proc/PID/stat), the simulated BMCs and ramdisk agents ({@code anvil sim bmc --anvil-url …}, another JVM), and this
 * driver. Each node is an {@code ipmi} node on its own simulated BMC with its port's MAC, {@code boot_interface=ipxe}
 * (the agent ramdisk's "kernel" and "initramfs" from the sim's image server), {@code deploy_interface=direct} and an
 * image of the sim's image server with its SHA-256. A PXE boot of a BMC starts its agent, which fetches its iPXE
 * script from Anvil, looks up, heartbeats and runs the commands Anvil sends (cleaning: erase_devices_metadata,
 * erase_devices; deploy: write_image through standby.prepare_image, then the conductor's own steps).
 *
 * <p>A 503 (ConcurrentActionLimit, NoFreeConductorWorker) is retried with an exponential back-off, as an operator's
 * tooling would. Settings (system properties, printed with the results): {@code bench.stepMs} (each simulated step),
 * {@code bench.imageMs} (least time writing the image), {@code bench.image} (its name; the size comes from the name),
 * {@code bench.heartbeatTimeout} (api.ramdisk_heartbeat_timeout, s; agents heartbeat every 0.3–0.6 × it),
 * {@code bench.minHeartbeatMs} (IPA's min_heartbeat_interval), {@code bench.maxClean} / {@code bench.maxDeploy}
 * (conductor.max_concurrent_clean / _deploy, Ironic's 50 / 250 by default), {@code bench.inFlight} (API requests in
 * flight), {@code bench.connections} (their connections; default one each), {@code bench.timeout} (s per phase), {@code bench.jfr=true} (a JFR recording of Anvil next to the JSON),
 * {@code bench.anvilOpts} (Anvil's JVM options), {@code bench.basePort} (UDP port of BMC 0), and
 * {@code bench.anvil.<section>.<key>} any other Anvil setting (passed as its ANVIL_* variable).
 * Writes target/bench/deploy-N.json; Anvil's and the simulator's output go to target/bench/deploy-N-{anvil,sim}.log.
 */
public final class DeployBench {
    private static final long TICK_NS = 10_000_000L; // CLK_TCK = 100
    private static final String VERSION = "1.78";
    /** States a node ends in when its action failed (each keeps last_error); the bench fails if any node does. */
    private static final Set<String> FAILED = Set.of("clean failed", "deploy failed", "error");

    private final int n;
    private final Settings s;
    private Vertx vertx;
    private HttpClient http;
    private HttpClient poller;
    private io.vertx.core.Context context;
    private int apiPort;
    private final List<String> uuids = new ArrayList<>();
    private Child anvil;
    private Child sim;
    private final AtomicLong retries503 = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    /** Round trips (µs) of the provision-state PUTs of the current phase, retries included as separate requests. */
    private final List<Long> putMicros = java.util.Collections.synchronizedList(new ArrayList<>());

    record Settings(
            long stepMs,
            long imageMs,
            String image,
            int heartbeatTimeout,
            long minHeartbeatMs,
            int maxClean,
            int maxDeploy,
            int inFlight,
            int connections,
            int timeoutS,
            boolean jfr,
            String anvilOpts,
            int basePort) {
        static Settings fromProperties(int n) {
            return new Settings(
                    Long.getLong("bench.stepMs", 500),
                    Long.getLong("bench.imageMs", 1000),
                    System.getProperty("bench.image", "bench-os-1m.img"),
                    Integer.getInteger("bench.heartbeatTimeout", 30),
                    Long.getLong("bench.minHeartbeatMs", 200),
                    Integer.getInteger("bench.maxClean", 50),
                    Integer.getInteger("bench.maxDeploy", 250),
                    Integer.getInteger("bench.inFlight", 64),
                    Integer.getInteger("bench.connections", Integer.getInteger("bench.inFlight", 64)),
                    Integer.getInteger("bench.timeout", 600),
                    Boolean.getBoolean("bench.jfr"),
                    System.getProperty("bench.anvilOpts", "-Xms256m -Xmx1g"),
                    Integer.getInteger("bench.basePort", 27000));
        }
    }

    private DeployBench(int n, Settings s) {
        this.n = n;
        this.s = s;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int code;
        DeployBench bench = new DeployBench(n, Settings.fromProperties(n));
        try {
            code = bench.run();
        } finally {
            bench.stopChildren();
        }
        System.exit(code);
    }

    private int run() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        String loadBefore = loadavg();
        System.out.printf(
                "deploy bench: %d nodes, %d cores, load average before: %s%n"
                        + "  simulated: step %d ms, image write >= %d ms, image %s (%d MiB), BMC power changes"
                        + " immediate%n"
                        + "  agents: api.ramdisk_heartbeat_timeout %d s (heartbeat every %.1f-%.1f s),"
                        + " min_heartbeat_interval %d ms%n"
                        + "  conductor.max_concurrent_clean %d, max_concurrent_deploy %d%s; %d API requests in"
                        + " flight on %d connections, 503 retried with back-off%n",
                n,
                cores,
                loadBefore,
                s.stepMs,
                s.imageMs,
                s.image,
                ImageServer.sizeOf(s.image) >> 20,
                s.heartbeatTimeout,
                0.3 * s.heartbeatTimeout,
                0.6 * s.heartbeatTimeout,
                s.minHeartbeatMs,
                s.maxClean,
                s.maxDeploy,
                s.maxClean == 50 && s.maxDeploy == 250 ? " (Ironic's defaults)" : " (RAISED from Ironic's 50 / 250)",
                s.inFlight,
                s.connections);
        DatabaseUrl db = TestServices.freshDatabase();
        String redis = TestServices.redisUrl();
        apiPort = freePort();
        int agentPort = freePort();
        String anvilUrl = "http://127.0.0.1:" + apiPort;
        String agentBase = "http://127.0.0.1:" + agentPort;
        Files.createDirectories(Path.of("target/bench"));

        String cp = "target/classes:"
                + Files.readString(Path.of("target/classpath.txt")).trim();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> simCmd = new ArrayList<>(List.of(
                java,
                "-Xmx1g",
                "-cp",
                cp,
                "io.anvil.cli.AnvilCommand",
                "sim",
                "bmc",
                "--count",
                String.valueOf(n),
                "--base-port",
                String.valueOf(s.basePort),
                "--anvil-url",
                anvilUrl,
                "--agent-port",
                String.valueOf(agentPort),
                "--agent-step-ms",
                String.valueOf(s.stepMs),
                "--agent-image-ms",
                String.valueOf(s.imageMs),
                "--agent-min-heartbeat-ms",
                String.valueOf(s.minHeartbeatMs),
                "--stats-interval-ms",
                "500"));
        // -Dbench.simLogLevel=DEBUG: every agent's lookups, heartbeats and commands in the sim's log
        Map<String, String> simEnv = Map.of("ANVIL_LOG_LEVEL", System.getProperty("bench.simLogLevel", "INFO"));
        sim = Child.start("sim", simCmd, simEnv, Path.of("target/bench/deploy-" + n + "-sim.log"), "listening on udp");
        System.out.printf("  simulator pid %d: %s%n", sim.pid(), sim.readyLine);

        List<String> anvilCmd = new ArrayList<>();
        anvilCmd.add(java);
        anvilCmd.addAll(List.of(s.anvilOpts.trim().split("\\s+")));
        if (s.jfr) {
            anvilCmd.add("-XX:StartFlightRecording=filename=target/bench/deploy-" + n
                    + ".jfr,settings=profile,dumponexit=true");
        }
        anvilCmd.addAll(List.of("-cp", cp, "io.anvil.cli.AnvilCommand", "serve", "--port", String.valueOf(apiPort)));
        Map<String, String> env = new TreeMap<>();
        env.put("ANVIL_DATABASE_URL", TestServices.urlOf(db));
        env.put("ANVIL_REDIS_URL", redis);
        env.put("ANVIL_API_HOST", "127.0.0.1");
        env.put("ANVIL_CONDUCTOR_HOSTNAME", "bench-" + db.database());
        env.put(
                "ANVIL_SECRETS_KEY",
                TestServices.SECRETS_KEY); // its own database: a key is required (docs/security.md)
        env.put("ANVIL_API_RAMDISK_HEARTBEAT_TIMEOUT", String.valueOf(s.heartbeatTimeout));
        env.put("ANVIL_CONDUCTOR_MAX_CONCURRENT_CLEAN", String.valueOf(s.maxClean));
        env.put("ANVIL_CONDUCTOR_MAX_CONCURRENT_DEPLOY", String.valueOf(s.maxDeploy));
        // -Dbench.anvil.<section>.<key>=value sets any other Anvil setting (e.g. bench.anvil.database.pool_size=32)
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("bench.anvil."))
                .sorted()
                .forEach(k -> {
                    String key = k.substring("bench.anvil.".length());
                    env.put("ANVIL_" + key.replace('.', '_').toUpperCase(Locale.ROOT), System.getProperty(k));
                    System.out.printf("  anvil setting %s = %s (set for this run)%n", key, System.getProperty(k));
                });
        anvil = Child.start(
                "anvil", anvilCmd, env, Path.of("target/bench/deploy-" + n + "-anvil.log"), "API listening");
        System.out.printf("  anvil pid %d: %s (database %s)%n", anvil.pid(), anvil.readyLine, db.database());

        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        // Anvil's HTTP/1.1 server answers a connection's pipelined requests one after the other, so the connections
        // bound how many requests it works on at once: bench.connections (default: one per request in flight)
        int lanesPerConnection = Math.max(1, (s.inFlight + s.connections - 1) / s.connections);
        http = vertx.createHttpClient(
                new HttpClientOptions()
                        .setDefaultHost("127.0.0.1")
                        .setDefaultPort(apiPort)
                        .setKeepAlive(true)
                        .setTcpNoDelay(true)
                        .setPipelining(lanesPerConnection > 1)
                        .setPipeliningLimit(lanesPerConnection),
                new PoolOptions().setHttp1MaxSize(s.connections).setMaxWaitQueueSize(-1));
        context = vertx.getOrCreateContext();
        // the progress polls have their own connection: never queued behind the provisioning requests
        poller = vertx.createHttpClient(
                new HttpClientOptions()
                        .setDefaultHost("127.0.0.1")
                        .setDefaultPort(apiPort)
                        .setKeepAlive(true)
                        .setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(1).setMaxWaitQueueSize(-1));

        // ---- set-up, not measured: enrol, manage ----
        long e0 = System.nanoTime();
        String kernel = agentBase + "/images/ipa.kernel";
        String ramdisk = agentBase + "/images/ipa.initramfs";
        JsonObject instanceInfo = new JsonObject()
                .put("image_source", agentBase + "/images/" + s.image)
                .put("image_os_hash_algo", "sha256")
                .put("image_os_hash_value", AgentFleet.sha256Of(s.image));
        for (int i = 0; i < n; i++) {
            uuids.add(null);
        }
        forAll(i -> enrol(i, kernel, ramdisk, instanceInfo));
        System.out.printf("  enrolled %d nodes with ports in %.1f s%n", n, (System.nanoTime() - e0) / 1e9);
        long m0 = System.nanoTime();
        List<String> stuck = await("manage", Set.of("manageable"), m0, forAllAsync(i -> provision(i, "manage")));
        if (!stuck.isEmpty()) {
            return reportStuck("manage", stuck);
        }
        System.out.printf("  %d nodes manageable in %.1f s%n", n, (System.nanoTime() - m0) / 1e9);

        // ---- measured: provide (automated cleaning), then deploy ----
        Sample start = sample();
        putMicros.clear();
        List<String> cleanStuck =
                await("clean", Set.of("available"), start.nanos, forAllAsync(i -> provision(i, "provide")));
        String cleanPuts = putLatency("provide");
        Sample cleaned = sample();
        List<String> deployStuck = List.of();
        Sample deployed = cleaned;
        String deployPuts = "";
        if (cleanStuck.isEmpty()) {
            putMicros.clear();
            deployStuck = await("deploy", Set.of("active"), cleaned.nanos, forAllAsync(i -> provision(i, "active")));
            deployPuts = putLatency("active");
            deployed = sample();
        }
        String loadAfter = loadavg();
        long peakRssKb = anvil.peakRssKb();
        long simPeakRssKb = sim.peakRssKb();

        BenchTable table = new BenchTable(
                        "deploy-" + n,
                        "N",
                        "phase",
                        "wall s",
                        "nodes/s",
                        "conductor CPU s",
                        "% of " + cores + " cores",
                        "peak RSS MiB",
                        "heartbeats",
                        "agent commands",
                        "sim CPU s",
                        "failures")
                .meta("command", command())
                .meta("nodes", n)
                .meta("cores", cores)
                .meta("load_before", loadBefore)
                .meta("load_after", loadAfter)
                .meta("step_ms", s.stepMs)
                .meta("image_write_min_ms", s.imageMs)
                .meta("image", s.image)
                .meta("image_bytes", ImageServer.sizeOf(s.image))
                .meta("ramdisk_heartbeat_timeout_s", s.heartbeatTimeout)
                .meta("min_heartbeat_interval_ms", s.minHeartbeatMs)
                .meta("max_concurrent_clean", s.maxClean)
                .meta("max_concurrent_deploy", s.maxDeploy)
                .meta("api_in_flight", s.inFlight)
                .meta("api_connections", s.connections)
                .meta("retried_503", retries503.get())
                .meta("api_requests", requests.get())
                .meta("put_provide_latency", cleanPuts)
                .meta("put_active_latency", deployPuts)
                .meta("anvil_jvm", s.anvilOpts)
                .meta("anvil_peak_rss_kb", peakRssKb)
                .meta("sim_peak_rss_kb", simPeakRssKb)
                .meta("database", System.getenv("ANVIL_DATABASE_URL") != null ? "configured" : "embedded")
                .meta("sim_totals", deployed.stats.encode());
        int failures = cleanStuck.size() + deployStuck.size();
        row(table, cores, "clean (provide → available)", start, cleaned, peakRssKb, cleanStuck.size());
        if (cleanStuck.isEmpty()) {
            row(table, cores, "deploy (active)", cleaned, deployed, peakRssKb, deployStuck.size());
            row(table, cores, "total", start, deployed, peakRssKb, failures);
        }
        System.out.printf(
                "API: %d requests, %d answered 503 and retried; load average after: %s%n",
                requests.get(), retries503.get(), loadAfter);
        table.finish();
        if (failures > 0) {
            return reportStuck(
                    cleanStuck.isEmpty() ? "deploy" : "clean", cleanStuck.isEmpty() ? deployStuck : cleanStuck);
        }
        return 0;
    }

    /** p50/p99/max of the phase's provision PUTs, printed when all of them were answered 202. */
    private String putLatency(String what) {
        List<Long> l;
        synchronized (putMicros) {
            l = new ArrayList<>(putMicros);
        }
        l.sort(null);
        if (l.isEmpty()) {
            return "";
        }
        String text = String.format(
                "%d PUT %s: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                l.size(),
                what,
                l.get(l.size() / 2) / 1000.0,
                l.get(Math.min(l.size() - 1, (int) Math.ceil(l.size() * 0.99) - 1)) / 1000.0,
                l.get(l.size() - 1) / 1000.0);
        System.out.println("  " + text + " (all accepted)");
        return text;
    }

    private String command() {
        StringBuilder sb = new StringBuilder("scripts/bench deploy " + n);
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("bench."))
                .sorted()
                .forEach(k -> sb.append(" -D").append(k).append('=').append(System.getProperty(k)));
        return sb.toString();
    }

    private void row(BenchTable table, int cores, String phase, Sample a, Sample b, long rssKb, int failures) {
        double wall = (b.nanos - a.nanos) / 1e9;
        double cpu = (b.anvilCpuNs - a.anvilCpuNs) / 1e9;
        table.row(new JsonObject()
                .put("N", n)
                .put("phase", phase)
                .put("wall s", wall)
                .put("nodes/s", n / wall)
                .put("conductor CPU s", cpu)
                .put("% of " + cores + " cores", 100 * cpu / wall / cores)
                .put("peak RSS MiB", (double) (rssKb >> 10))
                .put("heartbeats", diff(b.stats, a.stats, "heartbeats"))
                .put("agent commands", diff(b.stats, a.stats, "commands"))
                .put("sim CPU s", (b.simCpuNs - a.simCpuNs) / 1e9)
                .put("failures", failures));
    }

    private static long diff(JsonObject b, JsonObject a, String key) {
        return b.getLong(key, 0L) - a.getLong(key, 0L);
    }

    private int reportStuck(String phase, List<String> stuck) {
        System.out.printf("FAILED: %d node(s) did not finish %s:%n", stuck.size(), phase);
        for (String uuid : stuck.subList(0, Math.min(50, stuck.size()))) {
            try {
                JsonObject node = call(
                                HttpMethod.GET, "/v1/nodes/" + uuid + "?fields=name,provision_state,last_error", null)
                        .map(r -> new JsonObject(r.body))
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                System.out.printf(
                        "  %s %s [%s]: %s%n",
                        node.getString("name"), uuid, node.getString("provision_state"), node.getString("last_error"));
            } catch (Exception e) {
                System.out.printf("  %s: %s%n", uuid, e);
            }
        }
        return 1;
    }

    // ---- samples: time, Anvil's CPU, the simulator's agent totals ----

    record Sample(long nanos, long anvilCpuNs, long simCpuNs, JsonObject stats) {}

    private Sample sample() throws Exception {
        return new Sample(System.nanoTime(), anvil.cpuNs(), sim.cpuNs(), sim.agentStats());
    }

    // ---- waiting, with progress ----

    /** Polls every node's provision_state until every node is in {@code done} or a fail state; returns the rest. */
    private List<String> await(String phase, Set<String> done, long since, Future<Void> requests) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.timeoutS);
        long nextProgress = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (true) {
            Map<String, JsonObject> states = pollAll();
            Map<String, Integer> counts = new TreeMap<>();
            int finished = 0;
            int failed = 0;
            for (JsonObject node : states.values()) {
                String st = node.getString("provision_state");
                counts.merge(st, 1, Integer::sum);
                if (done.contains(st)) {
                    finished++;
                } else if (FAILED.contains(st)) {
                    failed++;
                }
            }
            long now = System.nanoTime();
            if (requests.failed()) {
                throw new IllegalStateException(phase + ": " + requests.cause().getMessage(), requests.cause());
            }
            // the requests are still being retried (503) while every node is counted: not over yet
            boolean over = (finished + failed >= n && requests.isComplete()) || now > deadline;
            if (now >= nextProgress || over) {
                JsonObject st = sim.agentStats();
                System.out.printf(
                        "  [%s %5.1f s] %s | agents running %d, heartbeats %d, commands %d | anvil CPU %.1f s | 503s %d%n",
                        phase,
                        (now - since) / 1e9,
                        counts,
                        st.getLong("running", 0L),
                        st.getLong("heartbeats", 0L),
                        st.getLong("commands", 0L),
                        anvil.cpuNs() / 1e9,
                        retries503.get());
                nextProgress = now + TimeUnit.SECONDS.toNanos(3);
            }
            if (over) {
                List<String> rest = new ArrayList<>();
                states.forEach((uuid, node) -> {
                    if (!done.contains(node.getString("provision_state"))) {
                        rest.add(uuid);
                    }
                });
                return rest;
            }
            BenchWait.pause(250);
        }
    }

    /** Every node's uuid, provision_state and target, page by page (1,000 a page). */
    private Map<String, JsonObject> pollAll() throws Exception {
        Map<String, JsonObject> all = new TreeMap<>();
        String marker = null;
        while (true) {
            String uri = "/v1/nodes?fields=uuid,provision_state,target_provision_state&limit=1000"
                    + (marker == null ? "" : "&marker=" + marker);
            Resp r = call(poller, HttpMethod.GET, uri, null)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            if (r.status != 200) {
                throw new IllegalStateException("GET " + uri + ": " + r.status + " " + r.body);
            }
            JsonArray page = new JsonObject(r.body).getJsonArray("nodes");
            for (Object o : page) {
                JsonObject node = (JsonObject) o;
                all.put(node.getString("uuid"), node);
                marker = node.getString("uuid");
            }
            if (page.size() < 1000) {
                return all;
            }
        }
    }

    // ---- API calls: a window of requests in flight, 503 retried with back-off ----

    interface PerNode {
        Future<Void> apply(int index);
    }

    /** Runs {@code work} for every node index with at most {@code bench.inFlight} in flight; fails on the first error. */
    private void forAll(PerNode work) throws Exception {
        forAllAsync(work).toCompletionStage().toCompletableFuture().get(s.timeoutS, TimeUnit.SECONDS);
    }

    /** As {@link #forAll}, without waiting: completes when every node's request was answered as expected. */
    private Future<Void> forAllAsync(PerNode work) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<Void>> lanes = new ArrayList<>();
        Promise<Void> started = Promise.promise();
        vertx.runOnContext(v -> {
            for (int l = 0; l < Math.min(s.inFlight, n); l++) {
                lanes.add(lane(next, work));
            }
            started.complete();
        });
        started.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return Future.all(lanes).mapEmpty();
    }

    private Future<Void> lane(AtomicInteger next, PerNode work) {
        int i = next.getAndIncrement();
        if (i >= n) {
            return Future.succeededFuture();
        }
        return work.apply(i).compose(v -> lane(next, work));
    }

    private Future<Void> enrol(int i, String kernel, String ramdisk, JsonObject instanceInfo) {
        JsonObject node = new JsonObject()
                .put("name", "bench-" + i)
                .put("driver", "ipmi")
                .put("boot_interface", "ipxe")
                .put("deploy_interface", "direct")
                .put("instance_info", instanceInfo)
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", "127.0.0.1")
                                .put("ipmi_port", s.basePort + i)
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", "password")
                                .put("deploy_kernel", kernel)
                                .put("deploy_ramdisk", ramdisk));
        return expect(HttpMethod.POST, "/v1/nodes", node, 201).compose(body -> {
            String uuid = new JsonObject(body).getString("uuid");
            uuids.set(i, uuid);
            return expect(
                            HttpMethod.POST,
                            "/v1/ports",
                            new JsonObject()
                                    .put("address", AgentFleet.macFor(i))
                                    .put("node_uuid", uuid),
                            201)
                    .mapEmpty();
        });
    }

    private Future<Void> provision(int i, String target) {
        return retrying("/v1/nodes/" + uuids.get(i) + "/states/provision", new JsonObject().put("target", target), 0);
    }

    /** PUT with 202 expected; a 503 is retried after 100 ms × 2^attempt (cap 3.2 s), jittered, as tooling does. */
    private Future<Void> retrying(String uri, JsonObject body, int attempt) {
        long t0 = System.nanoTime();
        return call(HttpMethod.PUT, uri, body).compose(r -> {
            putMicros.add((System.nanoTime() - t0) / 1000);
            if (r.status == 202) {
                return Future.succeededFuture();
            }
            if (r.status == 503) {
                retries503.incrementAndGet();
                long ms = (long) (Math.min(3200, 100L << Math.min(attempt, 5))
                        * ThreadLocalRandom.current().nextDouble(0.5, 1.0));
                Promise<Void> p = Promise.promise();
                vertx.setTimer(
                        Math.max(1, ms), id -> retrying(uri, body, attempt + 1).onComplete(p));
                return p.future();
            }
            return Future.failedFuture("PUT " + uri + " " + body.encode() + ": " + r.status + " " + r.body);
        });
    }

    private Future<String> expect(HttpMethod method, String uri, JsonObject body, int status) {
        return call(method, uri, body)
                .compose(r -> r.status == status
                        ? Future.succeededFuture(r.body)
                        : Future.failedFuture(method + " " + uri + ": " + r.status + " " + r.body));
    }

    record Resp(int status, String body) {}

    private Future<Resp> call(HttpMethod method, String uri, JsonObject body) {
        return call(http, method, uri, body);
    }

    private Future<Resp> call(HttpClient client, HttpMethod method, String uri, JsonObject body) {
        requests.incrementAndGet();
        RequestOptions o = new RequestOptions()
                .setMethod(method)
                .setURI(uri)
                .putHeader("X-OpenStack-Ironic-API-Version", VERSION)
                .setTimeout(120_000);
        if (body != null) {
            o.putHeader("Content-Type", "application/json");
        }
        // the whole exchange runs on one Vert.x context: chained from the bench's own thread, a response that arrived
        // before resp.body() was asked for would be gone, and the call would wait forever (seen: the progress poll
        // hung 60 s in 2 of 8 runs)
        io.vertx.core.Promise<Resp> done = io.vertx.core.Promise.promise();
        context.runOnContext(v -> client.request(o)
                .compose(req -> body == null ? req.send() : req.send(body.toBuffer()))
                .compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), b.toString())))
                .onComplete(done));
        return done.future();
    }

    // ---- processes ----

    private void stopChildren() {
        for (Child c : new Child[] {anvil, sim}) {
            if (c != null) {
                c.stop();
            }
        }
    }

    /** {@code java -Xmx<xmx> [jvmOptions] -cp target/classes:… io.anvil.cli.AnvilCommand args…}: an Anvil process. */
    static List<String> anvilCommand(String xmx, List<String> jvmOptions, String... args) throws java.io.IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + xmx);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of(
                "-cp",
                "target/classes:"
                        + Files.readString(Path.of("target/classpath.txt")).trim(),
                "io.anvil.cli.AnvilCommand"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String loadavg() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    /** A child JVM whose output goes to a log file; its CPU and peak RSS from /proc; the sim's stats line parsed. */
    static final class Child {
        final String name;
        final Process process;
        final String readyLine;
        private volatile JsonObject stats = new JsonObject();

        private Child(String name, Process process, String readyLine) {
            this.name = name;
            this.process = process;
            this.readyLine = readyLine;
        }

        static Child start(String name, List<String> cmd, Map<String, String> env, Path log, String ready)
                throws Exception {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            // the child sees only the settings given here: no ANVIL_* of the caller's shell leaks in
            pb.environment().keySet().removeIf(k -> k.startsWith("ANVIL_"));
            pb.environment().putAll(env);
            Process p = pb.start();
            java.util.concurrent.CompletableFuture<String> up = new java.util.concurrent.CompletableFuture<>();
            Child[] self = new Child[1];
            Thread reader = new Thread(
                    () -> {
                        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
                                var out = Files.newBufferedWriter(log)) {
                            String line;
                            while ((line = in.readLine()) != null) {
                                if (line.contains("agent stats:")) {
                                    if (self[0] != null) {
                                        self[0].stats = parseStats(line);
                                    }
                                    continue;
                                }
                                out.write(line);
                                out.newLine();
                                out.flush();
                                if (line.contains(ready)) {
                                    up.complete(line);
                                }
                            }
                        } catch (java.io.IOException e) {
                            // the process ended
                        }
                        up.completeExceptionally(new IllegalStateException(name + " exited; see " + log));
                    },
                    name + "-output");
            reader.setDaemon(true);
            reader.start();
            String line;
            try {
                line = up.get(180, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                throw e;
            }
            Child c = new Child(name, p, line);
            self[0] = c;
            return c;
        }

        private static JsonObject parseStats(String line) {
            JsonObject o = new JsonObject();
            for (String kv :
                    line.substring(line.indexOf("agent stats:") + 12).trim().split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    o.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                }
            }
            return o;
        }

        /** The simulator's latest agent totals (printed every 500 ms). */
        JsonObject agentStats() {
            return stats.copy();
        }

        long pid() {
            return process.pid();
        }

        /** utime + stime of the process (all its threads), from /proc/PID/stat. */
        long cpuNs() throws java.io.IOException {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NS;
        }

        /** VmHWM: the process's peak resident set, kB. */
        long peakRssKb() throws java.io.IOException {
            for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        }

        /** SIGTERM (a clean stop: Anvil's shutdown hook, JFR's dump), then SIGKILL after 60 s. */
        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
