package io.anvil.bench;

import io.anvil.cluster.HashRing;
import io.anvil.lock.LockLease;
import io.anvil.lock.LockOptions;
import io.anvil.lock.LockRequest;
import io.anvil.lock.NodeLockService;
import io.anvil.lock.RedisTopology;
import io.anvil.metrics.EventLoopLag;
import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.RedisServers;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

/**
 * {@code scripts/bench scale}: the sizing target of docs/scale-out.md — {@code bench.nodes} (100,000) simulated
 * {@code ipmi} nodes, {@code bench.conductors} (3) conductor processes on one PostgreSQL and one Redis Cluster.
 *
 * <ol>
 *   <li><b>Redis</b>: a real Cluster started from {@code redis-server} (3 masters, each with a replica;
 *       {@code testsupport.RedisServers}); the conductors run with {@code redis.mode: cluster}.
 *       {@code -Dbench.redis=standalone} uses the test Redis instead.</li>
 *   <li><b>BMCs</b>: {@code anvil sim bmc} processes of at most {@code bench.bmcsPerSim} (14,000) BMCs each — one
 *       UDP socket per BMC, under the 20,000 file-descriptor limit of a process here — simulator k on loopback
 *       address 127.0.1.(k+1) ({@code bench.simNet} moves it, e.g. to 127.0.2 beside another bench), BMC j on port
 *       20000+j. Each runs with {@code -v}: the bench reads every "session
 *       opened" line, with the time it read it, to see which BMC a conductor talked to when.</li>
 *   <li><b>Enroll</b>: with {@code bench.enroll=api} (the default) {@code POST /v1/nodes} with {@code driver: ipmi}
 *       and the BMC's {@code driver_info}, {@code bench.inFlight} (64) requests at once, spread over the
 *       conductors' APIs; with {@code bench.enroll=sql} one batched INSERT per 1,000 nodes (what the table says ran).
 *       Then one UPDATE moves every node to {@code manageable} with power {@code power off} (what the simulators
 *       report), as if verified: {@code enroll} is among the power sync's excluded states, and a verify per node
 *       would be a power-state read before the one measured.</li>
 *   <li><b>Power-sync pass</b> at the shipped defaults ({@code sync_power_state_interval} 60 s,
 *       {@code sync_power_state_workers}) unless {@code bench.syncInterval} / {@code bench.anvil.*} say otherwise:
 *       per conductor, its first {@code sync_power_states} run that read power states (new IPMI sessions: no
 *       conductor talked to a BMC before) — the run's duration ({@code anvil_periodic_duration_seconds}), the
 *       {@code getChassisStatus} reads and sessions it made; across the three, the longest run and the time from
 *       the nodes becoming eligible until every conductor's run ended, and the "session opened" count the
 *       simulators saw. Also each conductor's longest event-loop turn ({@code anvil_event_loop_lag_max_seconds})
 *       and turns of 100 ms or more ({@code anvil_event_loop_stalls_total}) since its start. <i>First-pass CPU</i>:
 *       the CPU time (/proc/PID/stat) of the conductors, the simulators, the Redis servers and the PostgreSQL
 *       backends of the bench's database from the nodes becoming eligible until every first pass ended, per node.
 *       <i>Warm-pass CPU</i> (with {@code bench.secondPass}): the same, from the end of the first passes until each
 *       conductor's next run ended — about one interval of kept sessions: their keepalives, then one check per node
 *       through them.</li>
 *   <li><b>Memory</b>: VmRSS and VmHWM of each conductor (and of each simulator) after the pass, and the heap in
 *       use.</li>
 *   <li><b>API</b>: wrk's p50/p99 of {@code GET /v1/nodes/{uuid}} (random nodes) and {@code GET
 *       /v1/nodes?limit=1000} against each conductor, {@code bench.seconds} (10) each.</li>
 *   <li><b>Take-over</b>: {@code kill -9} of the last conductor. Its nodes are those the hash ring of the three
 *       hostnames gives it (Ironic's ring, {@code cluster.HashRing}, {@code DEFAULT_PARTITIONS} points each, as the conductors compute
 *       it). <i>Take-over time</i>, as Ironic's take-over is (its ring rebuild and {@code _check_orphan_nodes};
 *       {@code _sync_local_state} has nothing to do for nodes that are not ACTIVE): from the kill until every
 *       survivor's {@code GET /v1/conductors} shows the dead one not alive (so each routes and locks its nodes
 *       again) and no node is still reserved by it (the reservations of its tasks in flight, released once their
 *       Redis leases ran out). Reported with its parts — when the conductors table first calls the dead one not
 *       alive (a survivor marks it offline once its liveness lock in PostgreSQL is free,
 *       {@code conductor.liveness_poll_interval}; else its keepalive times out), when the first survivor's API
 *       shows it — and with more than Ironic does at a take-over: when the first, half and all of its nodes'
 *       BMCs had a new IPMI session opened by a survivor (the survivors' power sync checks the nodes they gained at
 *       once; the dead conductor's sessions died with it). Waits at most three sync intervals plus 2 minutes.</li>
 * </ol>
 *
 * <p>Settings ({@code -Dname=value}): {@code bench.nodes} (100000), {@code bench.conductors} (3), {@code bench.xmx}
 * (1g, each conductor), {@code bench.conductorOpts} (the conductors' other JVM options, space separated, none by
 * default), {@code bench.simXmx} (768m), {@code bench.simOpts} (the simulators' other JVM options, space separated;
 * default {@code -XX:TieredStopAtLevel=1 -Xms<simXmx> -XX:+AlwaysPreTouch}: the simulators stand in for BMCs, which
 * cost the conductors' machine nothing, yet share its cores — with C1 only they spend about half the CPU per node they
 * spent with C2's compilations, which were ~45 % of it, and their heap is touched at start-up, not as page faults
 * during the pass; {@code -Dbench.simOpts=} for none), {@code bench.bmcsPerSim} (14000: eight simulator JVMs for
 * 100,000 BMCs; six of 17,000 made the first pass slower in two runs of two), {@code bench.syncInterval}
 * (seconds; default: the shipped 60), {@code bench.enroll} (api|sql), {@code bench.inFlight} (64),
 * {@code bench.redis} (cluster|standalone), {@code bench.seconds} (wrk, 10), {@code bench.takeover} (true),
 * {@code bench.secondPass} (true: also the run of each conductor that ends next after the first passes, warm),
 * {@code bench.warmPasses} (1: how many such runs, one after the other, each with its CPU),
 * {@code bench.jfr=true} (a flight recording of each conductor and simulator over the first pass, and over the last
 * warm pass: {@code target/bench/scale-warm-pass-PID.jfr}),
 * {@code bench.keep=true} keeps the database, and {@code bench.anvil.<section>.<key>} any other conductor setting.
 * A quick check: {@code scripts/bench scale -Dbench.nodes=10000 -Dbench.syncInterval=20}. Prints a table with the
 * load average (the machine may be shared) and writes target/bench/scale.json.
 */
public final class ScaleBench {
    private static final String VERSION = "X-OpenStack-Ironic-API-Version: 1.78";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final int SIM_BASE_PORT = 20000;
    private static final String CHASSIS_OK = "operation=\"getChassisStatus\",outcome=\"ok\"";

    private ScaleBench() {}

    public static void main(String[] args) {
        int status = 0;
        try {
            run();
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1; // Vert.x threads would keep a failed bench alive
        }
        System.exit(status); // the teardown watchdog (see watchTeardown) halts it if this hangs
    }

    /** Teardown steps (stopping the conductors, the simulators, Redis; dropping the database) may take this long. */
    static final Duration TEARDOWN_LIMIT = Duration.ofMinutes(5);

    /**
     * Starts the teardown watchdog: after {@code limit}, every thread's stack (to see what held the JVM) and a halt with
     * status 3. A 100,000-node run once stayed up after writing its JSON; a teardown or {@link System#exit} (its
     * shutdown hooks) that hangs now ends in that halt, with the stacks that say why.
     */
    static void watchTeardown(Duration limit) {
        // a daemon timer: it keeps no JVM alive, and fires only if the teardown is still running at the limit
        new java.util.Timer("teardown-watchdog", true)
                .schedule(
                        new java.util.TimerTask() {
                            @Override
                            public void run() {
                                System.out.println("teardown still running after " + limit.toSeconds()
                                        + " s: every thread's stack follows, then a halt");
                                Thread.getAllStackTraces().forEach((t, stack) -> {
                                    System.out.println("\"" + t.getName() + "\" " + t.getState());
                                    for (StackTraceElement f : stack) {
                                        System.out.println("    at " + f);
                                    }
                                });
                                System.out.flush();
                                Runtime.getRuntime().halt(3);
                            }
                        },
                        limit.toMillis());
    }

    /** One teardown step, named on the output when it took 5 s or more (to see which one a slow teardown spent). */
    private static void step(String name, Runnable r) {
        long t = System.nanoTime();
        try {
            r.run();
        } catch (RuntimeException e) {
            System.out.println("teardown: " + name + " failed: " + e);
        }
        double s = (System.nanoTime() - t) / 1e9;
        if (s >= 5) {
            System.out.printf("teardown: %s took %.1f s%n", name, s);
        }
    }

    private static void run() throws Exception {
        int nodes = Integer.getInteger("bench.nodes", 100_000);
        int conductors = Integer.getInteger("bench.conductors", 3);
        String xmx = System.getProperty("bench.xmx", "1g");
        String simXmx = System.getProperty("bench.simXmx", "768m");
        // the simulators stand in for BMCs, which cost the conductors' machine nothing: their JVM options are free
        List<String> simOpts = List.of(System.getProperty(
                                "bench.simOpts", "-XX:TieredStopAtLevel=1 -Xms" + simXmx + " -XX:+AlwaysPreTouch")
                        .trim()
                        .split("\\s+"))
                .stream()
                .filter(o -> !o.isEmpty())
                .toList();
        // the conductors' own JVM options (besides -Xmx and the GC log), e.g. to compare JIT settings
        List<String> conductorOpts =
                List.of(System.getProperty("bench.conductorOpts", "").trim().split("\\s+")).stream()
                        .filter(o -> !o.isEmpty())
                        .toList();
        int perSim = Integer.getInteger("bench.bmcsPerSim", 14_000);
        String interval = System.getProperty("bench.syncInterval");
        int syncInterval = interval == null ? 60 : Integer.parseInt(interval);
        String enroll = System.getProperty("bench.enroll", "api");
        int inFlight = Integer.getInteger("bench.inFlight", 64);
        String redisMode = System.getProperty("bench.redis", "cluster");
        int seconds = Integer.getInteger("bench.seconds", 10);
        String wrk = ApiBench.findWrk();
        Files.createDirectories(Path.of("target/bench"));
        String load0 = loadAverage();
        System.out.printf(
                "scale bench: %d ipmi nodes, %d conductors (-Xmx%s each), redis %s, enroll %s, sync interval %d s,"
                        + " %d cores, load average %s%n",
                nodes,
                conductors,
                xmx,
                redisMode,
                enroll,
                syncInterval,
                Runtime.getRuntime().availableProcessors(),
                load0);
        BenchTable table = new BenchTable("scale", "section", "case", "value", "unit", "note")
                .meta("nodes", nodes)
                .meta("conductors", conductors)
                .meta("xmx", xmx)
                .meta("conductor_jvm_options", String.join(" ", conductorOpts))
                .meta("simulator_jvm_options", String.join(" ", simOpts))
                .meta("redis", redisMode)
                .meta("enroll", enroll)
                .meta("sync_power_state_interval", syncInterval)
                .meta("cores", Runtime.getRuntime().availableProcessors())
                .meta("load_average_start", load0)
                .meta(
                        "command",
                        "scripts/bench scale -Dbench.nodes=" + nodes + " -Dbench.conductors=" + conductors
                                + " -Dbench.enroll=" + enroll + " -Dbench.redis=" + redisMode
                                + (interval == null ? "" : " -Dbench.syncInterval=" + interval));
        Vertx timers = Vertx.vertx();
        List<Sim> sims = new ArrayList<>();
        List<DeployBench.Child> children = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            children.forEach(c -> c.process.destroyForcibly());
            sims.forEach(s -> s.process.destroyForcibly());
        }));
        ExecutorService pool = Executors.newCachedThreadPool();
        DatabaseUrl db = TestServices.freshDatabase();
        RedisServers cluster = null;
        try {
            List<String> redisEnv = new ArrayList<>();
            if (redisMode.equals("cluster")) {
                cluster = RedisServers.cluster(timers);
                redisEnv.add("ANVIL_REDIS_MODE=cluster");
                redisEnv.add("ANVIL_REDIS_ENDPOINTS=" + String.join(",", cluster.endpoints()));
                System.out.println("redis cluster: " + cluster.endpoints());
            } else {
                redisEnv.add("ANVIL_REDIS_URL=" + TestServices.redisUrl());
            }

            // ---- simulators
            long ts = System.nanoTime();
            List<CompletableFuture<Sim>> simStarts = new ArrayList<>();
            for (int k = 0; k * perSim < nodes; k++) {
                int count = Math.min(perSim, nodes - k * perSim);
                int index = k;
                simStarts.add(CompletableFuture.supplyAsync(() -> Sim.start(index, count, simXmx, simOpts), pool));
            }
            for (CompletableFuture<Sim> f : simStarts) {
                sims.add(f.get(10, TimeUnit.MINUTES));
            }
            table.row(row(
                    "setup",
                    "simulators up",
                    (System.nanoTime() - ts) / 1e9,
                    "s",
                    sims.size() + " `anvil sim bmc` processes of up to " + perSim + " BMCs"));

            // ---- conductors
            long t0 = System.nanoTime();
            List<Conductor> cs = new ArrayList<>();
            List<CompletableFuture<Conductor>> started = new ArrayList<>();
            for (int i = 1; i <= conductors; i++) {
                int n = i;
                Map<String, String> env = conductorEnv(db, "scale-" + n, syncInterval, redisEnv);
                started.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                int port = DeployBench.freePort();
                                DeployBench.Child c = DeployBench.Child.start(
                                        "conductor-" + n,
                                        DeployBench.anvilCommand(
                                                xmx,
                                                // GC pauses stop every loop too: their log tells them from long turns
                                                java.util.stream.Stream.concat(
                                                                Stream.of("-Xlog:gc:file=target/bench/scale-conductor-"
                                                                        + n + "-gc.log"),
                                                                conductorOpts.stream())
                                                        .toList(),
                                                "serve",
                                                "--port",
                                                String.valueOf(port)),
                                        env,
                                        Path.of("target/bench/scale-conductor-" + n + ".log"),
                                        "API listening");
                                synchronized (children) {
                                    children.add(c);
                                }
                                String base = "http://127.0.0.1:" + port;
                                while (status(base + "/v1") != 200) {
                                    BenchWait.pause(100);
                                }
                                return new Conductor("scale-" + n, c, base, (System.nanoTime() - t0) / 1e9);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            for (CompletableFuture<Conductor> f : started) {
                Conductor c = f.get(10, TimeUnit.MINUTES);
                cs.add(c);
                table.row(row("setup", c.name + ": API up", c.apiUp, "s", "from the launch of the three"));
            }

            // ---- enroll
            long te = System.nanoTime();
            List<String> uuids = enroll.equals("sql")
                    ? enrollSql(db, nodes, perSim)
                    : ApiEnroll.enroll(
                            cs.stream().map(c -> c.port()).toList(), nodes, inFlight, null, i -> nodeBody(i, perSim));
            double enrollS = (System.nanoTime() - te) / 1e9;
            table.row(row(
                    "enroll",
                    enroll.equals("sql") ? "bulk SQL INSERT" : "POST /v1/nodes (driver ipmi)",
                    enrollS,
                    "s",
                    String.format(
                            "%.0f nodes/s%s",
                            nodes / enrollS,
                            enroll.equals("sql") ? "" : ", " + inFlight + " in flight over " + conductors + " APIs")));

            if (cluster != null) {
                warmLockSlots(timers, cluster.endpoints(), uuids, table);
            }

            // ---- the first power-sync pass
            EventLoopLag control = EventLoopLag.start(timers, io.anvil.metrics.AnvilMetrics.noop());
            List<JsonObject> before = new ArrayList<>();
            for (Conductor c : cs) {
                before.add(c.sample());
            }
            long opened0 = sims.stream().mapToLong(s -> s.opened.get()).sum();
            PassProfile profile = new PassProfile(
                    Map.of(
                            "conductors", cs.stream().map(c -> c.child.pid()).toList(),
                            "simulators",
                                    sims.stream().map(s -> s.process.pid()).toList(),
                            "redis", cluster != null ? cluster.pids() : List.of()),
                    db.database(),
                    Boolean.getBoolean("bench.jfr"));
            profile.start();
            long tEligible = System.nanoTime();
            sql(db, "UPDATE nodes SET provision_state = 'manageable', power_state = 'power off'");
            List<CompletableFuture<JsonObject>> passes = new ArrayList<>();
            for (int i = 0; i < cs.size(); i++) {
                Conductor c = cs.get(i);
                JsonObject b = before.get(i);
                passes.add(CompletableFuture.supplyAsync(() -> c.awaitPass(b, tEligible), pool));
            }
            double longest = 0;
            double allDone = 0;
            long checks = 0;
            for (int i = 0; i < cs.size(); i++) {
                JsonObject p = passes.get(i).get(4L * syncInterval + 300, TimeUnit.SECONDS);
                Conductor c = cs.get(i);
                longest = Math.max(longest, p.getDouble("run"));
                allDone = Math.max(allDone, p.getDouble("ended"));
                checks += p.getLong("checks");
                table.row(row(
                        "power sync",
                        c.name + ": first pass run",
                        p.getDouble("run"),
                        "s",
                        String.format(
                                "%d getChassisStatus ok, %d sessions opened, %d failed",
                                p.getLong("checks"), p.getLong("sessions"), p.getLong("failed"))));
                table.row(row(
                        "event loop",
                        c.name + ": turns ≥ 0.1 s during the pass",
                        Double.parseDouble(p.getString("stalls").split(" ")[0]),
                        "turns",
                        p.getString("stalls")));
            }
            table.row(row(
                    "power sync",
                    "across the three: longest run",
                    longest,
                    "s",
                    String.format("aim < 60 s; %d checks in all for %d nodes", checks, nodes)));
            table.row(row(
                    "power sync",
                    "across the three: eligible → every run ended",
                    allDone,
                    "s",
                    "includes waiting for each conductor's next run to start (≤ one interval)"));
            passCpu(table, profile, nodes, "first-pass cpu", "target/bench/scale-first-pass");
            table.row(row(
                    "power sync",
                    "sessions the simulators saw opened",
                    sims.stream().mapToLong(s -> s.opened.get()).sum() - opened0,
                    "sessions",
                    "one per node expected (new sessions)"));
            // the next run of each: every JVM warmed up, sessions kept open (ipmi.session_idle_close > the interval)
            int warmPasses = Boolean.parseBoolean(System.getProperty("bench.secondPass", "true"))
                    ? Integer.getInteger("bench.warmPasses", 1)
                    : 0;
            for (int k = 1; k <= warmPasses; k++) {
                String which = warmPasses == 1 ? "" : " #" + k;
                List<CompletableFuture<JsonObject>> seconds2 = new ArrayList<>();
                // the CPU of a warm interval: keepalives of the kept sessions, then one check per node through them
                PassProfile warm = new PassProfile(
                        Map.of(
                                "conductors",
                                        cs.stream().map(c -> c.child.pid()).toList(),
                                "simulators",
                                        sims.stream().map(s -> s.process.pid()).toList(),
                                "redis", cluster != null ? cluster.pids() : List.of()),
                        db.database(),
                        Boolean.getBoolean("bench.jfr") && k == warmPasses);
                warm.start();
                for (Conductor c : cs) {
                    JsonObject b = c.sample();
                    long at = System.nanoTime();
                    seconds2.add(CompletableFuture.supplyAsync(() -> c.awaitPass(b, at), pool));
                }
                for (int i = 0; i < cs.size(); i++) {
                    JsonObject p = seconds2.get(i).get(4L * syncInterval + 300, TimeUnit.SECONDS);
                    table.row(row(
                            "power sync",
                            cs.get(i).name + ": a later pass run (warm)" + which,
                            p.getDouble("run"),
                            "s",
                            String.format(
                                    "%d getChassisStatus ok, %d sessions opened, %d failed; stalls %s",
                                    p.getLong("checks"),
                                    p.getLong("sessions"),
                                    p.getLong("failed"),
                                    p.getString("stalls"))));
                }
                passCpu(table, warm, nodes, "warm-pass cpu" + which, "target/bench/scale-warm-pass");
            }
            long[] idle = control.stallCounts();
            control.close();
            table.row(row(
                    "event loop",
                    "control: the bench's idle event loop, over the passes",
                    idle[0],
                    "turns",
                    String.format(
                            "%d ≥ 0.1 s, %d ≥ 0.5 s, %d ≥ 2 s, longest %.0f ms: the machine's CPU shortage alone",
                            idle[0], idle[1], idle[2], control.maxMillis())));
            for (Conductor c : cs) {
                JsonObject m = c.sample();
                table.row(row(
                        "event loop",
                        c.name + ": longest turn since start",
                        m.getDouble("lagMaxMs"),
                        "ms",
                        String.format("start-up included; %d turns ≥ 0.1 s since start", m.getLong("stalls"))));
            }

            // ---- memory
            for (Conductor c : cs) {
                long[] rss = rss(c.child.pid());
                JsonObject m = c.sample();
                table.row(row(
                        "memory",
                        c.name + ": VmRSS",
                        rss[0] / 1024.0,
                        "MiB",
                        String.format(
                                "VmHWM %d MiB, heap in use %.0f MiB; aim < 1024",
                                rss[1] / 1024, m.getDouble("heapMiB"))));
            }
            long simRss = 0;
            for (Sim s : sims) {
                simRss = Math.max(simRss, rss(s.process.pid())[0]);
            }
            table.row(row("memory", "largest simulator: VmRSS", simRss / 1024.0, "MiB", "-Xmx" + simXmx));

            // ---- API latency, one conductor at a time
            Path getLua = getNodeScript(uuids);
            for (Conductor c : cs) {
                ApiBench.wrk(wrk, List.of("-t1", "-c8", "-d3s", "-s", getLua.toString(), c.base), "warm-up");
                JsonObject get = ApiBench.wrk(
                        wrk,
                        List.of("-t1", "-c16", "-d" + seconds + "s", "--latency", "-s", getLua.toString(), c.base),
                        "GET /v1/nodes/{uuid}");
                JsonObject list = ApiBench.wrk(
                        wrk,
                        List.of(
                                "-t1",
                                "-c4",
                                "-d" + seconds + "s",
                                "--latency",
                                "-H",
                                VERSION,
                                c.base + "/v1/nodes?limit=1000"),
                        "GET /v1/nodes?limit=1000");
                table.row(row(
                        "api",
                        c.name + ": GET node p50",
                        get.getDouble("p50 ms"),
                        "ms",
                        String.format(
                                "p99 %.1f ms, %.0f req/s, errors %s",
                                get.getDouble("p99 ms"), get.getDouble("req/s"), get.getString("errors"))));
                table.row(row(
                        "api",
                        c.name + ": list 1000 p50",
                        list.getDouble("p50 ms"),
                        "ms",
                        String.format(
                                "p99 %.1f ms, %.0f req/s, errors %s",
                                list.getDouble("p99 ms"), list.getDouble("req/s"), list.getString("errors"))));
            }

            // ---- take-over
            if (Boolean.parseBoolean(System.getProperty("bench.takeover", "true")) && cs.size() > 1) {
                takeOver(table, db, cs, sims, uuids, perSim, syncInterval);
            }

            String load1 = loadAverage();
            table.meta("load_average_end", load1);
            boolean shared = Double.parseDouble(load0.split(" ")[0]) > 2 || Double.parseDouble(load1.split(" ")[0]) > 2;
            table.meta("shared_machine", shared);
            System.out.println("load average at the start: " + load0 + ", at the end: " + load1
                    + (shared ? " (above 2: the machine was shared with other work)" : ""));
            table.finish();
        } finally {
            watchTeardown(TEARDOWN_LIMIT);
            // all three at once: each may take its close_timeout to close its sessions, and a stuck one 60 s
            step("stop the conductors", () -> children.parallelStream().forEach(DeployBench.Child::stop));
            step("stop the simulators", () -> sims.forEach(s -> s.process.destroy()));
            pool.shutdownNow();
            RedisServers redis = cluster;
            if (redis != null) {
                step("stop the Redis Cluster", redis::close);
            }
            if (!Boolean.getBoolean("bench.keep")) {
                step("drop the database", () -> drop(db));
            } else {
                System.out.println("kept database " + db.database());
            }
            timers.close();
        }
    }

    /**
     * CPU per node of the first pass, per kind of process: from the nodes becoming eligible until every conductor's
     * pass ended (each conductor's idle wait for its next run included). With {@code bench.jfr=true} each JVM's
     * flight recording of that window is written to target/bench/scale-first-pass-PID.jfr.
     */
    private static void passCpu(BenchTable table, PassProfile profile, int nodes, String section, String jfrPrefix)
            throws Exception {
        double wall = profile.wallSeconds();
        Map<String, Double> cpu = profile.stop(jfrPrefix);
        double total = 0;
        for (var e : cpu.entrySet()) {
            total += e.getValue();
            table.row(row(
                    section,
                    e.getKey(),
                    e.getValue() * 1e6 / nodes,
                    "µs/node",
                    String.format("%.1f CPU s over %.1f s (%.2f cores)", e.getValue(), wall, e.getValue() / wall)));
        }
        table.row(row(
                section,
                "all of the above",
                total * 1e6 / nodes,
                "µs/node",
                String.format("%.1f CPU s over %.1f s; load average %s", total, wall, loadAverage())));
    }

    /** The measured part of the take-over; see the class comment for the definition. */
    private static void takeOver(
            BenchTable table,
            DatabaseUrl db,
            List<Conductor> cs,
            List<Sim> sims,
            List<String> uuids,
            int perSim,
            int syncInterval)
            throws Exception {
        Conductor victim = cs.get(cs.size() - 1);
        HashRing ring = new HashRing(cs.stream().map(c -> c.name).toList(), HashRing.DEFAULT_PARTITIONS);
        List<Integer> orphans = new ArrayList<>();
        for (int i = 0; i < uuids.size(); i++) {
            if (victim.name.equals(ring.owner(uuids.get(i)))) {
                orphans.add(i);
            }
        }
        String survivor = cs.get(0).base;
        try (Connection table0 = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            long kill = System.nanoTime();
            sims.forEach(s -> s.since = kill);
            victim.child.process.destroyForcibly(); // SIGKILL
            System.out.printf(
                    "killed %s (pid %d), owner of %d nodes%n", victim.name, victim.child.pid(), orphans.size());
            double detected = -1;
            double dead = -1;
            double allDetected = -1;
            double released = -1;
            long deadline = kill + TimeUnit.SECONDS.toNanos(3L * syncInterval + 120);
            long[] checkedAt = new long[orphans.size()];
            int checked = 0;
            while (System.nanoTime() < deadline) {
                if (dead < 0 && !aliveInTable(table0, victim.name)) {
                    dead = (System.nanoTime() - kill) / 1e9;
                    System.out.printf("  %s dead in the conductors table after %.1f s%n", victim.name, dead);
                }
                if (detected < 0 && !alive(survivor, victim.name)) {
                    detected = (System.nanoTime() - kill) / 1e9;
                    System.out.printf("  %s seen dead by %s after %.1f s%n", victim.name, cs.get(0).name, detected);
                }
                if (allDetected < 0
                        && cs.subList(0, cs.size() - 1).stream().noneMatch(c -> alive(c.base, victim.name))) {
                    allDetected = (System.nanoTime() - kill) / 1e9;
                }
                if (released < 0 && dead >= 0 && reservedBy(table0, victim.name) == 0) {
                    released = (System.nanoTime() - kill) / 1e9;
                    System.out.printf("  no node reserved by %s after %.1f s%n", victim.name, released);
                }
                checked = 0;
                for (int o = 0; o < orphans.size(); o++) {
                    int i = orphans.get(o);
                    long at = sims.get(i / perSim).openedAt.get(i % perSim);
                    checkedAt[o] = at;
                    checked += at > kill ? 1 : 0;
                }
                if (checked == orphans.size() && detected >= 0 && dead >= 0 && allDetected >= 0 && released >= 0) {
                    break;
                }
                BenchWait.pause(100);
            }
            long[] sorted =
                    Arrays.stream(checkedAt).filter(t -> t > kill).sorted().toArray();
            java.util.function.IntFunction<Double> at = k -> (sorted[k] - kill) / 1e9;
            table.row(row(
                    "take-over",
                    victim.name + " dead in the conductors table",
                    dead,
                    "s",
                    "not (online and updated_at > now() - heartbeat_timeout): offline once a survivor found its"
                            + " liveness lock free (conductor.liveness_poll_interval), else at the keepalive timeout"));
            table.row(row(
                    "take-over",
                    victim.name + " seen dead by a survivor's API",
                    detected,
                    "s",
                    "GET /v1/conductors alive=false (the API's view is refreshed every hash_ring_reset_interval)"));
            table.row(row(
                    "take-over",
                    "no node reserved by " + victim.name,
                    released,
                    "s",
                    "the reservations of its tasks in flight at the kill, released by a survivor once their Redis"
                            + " leases ran out (Ironic's _check_orphan_nodes)"));
            table.row(row(
                    "take-over",
                    "take-over time, as Ironic's: every survivor routes its nodes and none is still reserved by it",
                    allDetected < 0 || released < 0 ? -1 : Math.max(allDetected, released),
                    "s",
                    "aim < 15 s; its nodes are usable again (API actions go to a live owner and lock them)"));
            if (sorted.length > 0) {
                table.row(row("take-over", "first of its nodes power-checked by a survivor", at.apply(0), "s", ""));
                table.row(row(
                        "take-over", "half of its nodes power-checked", at.apply((orphans.size() - 1) / 2), "s", ""));
            }
            table.row(row(
                    "take-over",
                    "all of its nodes power-checked by a survivor (a new IPMI session each)",
                    checked == orphans.size() ? at.apply(sorted.length - 1) : -1,
                    "s",
                    String.format(
                            "%d of %d nodes checked%s; more than Ironic's take-over does: the survivors' power sync"
                                    + " runs at once for the nodes they gained",
                            checked, orphans.size(), checked == orphans.size() ? "" : " before the bench gave up")));
        }
    }

    /** How many nodes carry {@code hostname}'s reservation. */
    private static int reservedBy(Connection c, String hostname) throws Exception {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT count(*) FROM nodes WHERE lower(reservation) = lower(?)")) {
            ps.setString(1, hostname);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Whether the conductors table calls {@code hostname} alive, as every conductor computes it. */
    private static boolean aliveInTable(Connection c, String hostname) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT online AND updated_at > now() - make_interval(secs =>"
                + " ?) FROM conductors WHERE hostname = ?")) {
            ps.setDouble(1, Double.parseDouble(System.getProperty("bench.anvil.conductor.heartbeat_timeout", "10")));
            ps.setString(2, hostname);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static boolean alive(String base, String hostname) {
        try {
            JsonArray list = new JsonObject(get(base + "/v1/conductors?detail=true")).getJsonArray("conductors");
            for (int i = 0; i < list.size(); i++) {
                JsonObject c = list.getJsonObject(i);
                if (hostname.equals(c.getString("hostname"))) {
                    return c.getBoolean("alive", true);
                }
            }
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    private static Map<String, String> conductorEnv(
            DatabaseUrl db, String hostname, int syncInterval, List<String> redisEnv) {
        Map<String, String> env = new TreeMap<>();
        env.put("ANVIL_DATABASE_URL", TestServices.urlOf(db));
        redisEnv.forEach(kv -> env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1)));
        env.put("ANVIL_API_HOST", "127.0.0.1");
        env.put("ANVIL_CONDUCTOR_HOSTNAME", hostname);
        env.put("ANVIL_SECRETS_KEY", TestServices.SECRETS_KEY); // its own database: a key is required
        env.put("ANVIL_CONDUCTOR_SYNC_POWER_STATE_INTERVAL", String.valueOf(syncInterval));
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("bench.anvil."))
                .forEach(k -> env.put(
                        "ANVIL_"
                                + k.substring("bench.anvil.".length())
                                        .replace('.', '_')
                                        .toUpperCase(Locale.ROOT),
                        System.getProperty(k)));
        return env;
    }

    /** Node i's BMC: simulator i / perSim, BMC i mod perSim there. */
    static JsonObject driverInfo(int i, int perSim) {
        return new JsonObject()
                .put("ipmi_address", Sim.host(i / perSim))
                .put("ipmi_port", SIM_BASE_PORT + i % perSim)
                .put("ipmi_username", "admin")
                .put("ipmi_password", "password");
    }

    private static JsonObject nodeBody(int i, int perSim) {
        return new JsonObject()
                .put("driver", "ipmi")
                .put("name", "scale-" + i)
                .put("driver_info", driverInfo(i, perSim))
                .put("properties", new JsonObject().put("cpus", 16).put("memory_mb", 65536));
    }

    /** The {@code bench.enroll=sql} path: batched INSERTs of ipmi nodes in {@code enroll}. */
    private static List<String> enrollSql(DatabaseUrl db, int n, int perSim) throws Exception {
        List<String> uuids = new ArrayList<>(n);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                PreparedStatement ps = c.prepareStatement("INSERT INTO nodes (uuid, name, driver, provision_state,"
                        + " driver_info, power_interface, management_interface, deploy_interface, boot_interface)"
                        + " VALUES (?::uuid, ?, 'ipmi', 'enroll', ?::jsonb, 'ipmitool', 'ipmitool', 'fake', 'fake')")) {
            c.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                String uuid = java.util.UUID.randomUUID().toString();
                uuids.add(uuid);
                ps.setString(1, uuid);
                ps.setString(2, "scale-" + i);
                ps.setString(3, driverInfo(i, perSim).encode());
                ps.addBatch();
                if (i % 1000 == 999 || i == n - 1) {
                    ps.executeBatch();
                    c.commit();
                }
            }
        }
        return uuids;
    }

    private static Path getNodeScript(List<String> uuids) throws Exception {
        Path paths = Path.of("target/bench/scale-node-paths.txt");
        List<String> sample = new ArrayList<>(uuids);
        java.util.Collections.shuffle(sample, new java.util.Random(7));
        Files.write(
                paths,
                sample.subList(0, Math.min(10_000, sample.size())).stream()
                        .map(u -> "/v1/nodes/" + u)
                        .toList());
        Path getLua = Path.of("target/bench/scale-get-node.lua");
        Files.writeString(
                getLua,
                """
          local paths = {}
          for line in io.lines("%s") do paths[#paths + 1] = line end
          request = function()
            return wrk.format("GET", paths[math.random(#paths)], {["X-OpenStack-Ironic-API-Version"] = "1.78"})
          end
          """
                        .formatted(paths.toAbsolutePath()));
        return getLua;
    }

    /** One conductor process and its API. */
    private record Conductor(String name, DeployBench.Child child, String base, double apiUp) {
        int port() {
            return Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
        }

        /** The series the bench follows, from /metrics now. */
        JsonObject sample() {
            try {
                String m = get(base + "/metrics");
                return new JsonObject()
                        .put("at", System.nanoTime())
                        .put("runs", (long)
                                series(m, "anvil_periodic_duration_seconds_count", "task=\"sync_power_states\""))
                        .put("runSum", series(m, "anvil_periodic_duration_seconds_sum", "task=\"sync_power_states\""))
                        .put("checks", (long) series(m, "anvil_ipmi_operations_seconds_count", CHASSIS_OK))
                        .put("sessions", (long) series(m, "anvil_ipmi_sessions_opened_total", ""))
                        .put(
                                "failed",
                                (long) series(
                                                m,
                                                "anvil_ipmi_operations_seconds_count",
                                                "operation=\"getChassisStatus\"")
                                        - (long) series(m, "anvil_ipmi_operations_seconds_count", CHASSIS_OK))
                        .put("lagMaxMs", series(m, "anvil_event_loop_lag_max_seconds", "") * 1000)
                        .put("stalls", (long) series(m, "anvil_event_loop_stalls_total", "over=\"0.1\""))
                        .put("stalls500", (long) series(m, "anvil_event_loop_stalls_total", "over=\"0.5\""))
                        .put("stalls2000", (long) series(m, "anvil_event_loop_stalls_total", "over=\"2.0\""))
                        .put("heapMiB", series(m, "jvm_memory_used_bytes", "area=\"heap\"") / (1024 * 1024));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Waits for the first sync run that completes after {@code before} with power-state reads made since: that
         * run is the pass over every node this conductor owns (runs before the nodes became eligible found none).
         */
        JsonObject awaitPass(JsonObject before, long eligibleAt) {
            try {
                JsonObject last = before;
                while (true) {
                    // /metrics has one circuit gauge per BMC talked to: a scrape of ~40,000 series is work of its own
                    BenchWait.pause(2000);
                    JsonObject now = sample();
                    if (now.getLong("runs") > last.getLong("runs")
                            && now.getLong("checks") > before.getLong("checks")) {
                        double run = (now.getDouble("runSum") - last.getDouble("runSum"))
                                / (now.getLong("runs") - last.getLong("runs"));
                        double ended = (System.nanoTime() - eligibleAt) / 1e9;
                        System.out.printf(
                                "  %s: pass done, run %.1f s, %.1f s after the nodes became eligible%n",
                                name, run, ended);
                        return new JsonObject()
                                .put("run", run)
                                .put("ended", ended)
                                .put("checks", now.getLong("checks") - before.getLong("checks"))
                                .put("sessions", now.getLong("sessions") - before.getLong("sessions"))
                                .put("failed", now.getLong("failed") - before.getLong("failed"))
                                .put("stalls", stallDelta(before, now));
                    }
                    last = now;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static String stallDelta(JsonObject before, JsonObject now) {
        return String.format(
                "%d ≥ 0.1 s, %d ≥ 0.5 s, %d ≥ 2 s",
                now.getLong("stalls") - before.getLong("stalls"),
                now.getLong("stalls500") - before.getLong("stalls500"),
                now.getLong("stalls2000") - before.getLong("stalls2000"));
    }

    /**
     * A fresh Cluster quarantines each lock slot at its first acquire for one lease (docs/locks.md#quarantine-after-data-loss):
     * a first power-sync pass would find most nodes "locked". Every node's slot is used once here (try-once, released
     * at once), then the bench waits out one lease, so the pass measures checks, not the quarantine.
     */
    private static void warmLockSlots(Vertx vertx, List<String> endpoints, List<String> uuids, BenchTable table)
            throws Exception {
        Duration lease = Duration.ofSeconds(10); // conductor.lock_lease
        NodeLockService locks = NodeLockService.create(
                        vertx,
                        new RedisTopology(RedisTopology.Mode.CLUSTER, endpoints, "", 0, Duration.ZERO),
                        LockOptions.defaults().withLease(lease, lease.dividedBy(3), lease.dividedBy(15)))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(256);
        AtomicLong quarantined = new AtomicLong();
        for (String uuid : uuids) {
            inFlight.acquire();
            locks.acquire(
                            uuid,
                            LockRequest.exclusive("scale bench: first use of the slot")
                                    .tryOnce())
                    .compose(LockLease::release)
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            quarantined.incrementAndGet();
                        }
                        inFlight.release();
                    });
        }
        inFlight.acquire(256);
        BenchWait.pause(lease.toMillis() + 1000);
        locks.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        table.row(row(
                "setup",
                "lock slots used once (fresh Cluster)",
                (System.nanoTime() - t0) / 1e9,
                "s",
                quarantined.get() + " first acquires refused (quarantine), then one lease waited out"));
    }

    /**
     * One {@code anvil sim bmc} process; its output is read line by line, the time of each "session … opened" kept
     * per BMC (once {@link #since} is set, only the first after it).
     */
    private static final class Sim {
        final Process process;
        final AtomicLongArray openedAt;
        final AtomicLong opened = new AtomicLong();
        volatile long since = Long.MAX_VALUE;

        private Sim(Process process, int count) {
            this.process = process;
            this.openedAt = new AtomicLongArray(count);
        }

        static String host(int k) {
            return System.getProperty("bench.simNet", "127.0.1") + "." + (k + 1);
        }

        static Sim start(int k, int count, String xmx, List<String> jvmOptions) {
            try {
                List<String> cmd = DeployBench.anvilCommand(
                        xmx,
                        jvmOptions,
                        "sim",
                        "bmc",
                        "--count",
                        String.valueOf(count),
                        "--host",
                        host(k),
                        "--base-port",
                        String.valueOf(SIM_BASE_PORT),
                        "-v");
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                pb.environment().keySet().removeIf(key -> key.startsWith("ANVIL_"));
                Process p = pb.start();
                Sim sim = new Sim(p, count);
                CompletableFuture<Void> up = new CompletableFuture<>();
                Path log = Path.of("target/bench/scale-sim-" + k + ".log");
                Thread reader = new Thread(() -> sim.read(up, log), "sim-" + k + "-output");
                reader.setDaemon(true);
                reader.start();
                up.get(5, TimeUnit.MINUTES);
                System.out.printf(
                        "  simulator %d: %d BMCs on %s:%d+ (pid %d)%n", k, count, host(k), SIM_BASE_PORT, p.pid());
                return sim;
            } catch (Exception e) {
                throw new IllegalStateException("simulator " + k + ": " + e, e);
            }
        }

        /** "bmc 123 (127.0.1.1:20123): session 0a0b0c0d opened (…)" lines are counted, the rest logged. */
        private void read(CompletableFuture<Void> up, Path log) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()));
                    var out = Files.newBufferedWriter(log)) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("bmc ")) {
                        if (line.contains(" opened (")) {
                            opened.incrementAndGet();
                            long now = System.nanoTime();
                            int i = Integer.parseInt(line.substring(4, line.indexOf(' ', 4)));
                            // before the kill: the latest; after it: the first after it
                            if (openedAt.get(i) < since) {
                                openedAt.set(i, now);
                            }
                        }
                        continue;
                    }
                    out.write(line);
                    out.newLine();
                    out.flush();
                    if (line.contains("listening on udp")) {
                        up.complete(null);
                    }
                }
            } catch (Exception e) {
                // the process ended
            }
            up.completeExceptionally(new IllegalStateException("exited; see " + log));
        }
    }

    /** The sum of every sample of {@code name} (with or without labels) whose line contains {@code label}. */
    static double series(String metrics, String name, String label) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(label)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static int status(String url) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String get(String url) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("X-OpenStack-Ironic-API-Version", "1.78")
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** VmRSS and VmHWM of a process, kB. */
    private static long[] rss(long pid) throws Exception {
        long[] out = {-1, -1};
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                out[0] = Long.parseLong(l.replaceAll("[^0-9]", ""));
            } else if (l.startsWith("VmHWM:")) {
                out[1] = Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return out;
    }

    private static void sql(DatabaseUrl db, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static void drop(DatabaseUrl db) {
        DatabaseUrl admin = db.withDatabase("postgres");
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db.database() + " WITH (FORCE)");
        } catch (Exception e) {
            System.out.println("could not drop database " + db.database() + ": " + e.getMessage());
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "0 0 0";
        }
    }

    private static JsonObject row(String section, String name, double value, String unit, String note) {
        return BenchTable.measure(section, name, value, unit, note);
    }
}
