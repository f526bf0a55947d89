package io.anvil.bench;

import io.anvil.agent.AgentMetrics;
import io.anvil.testsupport.AnvilInstance;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;

/**
 * {@code scripts/bench heartbeat [nodes] [seconds] [connections] [lanes] [flush-interval-s]} (docs/agent.md,
 * docs/benchmarks.md): N nodes (default 100,000) in "wait call-back" with an agent token, inserted with one INSERT ...
 * SELECT (then ANALYZE, as autovacuum would have). The load comes from {@code wrk} when it is on the PATH (a separate
 * process: Anvil's JVM then runs Anvil alone; {@code -Dbench.wrk_threads}, default 1), otherwise, or with
 * {@code -Dbench.generator=vertx}, from a Vert.x client in this JVM ({@code lanes} requests in flight, pipelined
 * when above {@code connections}). C keep-alive connections (default 128) send valid heartbeats round-robin over the
 * nodes for S seconds (default 20) after a 5 s warm-up; the bench reports heartbeats/s with p50/p99 and where the
 * machine's cores went (this JVM, PostgreSQL, wrk, other processes, the rest).
 *
 * <p>Then it checks in PostgreSQL: after a wrk run (which knows only counts) every node must hold the run's
 * agent_version with an agent_last_heartbeat inside the run; then a last sweep sends every node one heartbeat with a
 * unique agent_version from this JVM, and every node's stored agent_version must be the last one sent to it with its
 * agent_last_heartbeat inside that request's round trip. Writes target/bench/heartbeat.json.
 */
public final class HeartbeatBench {
    private static final int WARMUP_S = 5;

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int lanes = args.length > 3 ? Integer.parseInt(args[3]) : connections;
        double flush = args.length > 4 ? Double.parseDouble(args[4]) : 1.0;
        String wrk = WrkHeartbeats.find();
        String generator = System.getProperty("bench.generator", wrk != null ? "wrk" : "vertx");
        int wrkThreads = Integer.getInteger("bench.wrk_threads", 1);
        int apiInstances =
                Integer.getInteger("bench.api_instances", Runtime.getRuntime().availableProcessors());
        if (generator.equals("wrk") && wrk == null) {
            System.err.println("-Dbench.generator=wrk needs wrk on the PATH (Debian: apt-get install wrk)");
            System.exit(2);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        System.out.printf(
                "heartbeat bench: %d nodes, %d s, %d connections, %d cores, generator %s, load average before: %s%n",
                nodes, seconds, connections, cores, generator, load);
        Map<String, Object> settings = new java.util.HashMap<>(Map.of(
                "api.instances", apiInstances,
                "database.pool_size", 8,
                "database.pipelined_size", 4,
                "agent.liveness_flush_interval", flush,
                // the bench measures intake: no node may time out while it runs
                "conductor.deploy_callback_timeout", 0));
        // -Dbench.anvil.<section>.<key>=value sets any other Anvil setting (as scripts/bench deploy)
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("bench.anvil."))
                .forEach(k -> settings.put(k.substring("bench.anvil.".length()), System.getProperty(k)));
        try (AnvilInstance anvil = AnvilInstance.start(settings)) {
            var db = anvil.database();
            String[] uuids = new String[nodes];
            String[] tokens = new String[nodes];
            String[] urls = new String[nodes];
            long t0 = System.nanoTime();
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement s = c.createStatement()) {
                s.execute("INSERT INTO nodes (uuid, driver, provision_state, power_state, provision_updated_at,"
                        + " driver_internal_info, boot_interface, deploy_interface, inspect_interface,"
                        + " management_interface, power_interface, rescue_interface, vendor_interface, console_interface,"
                        + " raid_interface, bios_interface, storage_interface, network_interface)"
                        + " SELECT gen_random_uuid(), 'fake-hardware', 'wait call-back', 'power on', now(),"
                        + " jsonb_build_object('agent_secret_token', md5(random()::text) || md5(random()::text)),"
                        + " 'fake', 'fake', 'fake', 'fake', 'fake', 'fake', 'fake', 'fake', 'fake', 'fake', 'noop', 'noop'"
                        + " FROM generate_series(1, " + nodes + ")");
                // a running Anvil has statistics on its nodes (autovacuum); a bulk insert seconds ago has none, and the
                // planner would then hash-join the whole table for every liveness batch
                s.execute("ANALYZE nodes");
                try (ResultSet rs = s.executeQuery(
                        "SELECT uuid::text, driver_internal_info->>'agent_secret_token' FROM nodes ORDER BY id")) {
                    int i = 0;
                    while (rs.next()) {
                        uuids[i] = rs.getString(1);
                        tokens[i] = rs.getString(2);
                        urls[i] = callbackUrl(i);
                        i++;
                    }
                }
            }
            System.out.printf("inserted %d nodes in %.1f s%n", nodes, (System.nanoTime() - t0) / 1e9);

            Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
            HttpClient http = vertx.createHttpClient(
                    new HttpClientOptions()
                            .setDefaultHost("127.0.0.1")
                            .setDefaultPort(anvil.port())
                            .setKeepAlive(true)
                            .setTcpNoDelay(true)
                            // more lanes than connections: requests are pipelined on each connection
                            .setPipelining(lanes > connections)
                            .setPipeliningLimit(Math.max(1, (lanes + connections - 1) / connections)),
                    new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
            Generator gen = new Generator(http, uuids, tokens, urls);
            WrkHeartbeats driver = generator.equals("wrk")
                    ? WrkHeartbeats.prepare(wrk, Path.of("target/bench"), anvil.endpoint(), uuids, tokens, urls)
                    : null;
            if (driver != null) {
                driver.run(wrkThreads, connections, WARMUP_S, "wrk-warmup");
            } else {
                gen.run(lanes, WARMUP_S, false);
            }
            AgentMetrics m = anvil.anvil().agent().metrics();
            long statements0 = m.flushStatements();
            long rows0 = m.rowsWritten();
            long batches0 = m.readBatches();
            long accepted0 = m.accepted();
            var os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long runStart = System.currentTimeMillis();
            Result r;
            Map<String, Double> cpu;
            int[] phase = null;
            if (driver != null) {
                WrkHeartbeats.Run w = driver.run(wrkThreads, connections, seconds, "wrk-run");
                r = new Result(w.requests(), w.perSecond(), w.p50(), w.p99(), w.errors() + w.non2xx());
                cpu = w.cpu();
            } else {
                CpuMeter meter = new CpuMeter();
                meter.start();
                r = gen.run(lanes, seconds, false);
                cpu = meter.stop();
            }
            if (driver != null) {
                // wrk exits at its deadline without reading the answers still in flight: let Anvil finish those
                // (its counters stand still) before the run's window closes
                BenchWait.untilSteady(() -> m.accepted() + m.rejected(), 300);
            }
            long runEnd = System.currentTimeMillis();
            long accepted = m.accepted() - accepted0;
            // with wrk the JVM is Anvil alone; with the Vert.x generator it is an upper bound (generator included)
            double cpuMicrosPerHeartbeat = (os.getProcessCpuTime() - cpu0) / 1000.0 / Math.max(1, accepted);
            if (driver != null) {
                // wrk knows only counts: every node must now hold the run's version with a stamp inside the run
                get(anvil.anvil().agent().flushLiveness());
                phase = verifyPhase(db, "wrk-run", runStart, runEnd);
            }
            // a last sweep gives every node a heartbeat whose value is known, so every node is checked below
            Result sweep = gen.run(lanes, 0, true);
            get(anvil.anvil().agent().flushLiveness());
            String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();

            int[] mismatches = verify(db, gen);
            String jvmOptions = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("-XX:MaxGCPause") || a.startsWith("-Dbench."))
                    .map(a -> a + " ")
                    .collect(java.util.stream.Collectors.joining());
            String command = "scripts/bench heartbeat " + jvmOptions + nodes + " " + seconds + " " + connections + " "
                    + lanes + " " + flush;
            BenchTable table = new BenchTable(
                            "heartbeat",
                            "scenario",
                            "heartbeats/s",
                            "p50 ms",
                            "p99 ms",
                            "errors",
                            "run check",
                            "sweep check")
                    .meta("nodes", nodes)
                    .meta("seconds", seconds)
                    .meta("generator", generator)
                    .meta("connections", connections)
                    .meta("lanes", lanes)
                    .meta("api_instances", apiInstances)
                    .meta("liveness_flush_interval_s", flush)
                    .meta("sweep_heartbeats_per_s", sweep.perSecond())
                    .meta("cores", cores)
                    .meta("load_before", load)
                    .meta("load_after", loadAfter)
                    .meta("cpu_cores", new JsonObject(new java.util.LinkedHashMap<>(cpu)))
                    .meta("accepted_by_anvil", accepted)
                    .meta("flush_statements", m.flushStatements() - statements0)
                    .meta("rows_written", m.rowsWritten() - rows0)
                    .meta("read_batches", m.readBatches() - batches0)
                    .meta("jvm_cpu_us_per_heartbeat", cpuMicrosPerHeartbeat)
                    .meta("command", command);
            table.row(new JsonObject()
                    .put("scenario", "POST /v1/heartbeat/{uuid} (" + nodes + " nodes in wait call-back)")
                    .put("heartbeats/s", r.perSecond())
                    .put("p50 ms", r.p50())
                    .put("p99 ms", r.p99())
                    .put("errors", r.errors())
                    .put(
                            "run check",
                            phase == null
                                    ? "-"
                                    : phase[0] + " of " + nodes + " nodes hold the run's last"
                                            // round-robin: with fewer heartbeats than nodes, not every node got one
                                            + (r.count() < nodes ? " (only " + r.count() + " sent)" : ""))
                    .put("sweep check", mismatches[0] + " mismatches in " + mismatches[1] + " nodes"));
            System.out.printf(
                    "CPU of this JVM (%s): %.0f µs per heartbeat; cores: %s%n",
                    driver != null ? "Anvil alone" : "Anvil + generator", cpuMicrosPerHeartbeat, cpu);
            System.out.printf(
                    "liveness: %d UPDATE statements wrote %d rows for %d heartbeats; %d batched reads%n",
                    m.flushStatements() - statements0, m.rowsWritten() - rows0, accepted, m.readBatches() - batches0);
            table.finish();
            get(http.close());
            get(vertx.close());
        }
        System.exit(0);
    }

    /** The callback URL the bench's agent on node {@code i} reports (both generators). */
    static String callbackUrl(int i) {
        return "http://10.1." + (i >> 8 & 0xff) + "." + (i & 0xff) + ":9999";
    }

    /**
     * {nodes that hold {@code version}, with an agent_last_heartbeat inside [from, to] ms}: what a generator that
     * knows only counts can check. Every node was sent heartbeats of the run, so every node must pass.
     */
    private static int[] verifyPhase(io.anvil.store.DatabaseUrl db, String version, long from, long to)
            throws Exception {
        int ok = 0;
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT driver_internal_info->>'agent_version',"
                        + " driver_internal_info->>'agent_last_heartbeat' FROM nodes")) {
            while (rs.next()) {
                String stamp = rs.getString(2);
                if (version.equals(rs.getString(1)) && stamp != null) {
                    long at =
                            LocalDateTime.parse(stamp).toInstant(ZoneOffset.UTC).toEpochMilli();
                    if (at >= from - 1 && at <= to + 1) {
                        ok++;
                    }
                }
            }
        }
        return new int[] {ok};
    }

    /** {mismatches, nodes checked}: agent_version is the last sent, agent_last_heartbeat within its round trip. */
    private static int[] verify(io.anvil.store.DatabaseUrl db, Generator gen) throws Exception {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < gen.uuids.length; i++) {
            index.put(gen.uuids[i], i);
        }
        int bad = 0;
        int checked = 0;
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT uuid::text, driver_internal_info->>'agent_version',"
                        + " driver_internal_info->>'agent_last_heartbeat' FROM nodes")) {
            while (rs.next()) {
                int i = index.get(rs.getString(1));
                long seq = gen.lastSeq.get(i);
                if (seq == 0) {
                    continue;
                }
                checked++;
                String version = rs.getString(2);
                String stamp = rs.getString(3);
                boolean ok = ("hb-" + seq).equals(version) && stamp != null;
                if (ok) {
                    long at =
                            LocalDateTime.parse(stamp).toInstant(ZoneOffset.UTC).toEpochMilli();
                    ok = at >= gen.lastSent.get(i) - 1 && at <= gen.lastDone.get(i) + 1;
                }
                if (!ok) {
                    if (bad < 5) {
                        System.out.printf(
                                "  mismatch %s: stored %s at %s, last sent hb-%d between %d and %d%n",
                                rs.getString(1), version, stamp, seq, gen.lastSent.get(i), gen.lastDone.get(i));
                    }
                    bad++;
                }
            }
        }
        return new int[] {bad, checked};
    }

    record Result(long count, double perSecond, double p50, double p99, long errors) {}

    /** Closed-loop lanes, one request in flight each, round-robin over the nodes; latency histogram in 10 µs bins. */
    static final class Generator {
        final String[] uuids;
        final String[] tokens;
        final String[] urls;
        final AtomicLongArray lastSeq;
        final AtomicLongArray lastSent;
        final AtomicLongArray lastDone;
        private final HttpClient http;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicLong seq = new AtomicLong();

        Generator(HttpClient http, String[] uuids, String[] tokens, String[] urls) {
            this.http = http;
            this.uuids = uuids;
            this.tokens = tokens;
            this.urls = urls;
            this.lastSeq = new AtomicLongArray(uuids.length);
            this.lastSent = new AtomicLongArray(uuids.length);
            this.lastDone = new AtomicLongArray(uuids.length);
        }

        /** {@code sweep}: one heartbeat to every node, then stop; otherwise round-robin for {@code seconds}. */
        Result run(int lanes, int seconds, boolean sweep) throws Exception {
            long[] bins = new long[100_001]; // 10 µs each, up to 1 s (last bin: slower)
            AtomicLong count = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            long start = System.nanoTime();
            // the measurement window: each lane stops sending once it has passed (no sleeping thread)
            long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
            BooleanSupplier stop = () -> !sweep && System.nanoTime() - deadline > 0;
            List<Future<Void>> all = new ArrayList<>();
            AtomicInteger swept = sweep ? new AtomicInteger() : null;
            if (sweep) {
                next.set(0);
            }
            for (int l = 0; l < lanes; l++) {
                Promise<Void> done = Promise.promise();
                all.add(done.future());
                lane(stop, bins, count, errors, done, swept);
            }
            get(Future.all(all));
            double elapsed = (System.nanoTime() - start) / 1e9;
            long n = count.get();
            return new Result(n, n / elapsed, pct(bins, n, 0.50), pct(bins, n, 0.99), errors.get());
        }

        private static double pct(long[] bins, long n, double q) {
            long target = (long) Math.ceil(n * q);
            long seen = 0;
            synchronized (bins) {
                for (int i = 0; i < bins.length; i++) {
                    seen += bins[i];
                    if (seen >= target) {
                        return (i + 1) * 0.01;
                    }
                }
            }
            return Double.NaN;
        }

        private void lane(
                BooleanSupplier stop,
                long[] bins,
                AtomicLong count,
                AtomicLong errors,
                Promise<Void> done,
                AtomicInteger swept) {
            if (stop.getAsBoolean() || (swept != null && swept.get() >= uuids.length)) {
                done.complete();
                return;
            }
            int i = swept != null ? swept.getAndIncrement() : Math.floorMod(next.getAndIncrement(), uuids.length);
            if (i >= uuids.length) {
                done.complete();
                return;
            }
            long s = seq.incrementAndGet();
            Buffer body = Buffer.buffer(160)
                    .appendString("{\"callback_url\":\"")
                    .appendString(urls[i])
                    .appendString("\",\"agent_token\":\"")
                    .appendString(tokens[i])
                    .appendString("\",\"agent_version\":\"hb-")
                    .appendString(Long.toString(s))
                    .appendString("\"}");
            long sentWall = System.currentTimeMillis();
            long t = System.nanoTime();
            http.request(new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setURI("/v1/heartbeat/" + uuids[i])
                            .putHeader("X-OpenStack-Ironic-API-Version", "1.68")
                            .putHeader("Content-Type", "application/json"))
                    .compose(req -> req.send(body))
                    .compose(resp -> resp.body().map(b -> resp.statusCode()))
                    .onComplete(ar -> {
                        long micros = (System.nanoTime() - t) / 1000;
                        synchronized (bins) {
                            bins[(int) Math.min(bins.length - 1, micros / 10)]++;
                        }
                        count.incrementAndGet();
                        if (ar.succeeded() && ar.result() == 202) {
                            lastSeq.set(i, s);
                            lastSent.set(i, sentWall);
                            lastDone.set(i, System.currentTimeMillis());
                        } else {
                            errors.incrementAndGet();
                        }
                        lane(stop, bins, count, errors, done, swept);
                    });
        }
    }

    static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
    }
}
