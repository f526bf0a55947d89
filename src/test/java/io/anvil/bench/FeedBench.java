package io.anvil.bench;

import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code scripts/bench feed} (docs/events.md, docs/benchmarks.md): how fast the event feed delivers state changes to
 * many WebSocket subscribers while the API makes them at a sustained rate.
 *
 * <p>Anvil runs in its own JVM ({@code anvil serve}, so its CPU is its process's alone); this JVM enrols
 * {@code bench.nodes} fake-hardware nodes through the API, reads the feed's head sequence number S0 from PostgreSQL,
 * then connects {@code bench.subscribers} WebSocket subscribers to {@code GET /v1/events?since=S0}: subscriber i
 * follows node i mod nodes ({@code node=<uuid>}), plus {@code bench.firehose} subscribers with no filter (every
 * event). Then it drives {@code bench.rate} events/s through the API for {@code bench.warmup} + {@code bench.seconds}
 * seconds, paced on a 10 ms timer with at most {@code bench.inFlight} requests in flight: with {@code bench.op}
 * {@code maintenance} (default) node after node is put into and out of maintenance (PUT/DELETE
 * /v1/nodes/{uuid}/maintenance: 2 events each, maintenance_set.start and .end), with {@code patch} a PATCH of
 * {@code /extra/bench} (1 event, update.end); with {@code provision} each node cycles through a provisioning mix (the
 * nodes start available): deploy ({@code target: active}), power off, power on, undeploy ({@code target: deleted}), on
 * fake-hardware, so each call makes whatever Anvil notifies for it (provision_set.*, deploy/clean step events,
 * power_set.*: 3 per call on average, counted from PostgreSQL); a call that finds its node still busy with the last one
 * (400/409) is counted as busy, not as an error; with {@code db} the events are written straight into the events table
 * (batches every 10 ms, each announced with NOTIFY, as another conductor's outbox commits them): the feed's own
 * delivery at the asked rate, without the API's write throughput in the way.
 *
 * <p>Delivery latency is the event's {@code time} (its transaction's clock in PostgreSQL) to its receipt here, over
 * the measured seconds, p50/p99/max; events/s delivered counts every frame received in that window. When the load
 * stops, S1 (the head) is read and every subscriber must hold exactly the events of its filter in (S0, S1] as
 * PostgreSQL has them: lost and duplicated (or out-of-order) counts must be 0. A subscriber the server closes (a
 * {@code closing} frame) reconnects from its last sequence number, as {@code anvil watch} does; the reconnections are
 * counted.
 *
 * <p>The bench is also a client with limits of its own, so it says where API requests waited: for one of its
 * {@code bench.connections} (HTTP/1.1, one request per connection at a time: the rest queue in this JVM), at Anvil
 * (sent to response), whether {@code bench.inFlight} capped the schedule, and how late its own pacing timer fired. "API
 * p99" in the table is the sum of the first two. When events are missing after the drain, it names the losing
 * subscribers, their first missing seqs, and whether those arrived within {@code bench.lateWait} more seconds (late)
 * or not (lost).
 *
 * <p>Settings ({@code -Dbench.*}): {@code subscribers} (10000), {@code firehose} (1), {@code nodes} (= subscribers),
 * {@code rate} (5000 events/s), {@code seconds} (30), {@code warmup} (60: Anvil's JIT is still compiling the
 * write and delivery paths for most of the first minute, ~12 % of the machine, which a conductor running for days does
 * not pay), {@code op} (maintenance | patch | provision | db),
 * {@code inFlight} (512 API requests), {@code connections} (128 API connections: with 64, requests waited longer
 * for a connection of this JVM than at Anvil, capping the rate near 2,500 calls/s), {@code clientLoops} (event loops of
 * the subscribers, default the core count), {@code connectInFlight} (WebSocket handshakes at once, 256),
 * {@code drain} (s to wait for the last events, 30), {@code lateWait} (when events are missing after the drain: s more to
 * wait before telling late ones from lost ones, 30), {@code anvilOpts} (Anvil's JVM options), and
 * {@code bench.anvil.<section>.<key>} any Anvil setting (passed as its ANVIL_* variable). The feed's per-client
 * connection limit is raised to fit the subscribers (they all come from 127.0.0.1).
 *
 * <p>File descriptors: each subscriber is a socket in this JVM and one in Anvil's, so both need
 * {@code ulimit -n} above subscribers + a few hundred (the bench checks its own limit and says so; raise it with
 * {@code ulimit -n 65536} in the shell that runs it, as root or within the hard limit).
 */
public final class FeedBench {
    private static final long BUCKET_US = 100; // latency histogram: 0.1 ms buckets up to 60 s
    private static final int BUCKETS = 600_000;

    private final int subscribers = Integer.getInteger("bench.subscribers", 10_000);
    private final int firehose = Integer.getInteger("bench.firehose", 1);
    private final int nodes = Integer.getInteger("bench.nodes", Math.max(1, subscribers));
    private final int rate = Integer.getInteger("bench.rate", 5_000);
    private final int seconds = Integer.getInteger("bench.seconds", 30);
    private final int warmup = Integer.getInteger("bench.warmup", 60);
    private final String op = System.getProperty("bench.op", "maintenance");
    private final int inFlight = Integer.getInteger("bench.inFlight", 512);
    private final int connections = Integer.getInteger("bench.connections", 128);
    private final int clientLoops =
            Integer.getInteger("bench.clientLoops", Runtime.getRuntime().availableProcessors());
    private final int connectInFlight = Integer.getInteger("bench.connectInFlight", 256);
    private final int drainSeconds = Integer.getInteger("bench.drain", 30);
    private final int lateWaitSeconds = Integer.getInteger("bench.lateWait", 30);
    private final String anvilOpts = System.getProperty("bench.anvilOpts", "-Xms512m -Xmx2g -XX:MaxGCPauseMillis=20");

    private Vertx vertx;
    private HttpClient http;
    private int apiPort;
    private final List<String> uuids = new ArrayList<>();
    private final List<Subscriber> subs = new ArrayList<>();

    // measurement
    private volatile boolean measuring;
    private final AtomicLongArray histogram = new AtomicLongArray(BUCKETS);
    private final AtomicLong maxLatencyUs = new AtomicLong();
    private final AtomicLong closings = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong requestErrors = new AtomicLong();
    private final AtomicLong requestsDone = new AtomicLong();
    private final AtomicLong eventsRequested = new AtomicLong();
    /** provision: calls answered 400/409 because the node was still busy with its previous call. */
    private final AtomicLong busyAnswers = new AtomicLong();

    private final AtomicLongArray requestHistogram = new AtomicLongArray(BUCKETS);
    /** Of each API request: the wait for one of the bench's bench.connections (this JVM's queue, not Anvil's). */
    private final AtomicLongArray connectionWaitHistogram = new AtomicLongArray(BUCKETS);
    /** Of each API request: from sending it on a connection to the end of its response (Anvil's time). */
    private final AtomicLongArray serverHistogram = new AtomicLongArray(BUCKETS);
    /** How late the driver's 10 ms pacing timer fires: this JVM's own event-loop lag. */
    private final AtomicLongArray driverLagHistogram = new AtomicLongArray(BUCKETS);

    /** Pacing ticks (measured window) on which bench.inFlight requests were already out: the schedule slipped. */
    private final AtomicLong cappedTicks = new AtomicLong();

    private final AtomicLong measuredTicks = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int code;
        try {
            code = new FeedBench().run();
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private int run() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        long fdLimit = fdLimit();
        System.out.printf(
                "feed bench: %d subscribers (+%d unfiltered), %d nodes, %d events/s by %s for %d s (+%d s warm-up),"
                        + " %d cores, %d client event loops, fd limit %d, load average before: %s%n",
                subscribers, firehose, nodes, rate, op, seconds, warmup, cores, clientLoops, fdLimit, load);
        if (fdLimit > 0 && fdLimit < subscribers + firehose + 500L) {
            System.err.printf(
                    "feed bench: %d subscribers need more file descriptors than ulimit -n %d allows in this JVM and in"
                            + " Anvil's: run `ulimit -n 65536` (or up to the hard limit, `ulimit -Hn`) first, or"
                            + " lower -Dbench.subscribers%n",
                    subscribers + firehose, fdLimit);
            return 2;
        }
        DatabaseUrl db = TestServices.freshDatabase();
        apiPort = freePort();
        Files.createDirectories(Path.of("target/bench"));
        String cp = "target/classes:"
                + Files.readString(Path.of("target/classpath.txt")).trim();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(List.of(anvilOpts.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", cp, "io.anvil.cli.AnvilCommand", "serve", "--port", String.valueOf(apiPort)));
        Map<String, String> env = new TreeMap<>();
        env.put("ANVIL_DATABASE_URL", TestServices.urlOf(db));
        env.put("ANVIL_REDIS_URL", TestServices.redisUrl());
        env.put("ANVIL_API_HOST", "127.0.0.1");
        env.put("ANVIL_CONDUCTOR_HOSTNAME", "bench-" + db.database());
        env.put("ANVIL_SECRETS_KEY", TestServices.SECRETS_KEY); // its own database: a key is required
        // every subscriber comes from 127.0.0.1: the per-client limit must let them all in
        env.put("ANVIL_FEED_MAX_CONNECTIONS_PER_CLIENT", String.valueOf(subscribers + firehose + 100));
        env.put("ANVIL_FEED_MAX_CONNECTIONS", String.valueOf(subscribers + firehose + 100));
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("bench.anvil."))
                .sorted()
                .forEach(k -> {
                    String key = k.substring("bench.anvil.".length());
                    env.put("ANVIL_" + key.replace('.', '_').toUpperCase(Locale.ROOT), System.getProperty(k));
                    System.out.printf("  anvil setting %s = %s (set for this run)%n", key, System.getProperty(k));
                });
        DeployBench.Child anvil =
                DeployBench.Child.start("anvil", cmd, env, Path.of("target/bench/feed-anvil.log"), "API listening");
        System.out.printf("  anvil pid %d: %s%n", anvil.pid(), anvil.readyLine);
        try {
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(1, clientLoops)));
            http = vertx.createHttpClient(
                    new HttpClientOptions()
                            .setDefaultHost("127.0.0.1")
                            .setDefaultPort(apiPort)
                            .setKeepAlive(true)
                            .setTcpNoDelay(true),
                    new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
            Context driver = vertx.getOrCreateContext();
            long e0 = System.nanoTime();
            for (int i = 0; i < nodes; i++) {
                uuids.add(null);
            }
            await(onContext(driver, () -> forAll(nodes, 64, this::enrol)), 600);
            System.out.printf("  enrolled %d nodes in %.1f s%n", nodes, (System.nanoTime() - e0) / 1e9);

            if (op.equals("provision")) {
                makeAvailable(db); // the cycle starts with a deploy
            }
            long s0 = headSeq(db);
            WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setMaxConnections(subscribers + firehose + 10)
                    .setTcpNoDelay(true));
            List<Context> loops = new ArrayList<>();
            for (int i = 0; i < Math.max(1, clientLoops); i++) {
                loops.add(vertx.getOrCreateContext());
            }
            for (int i = 0; i < subscribers + firehose; i++) {
                String node = i < subscribers ? uuids.get(i % nodes) : null;
                subs.add(new Subscriber(i, node, s0, ws, loops.get(i % loops.size())));
            }
            long c0 = System.nanoTime();
            await(connectAll(), 600);
            System.out.printf(
                    "  %d subscribers connected from seq %d in %.1f s%n",
                    subs.size(), s0, (System.nanoTime() - c0) / 1e9);

            long cpu0 = anvil.cpuNs();
            long start = System.nanoTime();
            Promise<Void> loadDone = Promise.promise();
            EventWriter writer = null;
            if (op.equals("db")) {
                writer = EventWriter.start(db, uuids, rate, eventsRequested);
            } else {
                driver.runOnContext(v -> drive(start, (warmup + seconds) * 1_000_000_000L, loadDone));
            }
            long measureFrom = start + warmup * 1_000_000_000L;
            waitUntil(measureFrom);
            long framesBefore = totalFrames();
            long requestsBefore = eventsRequested.get();
            long cpuMeasure0 = anvil.cpuNs();
            long callsBefore = requestsDone.get() - requestErrors.get() - busyAnswers.get();
            Map<Long, Long> pg0 = postgresCpuNs(db);
            long benchCpu0 = benchCpuNs();
            measuring = true;
            long t0 = System.nanoTime();
            OffsetDateTime wall0 = OffsetDateTime.now();
            waitUntil(start + (warmup + seconds) * 1_000_000_000L);
            measuring = false;
            OffsetDateTime wall1 = OffsetDateTime.now();
            long callsInWindow = requestsDone.get() - requestErrors.get() - busyAnswers.get() - callsBefore;
            double window = (System.nanoTime() - t0) / 1e9;
            long framesInWindow = totalFrames() - framesBefore;
            // a provisioning call makes a varying number of events: count what PostgreSQL holds for the window
            long requestedInWindow = op.equals("provision")
                    ? eventsBetween(db, s0, wall0, wall1)
                    : eventsRequested.get() - requestsBefore;
            double anvilCpu = (anvil.cpuNs() - cpuMeasure0) / 1e9;
            double benchCpu = (benchCpuNs() - benchCpu0) / 1e9;
            double pgCpu = postgresCpuDelta(pg0, postgresCpuNs(db)) / 1e9;
            if (writer != null) {
                writer.close();
                if (writer.failure() != null) {
                    throw new IllegalStateException("the event writer failed", writer.failure());
                }
                loadDone.complete();
            }
            await(loadDone.future(), 120);
            long s1 = headSeq(db);

            Map<String, Long> expected = expectedPerNode(db, s0, s1);
            long expectedTotal =
                    expected.values().stream().mapToLong(Long::longValue).sum();
            long d0 = System.nanoTime();
            while (System.nanoTime() - d0 < drainSeconds * 1_000_000_000L
                    && !allReceived(expected, expectedTotal, s1)) {
                waitUntil(System.nanoTime() + 100_000_000L);
            }
            long drainEnd = System.nanoTime();
            long lost = 0;
            long dups = 0;
            long delivered = 0;
            List<Subscriber> losing = new ArrayList<>();
            for (Subscriber s : subs) {
                long want = s.node == null ? expectedTotal : expected.getOrDefault(s.node, 0L);
                long got = s.inRange(s1);
                lost += Math.max(0, want - got);
                dups += s.duplicates.get() + Math.max(0, got - want);
                delivered += got;
                if (got < want) {
                    losing.add(s);
                }
            }
            if (!losing.isEmpty()) {
                explainLoss(db, s0, s1, losing, drainEnd);
            }
            double totalCpu = (anvil.cpuNs() - cpu0) / 1e9;
            BenchTable table = new BenchTable(
                            "feed",
                            "subscribers",
                            "events/s made",
                            "deliveries/s",
                            "p50 ms",
                            "p99 ms",
                            "max ms",
                            "API p99 ms",
                            "lost",
                            "duplicated",
                            "reconnects",
                            "anvil CPU %")
                    .meta("subscribers", subscribers)
                    .meta("firehose", firehose)
                    .meta("nodes", nodes)
                    .meta("rate", rate)
                    .meta("op", op)
                    .meta("seconds", seconds)
                    .meta("warmup", warmup)
                    .meta("cores", cores)
                    .meta("clientLoops", clientLoops)
                    .meta("loadavg_before", load)
                    .meta(
                            "loadavg_after",
                            Files.readString(Path.of("/proc/loadavg")).trim())
                    .meta("events_in_range", s1 - s0)
                    .meta("deliveries_checked", delivered)
                    .meta("api_errors", requestErrors.get())
                    .meta("api_calls_in_window", callsInWindow)
                    .meta("events_per_api_call", callsInWindow == 0 ? 0 : (double) requestedInWindow / callsInWindow)
                    .meta("api_busy_answers", busyAnswers.get())
                    .meta("anvil_cpu_ms_per_event", 1000 * anvilCpu / Math.max(1, requestedInWindow))
                    .meta("postgres_cpu_ms_per_event", 1000 * pgCpu / Math.max(1, requestedInWindow))
                    .meta("bench_cpu_ms_per_event", 1000 * benchCpu / Math.max(1, requestedInWindow))
                    .meta("anvil_cpu_s_total", totalCpu)
                    .meta("anvil_peak_rss_kb", anvil.peakRssKb())
                    .meta("api_connection_wait_p99_ms", percentile(connectionWaitHistogram, 0.99) / 1000.0)
                    .meta("api_at_anvil_p99_ms", percentile(serverHistogram, 0.99) / 1000.0)
                    .meta("bench_timer_lag_p99_ms", percentile(driverLagHistogram, 0.99) / 1000.0)
                    .meta("pacing_ticks_capped_by_inflight", cappedTicks.get())
                    .meta("command", command());
            table.row(new JsonObject()
                    .put("subscribers", subscribers + (firehose > 0 ? " + " + firehose + " unfiltered" : ""))
                    .put("events/s made", (double) requestedInWindow / window)
                    .put("deliveries/s", framesInWindow / window)
                    .put("p50 ms", percentile(histogram, 0.50) / 1000.0)
                    .put("p99 ms", percentile(histogram, 0.99) / 1000.0)
                    .put("max ms", maxLatencyUs.get() / 1000.0)
                    .put("API p99 ms", percentile(requestHistogram, 0.99) / 1000.0)
                    .put("lost", lost)
                    .put("duplicated", dups)
                    .put("reconnects", reconnects.get())
                    .put("anvil CPU %", 100.0 * anvilCpu / window));
            table.finish();
            // where API requests wait: this JVM's connection queue, or Anvil (see the class comment)
            System.out.printf(
                    "  API requests (measured window): waiting for one of the bench's %d connections p50 %.1f ms,"
                            + " p99 %.1f ms; at Anvil (sent to response) p50 %.1f ms, p99 %.1f ms; bench.inFlight (%d)"
                            + " reached on %d of %d pacing ticks; the bench's 10 ms pacing timer late by"
                            + " p99 %.1f ms%n",
                    connections,
                    percentile(connectionWaitHistogram, 0.50) / 1000.0,
                    percentile(connectionWaitHistogram, 0.99) / 1000.0,
                    percentile(serverHistogram, 0.50) / 1000.0,
                    percentile(serverHistogram, 0.99) / 1000.0,
                    inFlight,
                    cappedTicks.get(),
                    measuredTicks.get(),
                    percentile(driverLagHistogram, 0.99) / 1000.0);
            if (percentile(connectionWaitHistogram, 0.50) > percentile(serverHistogram, 0.50)) {
                // Little's law: at most bench.connections requests are at Anvil, so the rate made is capped at
                // connections / (time at Anvil) whatever Anvil could take
                System.out.printf(
                        "  NOTE: requests waited longer for a bench connection than at Anvil: the bench's %d connections"
                                + " cap the rate made near %.0f requests/s; raise -Dbench.connections to load Anvil"
                                + " harder%n",
                        connections, connections / Math.max(1e-3, percentile(serverHistogram, 0.50) / 1e6));
            }
            // CPU per event made: comparable across runs on a shared machine, where rates and latencies are not
            System.out.printf(
                    "  CPU over the measured window: Anvil %.2f s, PostgreSQL (this database's backends) %.2f s, this"
                            + " bench JVM %.2f s; per event made: Anvil %.3f ms, PostgreSQL %.3f ms, bench %.3f ms;"
                            + " load average after: %s%n",
                    anvilCpu,
                    pgCpu,
                    benchCpu,
                    1000 * anvilCpu / Math.max(1, requestedInWindow),
                    1000 * pgCpu / Math.max(1, requestedInWindow),
                    1000 * benchCpu / Math.max(1, requestedInWindow),
                    Files.readString(Path.of("/proc/loadavg")).trim());
            if (!op.equals("db")) {
                System.out.printf(
                        "  %d API calls made %d events in the measured window: %.2f events per call%s%n",
                        callsInWindow,
                        requestedInWindow,
                        callsInWindow == 0 ? 0.0 : (double) requestedInWindow / callsInWindow,
                        busyAnswers.get() == 0 ? "" : "; " + busyAnswers.get() + " calls found their node busy");
            }
            if (requestErrors.get() > 0) {
                System.out.printf("  %d API requests failed (see above)%n", requestErrors.get());
            }
            return lost == 0 && dups == 0 ? 0 : 1;
        } finally {
            subs.forEach(s -> s.done = true);
            anvil.stop();
            if (vertx != null) {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    // ---- load ----

    /** Paces requests on a 10 ms timer: each tick issues what the schedule owes, up to bench.inFlight at once. */
    private void drive(long start, long durationNs, Promise<Void> done) {
        int eventsPerRequest = op.equals("patch") ? 1 : op.equals("provision") ? 3 : 2;
        AtomicInteger outstanding = new AtomicInteger();
        long[] issued = {0};
        int[] visits = new int[nodes];
        long[] lastTick = {start};
        vertx.setPeriodic(10, id -> {
            long now = System.nanoTime();
            if (measuring) {
                record(driverLagHistogram, null, Math.max(0, (now - lastTick[0]) / 1000 - 10_000));
            }
            lastTick[0] = now;
            if (now - start >= durationNs) {
                vertx.cancelTimer(id);
                finish(outstanding, done);
                return;
            }
            long owed = (long) ((now - start) / 1e9 * rate / eventsPerRequest) - issued[0];
            if (measuring) {
                measuredTicks.incrementAndGet();
                if (owed > 0 && outstanding.get() >= inFlight) {
                    cappedTicks.incrementAndGet(); // bench.inFlight reached: the schedule slips, the rate made drops
                }
            }
            while (owed-- > 0 && outstanding.get() < inFlight) {
                int node = (int) (issued[0] % nodes);
                issued[0]++;
                int visit = visits[node]++;
                outstanding.incrementAndGet();
                long t = System.nanoTime();
                request(node, visit).onComplete(ar -> {
                    outstanding.decrementAndGet();
                    requestsDone.incrementAndGet();
                    if (ar.failed() && ar.cause() instanceof NodeBusy) {
                        busyAnswers.incrementAndGet();
                    } else if (ar.failed()) {
                        if (requestErrors.incrementAndGet() <= 5) {
                            System.out.println(
                                    "  API request failed: " + ar.cause().getMessage());
                        }
                    } else {
                        eventsRequested.addAndGet(eventsPerRequest);
                        record(requestHistogram, null, (System.nanoTime() - t) / 1000);
                    }
                });
            }
        });
    }

    private void finish(AtomicInteger outstanding, Promise<Void> done) {
        if (outstanding.get() == 0) {
            done.complete();
        } else {
            vertx.setTimer(10, id -> finish(outstanding, done));
        }
    }

    /** A provisioning call that found its node still in its previous transition (Ironic answers 400 or 409). */
    private static final class NodeBusy extends RuntimeException {
        NodeBusy(String message) {
            super(message, null, false, false);
        }
    }

    /** The provisioning mix, one step per visit of a node: deploy, power off, power on, undeploy. */
    private static final String[][] PROVISION_CYCLE = {
        {"/states/provision", "{\"target\":\"active\"}"},
        {"/states/power", "{\"target\":\"power off\"}"},
        {"/states/power", "{\"target\":\"power on\"}"},
        {"/states/provision", "{\"target\":\"deleted\"}"},
    };

    private Future<Void> request(int node, int visit) {
        String uuid = uuids.get(node);
        boolean set = visit % 2 == 0;
        HttpMethod method;
        String path;
        String body;
        if (op.equals("provision")) {
            String[] step = PROVISION_CYCLE[visit % PROVISION_CYCLE.length];
            method = HttpMethod.PUT;
            path = "/v1/nodes/" + uuid + step[0];
            body = step[1];
        } else if (op.equals("patch")) {
            method = HttpMethod.PATCH;
            path = "/v1/nodes/" + uuid;
            body = "[{\"op\":\"add\",\"path\":\"/extra/bench\",\"value\":" + System.nanoTime() + "}]";
        } else {
            method = set ? HttpMethod.PUT : HttpMethod.DELETE;
            path = "/v1/nodes/" + uuid + "/maintenance";
            body = set ? "{\"reason\":\"feed bench\"}" : null;
        }
        long asked = System.nanoTime();
        return http.request(method, path).compose(req -> {
            long sent = System.nanoTime();
            if (measuring) {
                record(connectionWaitHistogram, null, (sent - asked) / 1000);
            }
            req.putHeader("X-OpenStack-Ironic-API-Version", "1.78");
            if (body != null) {
                req.putHeader("Content-Type", "application/json");
            }
            return (body == null ? req.send() : req.send(body))
                    .compose(resp -> resp.body().map(b -> {
                        if (measuring) {
                            record(serverHistogram, null, (System.nanoTime() - sent) / 1000);
                        }
                        if (op.equals("provision") && (resp.statusCode() == 400 || resp.statusCode() == 409)) {
                            throw new NodeBusy(method + " " + path + ": " + resp.statusCode() + " " + b);
                        }
                        if (resp.statusCode() >= 300) {
                            throw new IllegalStateException(method + " " + path + ": " + resp.statusCode() + " " + b);
                        }
                        return null;
                    }));
        });
    }

    private Future<Void> enrol(int i) {
        JsonObject body = new JsonObject()
                .put("driver", "fake-hardware")
                .put("name", "feed-" + i)
                .put("properties", new JsonObject().put("cpus", 8));
        return http.request(HttpMethod.POST, "/v1/nodes")
                .compose(req -> req.putHeader("Content-Type", "application/json")
                        .putHeader("X-OpenStack-Ironic-API-Version", "1.78")
                        .send(body.toBuffer()))
                .compose(resp -> resp.body().map(b -> {
                    if (resp.statusCode() != 201) {
                        throw new IllegalStateException("enrol failed: " + resp.statusCode() + " " + b);
                    }
                    uuids.set(i, b.toJsonObject().getString("uuid"));
                    return null;
                }));
    }

    /** Runs {@code job(0..n-1)} with {@code lanes} at once; called on one context. */
    private Future<Void> forAll(int n, int lanes, java.util.function.IntFunction<Future<Void>> job) {
        AtomicInteger next = new AtomicInteger();
        List<Future<Void>> all = new ArrayList<>();
        for (int l = 0; l < Math.min(lanes, n); l++) {
            all.add(lane(next, n, job));
        }
        return Future.all(all).mapEmpty();
    }

    private Future<Void> lane(AtomicInteger next, int n, java.util.function.IntFunction<Future<Void>> job) {
        int i = next.getAndIncrement();
        return i >= n ? Future.succeededFuture() : job.apply(i).compose(v -> lane(next, n, job));
    }

    // ---- subscribers ----

    private Future<Void> connectAll() {
        AtomicInteger next = new AtomicInteger();
        List<Future<Void>> lanes = new ArrayList<>();
        for (int l = 0; l < Math.min(connectInFlight, subs.size()); l++) {
            lanes.add(connectLane(next));
        }
        return Future.all(lanes).mapEmpty();
    }

    private Future<Void> connectLane(AtomicInteger next) {
        int i = next.getAndIncrement();
        if (i >= subs.size()) {
            return Future.succeededFuture();
        }
        return subs.get(i).connectFirst().compose(v -> connectLane(next));
    }

    /** One WebSocket subscriber: counts what it receives, records latencies, resumes after a server close. */
    private final class Subscriber {
        final int index;
        final String node;
        final WebSocketClient client;
        final Context context;
        volatile long lastSeq;
        final AtomicLong frames = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicInteger connects = new AtomicInteger();
        /** The seqs received, in order (each once), and when (nanoTime). */
        private long[] seqs = new long[16];

        private long[] arrivals = new long[16];
        /** Frames whose seq was not above the last one: seq and the last seq before it (first few). */
        private final List<String> stale = new ArrayList<>();

        private int count;
        private volatile boolean done;

        Subscriber(int index, String node, long since, WebSocketClient client, Context context) {
            this.index = index;
            this.node = node;
            this.lastSeq = since;
            this.client = client;
            this.context = context;
        }

        Future<Void> connectFirst() {
            Promise<Void> p = Promise.promise();
            context.runOnContext(v -> connect(p, 0));
            return p.future();
        }

        private void connect(Promise<Void> first, int attempt) {
            String uri = "/v1/events?since=" + lastSeq + (node == null ? "" : "&node=" + node);
            client.connect(new WebSocketConnectOptions()
                            .setHost("127.0.0.1")
                            .setPort(apiPort)
                            .setURI(uri)
                            .setTimeout(60_000))
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            Throwable e = ar.cause();
                            boolean retry = attempt < 20
                                    && !(e instanceof UpgradeRejectedException r
                                            && r.getStatus() < 500
                                            && r.getStatus() != 429);
                            if (retry) {
                                vertx.setTimer(100L << Math.min(attempt, 5), id -> connect(first, attempt + 1));
                            } else if (first != null) {
                                first.fail(new IllegalStateException(
                                        "subscriber " + index + " cannot connect: " + e.getMessage(), e));
                            } else {
                                System.out.println("  subscriber " + index + " gave up: " + e.getMessage());
                            }
                            return;
                        }
                        connects.incrementAndGet();
                        WebSocket socket = ar.result();
                        socket.textMessageHandler(this::onText);
                        socket.closeHandler(v -> {
                            if (!done) {
                                reconnects.incrementAndGet();
                                connect(null, 0);
                            }
                        });
                        if (first != null) {
                            first.complete();
                        }
                    });
        }

        private void onText(String text) {
            if (text.contains("\"control\"")) {
                if (text.contains("\"closing\"")) {
                    closings.incrementAndGet();
                }
                return;
            }
            long seq = longAfter(text, "\"seq\":");
            frames.incrementAndGet();
            if (seq <= lastSeq) {
                duplicates.incrementAndGet();
                synchronized (this) {
                    if (stale.size() < 5) {
                        stale.add(seq + " after " + lastSeq);
                    }
                }
                return;
            }
            lastSeq = seq;
            synchronized (this) {
                if (count == seqs.length) {
                    seqs = java.util.Arrays.copyOf(seqs, count * 2);
                    arrivals = java.util.Arrays.copyOf(arrivals, count * 2);
                }
                arrivals[count] = System.nanoTime();
                seqs[count++] = seq;
            }
            if (measuring) {
                String time = stringAfter(text, "\"time\":\"");
                if (time != null) {
                    Instant at = OffsetDateTime.parse(time).toInstant();
                    long nowUs = micros(Instant.now());
                    record(histogram, maxLatencyUs, nowUs - micros(at));
                }
            }
        }

        synchronized java.util.Set<Long> receivedSet() {
            java.util.Set<Long> out = new java.util.HashSet<>();
            for (int i = 0; i < count; i++) {
                out.add(seqs[i]);
            }
            return out;
        }

        /** When {@code seq} arrived (nanoTime), -1 if it did not. */
        synchronized long arrivalOf(long seq) {
            for (int i = 0; i < count; i++) {
                if (seqs[i] == seq) {
                    return arrivals[i];
                }
            }
            return -1;
        }

        /** The seqs received just before and after {@code seq}. */
        synchronized String around(long seq) {
            int i = 0;
            while (i < count && seqs[i] < seq) {
                i++;
            }
            return (i > 0 ? String.valueOf(seqs[i - 1]) : "-") + " then " + (i < count ? String.valueOf(seqs[i]) : "-");
        }

        synchronized String stale() {
            return stale.isEmpty() ? "none" : stale.toString();
        }

        /** Distinct events received with seq ≤ bound (seqs arrive in increasing order). */
        synchronized long inRange(long bound) {
            long n = 0;
            for (int i = 0; i < count; i++) {
                if (seqs[i] <= bound) {
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * When events are missing after the drain: per losing subscriber (first few), which seqs it lacks (first few,
     * with their type, node and transaction time), what it received around them, and — after a further
     * {@code bench.lateWait} seconds — whether they arrived late (after the drain) or never.
     */
    private void explainLoss(DatabaseUrl db, long s0, long s1, List<Subscriber> losing, long drainEnd)
            throws Exception {
        Map<Long, String> described = new HashMap<>();
        Map<String, List<Long>> perNode = new HashMap<>();
        List<Long> all = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT seq, node_uuid::text, event_type, created_at, xmin::text"
                        + " FROM events WHERE seq > " + s0 + " AND seq <= " + s1 + " ORDER BY seq")) {
            while (rs.next()) {
                long seq = rs.getLong(1);
                all.add(seq);
                perNode.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(seq);
                described.put(
                        seq,
                        rs.getString(3) + " node " + rs.getString(2) + " at " + rs.getString(4) + " xmin "
                                + rs.getString(5));
            }
        }
        Map<Subscriber, List<Long>> missing = new java.util.LinkedHashMap<>();
        List<Subscriber> unfilteredFirst = new ArrayList<>(losing);
        unfilteredFirst.sort(java.util.Comparator.comparing(s -> s.node != null));
        for (Subscriber s : unfilteredFirst) {
            List<Long> want = s.node == null ? all : perNode.getOrDefault(s.node, List.of());
            java.util.Set<Long> got = s.receivedSet();
            List<Long> lacks = new ArrayList<>();
            for (long seq : want) {
                if (!got.contains(seq)) {
                    lacks.add(seq);
                }
            }
            missing.put(s, lacks);
        }
        long firehoseLosing = losing.stream().filter(s -> s.node == null).count();
        System.out.printf(
                "  LOSS: %d subscribers lack events after the %d s drain (%d unfiltered, %d node-filtered);"
                        + " waiting %d s more to see whether they are late or lost%n",
                losing.size(), drainSeconds, firehoseLosing, losing.size() - firehoseLosing, lateWaitSeconds);
        waitUntil(System.nanoTime() + lateWaitSeconds * 1_000_000_000L);
        // every seq some subscriber still lacks, as ranges: a range lost by all its subscribers points at the reader
        java.util.TreeSet<Long> never = new java.util.TreeSet<>();
        missing.forEach(
                (s, lacks) -> lacks.stream().filter(seq -> s.arrivalOf(seq) < 0).forEach(never::add));
        System.out.printf("  seqs never delivered to some subscriber: %s%n", ranges(never));
        int shown = 0;
        for (Map.Entry<Subscriber, List<Long>> m : missing.entrySet()) {
            if (shown++ == 10) {
                System.out.printf("  ... and %d more losing subscribers%n", missing.size() - 10);
                break;
            }
            Subscriber s = m.getKey();
            List<Long> lacks = m.getValue();
            System.out.printf(
                    "  subscriber %d (%s): %d missing after the drain, received %d, last seq %d, reconnects seen"
                            + " %d, out-of-order/duplicate frames %s%n",
                    s.index,
                    s.node == null ? "unfiltered" : "node " + s.node,
                    lacks.size(),
                    s.inRange(Long.MAX_VALUE),
                    s.lastSeq,
                    s.connects.get() - 1,
                    s.stale());
            for (int i = 0; i < Math.min(5, lacks.size()); i++) {
                long seq = lacks.get(i);
                long arrived = s.arrivalOf(seq);
                System.out.printf(
                        "    seq %d (%s): %s; received around it: %s%n",
                        seq,
                        described.get(seq),
                        arrived < 0
                                ? "never arrived (" + lateWaitSeconds + " s after the drain)"
                                : String.format("arrived %.1f s after the drain", (arrived - drainEnd) / 1e9),
                        s.around(seq));
            }
        }
    }

    /** {@code 3-5, 9, 12-13}: the first 20 runs of consecutive seqs. */
    private static String ranges(java.util.SortedSet<Long> seqs) {
        StringBuilder sb = new StringBuilder();
        int runs = 0;
        Long from = null;
        Long to = null;
        for (long seq : seqs) {
            if (to != null && seq == to + 1) {
                to = seq;
                continue;
            }
            if (from != null && runs++ < 20) {
                sb.append(sb.length() == 0 ? "" : ", ").append(from).append(from.equals(to) ? "" : "-" + to);
            }
            from = seq;
            to = seq;
        }
        if (from != null && runs++ < 20) {
            sb.append(sb.length() == 0 ? "" : ", ").append(from).append(from.equals(to) ? "" : "-" + to);
        }
        return sb.length() == 0 ? "none (all arrived late)" : sb + (runs > 20 ? ", ..." : "");
    }

    private long totalFrames() {
        long n = 0;
        for (Subscriber s : subs) {
            n += s.frames.get();
        }
        return n;
    }

    /** Whether every subscriber holds its events in (S0, S1] (later events must not make up for missing ones). */
    private boolean allReceived(Map<String, Long> expected, long total, long s1) {
        for (Subscriber s : subs) {
            long want = s.node == null ? total : expected.getOrDefault(s.node, 0L);
            if (s.inRange(s1) < want) {
                return false;
            }
        }
        return true;
    }

    // ---- PostgreSQL: the truth the subscribers are checked against ----

    private static long headSeq(DatabaseUrl db) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM events")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** utime + stime of each PostgreSQL backend connected to this database now, by pid (/proc/PID/stat). */
    private static Map<Long, Long> postgresCpuNs(DatabaseUrl db) throws Exception {
        Map<Long, Long> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND pid <> pg_backend_pid()")) {
            while (rs.next()) {
                long pid = rs.getLong(1);
                try {
                    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(pid, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L); // CLK_TCK = 100
                } catch (java.io.IOException e) {
                    // the backend ended meanwhile, or PostgreSQL runs elsewhere: not counted
                }
            }
        }
        return out;
    }

    /** CPU the backends spent between two samples (a backend that connected meanwhile counts from zero). */
    private static long postgresCpuDelta(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }

    private static long benchCpuNs() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** provision: every enrolled node made available in SQL (enrol → manage → provide through the API would take minutes). */
    private static void makeAvailable(DatabaseUrl db) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE nodes SET provision_state = 'available', target_provision_state = NULL");
        }
    }

    /** Events after {@code s0} whose transactions started in [from, to): what the API made in that window. */
    private static long eventsBetween(DatabaseUrl db, long s0, OffsetDateTime from, OffsetDateTime to)
            throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                java.sql.PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM events WHERE seq > ? AND created_at >= ? AND created_at < ?")) {
            ps.setLong(1, s0);
            ps.setObject(2, from);
            ps.setObject(3, to);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Map<String, Long> expectedPerNode(DatabaseUrl db, long s0, long s1) throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT node_uuid::text, count(*) FROM events WHERE seq > " + s0
                        + " AND seq <= " + s1 + " GROUP BY node_uuid")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    // ---- small helpers ----

    /** This run's command line: scripts/bench feed with the -Dbench.* settings it was given. */
    private static String command() {
        StringBuilder sb = new StringBuilder("scripts/bench feed");
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("bench."))
                .sorted()
                .forEach(k -> sb.append(" -D").append(k).append('=').append(System.getProperty(k)));
        return sb.toString();
    }

    private static void record(AtomicLongArray h, AtomicLong max, long us) {
        long v = Math.max(0, us);
        h.incrementAndGet((int) Math.min(BUCKETS - 1, v / BUCKET_US));
        if (max != null) {
            max.accumulateAndGet(v, Math::max);
        }
    }

    /** The q-quantile in µs (bucket upper bound). */
    private static long percentile(AtomicLongArray h, double q) {
        long total = 0;
        for (int i = 0; i < h.length(); i++) {
            total += h.get(i);
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < h.length(); i++) {
            seen += h.get(i);
            if (seen >= rank) {
                return (i + 1) * BUCKET_US;
            }
        }
        return BUCKETS * BUCKET_US;
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    private static long longAfter(String text, String key) {
        int i = text.indexOf(key);
        if (i < 0) {
            return -1;
        }
        i += key.length();
        long v = 0;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            v = v * 10 + (text.charAt(i++) - '0');
        }
        return v;
    }

    private static String stringAfter(String text, String key) {
        int i = text.indexOf(key);
        if (i < 0) {
            return null;
        }
        int from = i + key.length();
        int to = text.indexOf('"', from);
        return to < 0 ? null : text.substring(from, to);
    }

    private static <T> Future<T> onContext(Context ctx, java.util.function.Supplier<Future<T>> work) {
        Promise<T> p = Promise.promise();
        ctx.runOnContext(v -> work.get().onComplete(p));
        return p.future();
    }

    private static <T> T await(Future<T> f, long seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }

    /** Waits on this (non-Vert.x) bench thread until a nanoTime instant, on a Vert.x timer. */
    private void waitUntil(long nanoTime) throws Exception {
        long ms = (nanoTime - System.nanoTime()) / 1_000_000;
        if (ms > 0) {
            await(Future.<Void>future(p -> vertx.setTimer(ms, id -> p.complete())), ms / 1000 + 60);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** This process's open-files limit (the soft one), from /proc/self/limits; -1 when unknown. */
    private static long fdLimit() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (l.startsWith("Max open files")) {
                    String[] f = l.trim().split("\\s+");
                    return Long.parseLong(f[3]);
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }
}
