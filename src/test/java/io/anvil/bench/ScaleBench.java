package io.anvil.bench;

import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bench scale}: {@code bench.nodes} nodes (default 100,000) on {@code bench.conductors} conductor
 * processes (default 3), one database and one Redis — the sizing target of docs/scale-out.md.
 *
 * <p>The nodes are written by bulk SQL, not through the API (100,000 POSTs would take minutes and measure the
 * create path, which {@code scripts/bench api} already does): a short-lived conductor on a fresh database runs the
 * migrations and creates one fake-hardware node through {@code POST /v1/nodes}; that row is the template every other
 * row copies (every column and default as the API writes them), with its own uuid and name. Every node is then set
 * {@code available} with power state {@code power off}: as if moved manage → provide without automated cleaning, and
 * outside the power sync's excluded states (enroll is one of them), so each conductor's first sync checks every node
 * it owns; fake power reports the recorded state, so the checks find no mismatch — the sync's own cost is measured,
 * no BMC's.
 *
 * <p>Then the conductors start at once, each {@code anvil serve} in its own JVM ({@code -Xmx} from {@code bench.xmx})
 * with its own hostname and API port. Per conductor: seconds from launch until {@code GET /v1} answers, and until
 * its first power sync has completed ({@code anvil_periodic_duration_seconds_count{task="sync_power_states"}} ≥ 1 in
 * {@code /metrics}, with that run's duration); VmRSS and VmHWM from /proc and the heap in use
 * ({@code jvm_memory_used_bytes{area="heap"}}) right after that first sync; then wrk's p50/p99 of
 * {@code GET /v1/nodes/{uuid}} (random uuids of the fleet) and {@code GET /v1/nodes?limit=1000} against it.
 *
 * <p>Settings ({@code -Dname=value}): {@code bench.nodes} (100000), {@code bench.conductors} (3), {@code bench.xmx}
 * (1g), {@code bench.syncInterval} ({@code conductor.sync_power_state_interval}, seconds, 20), {@code bench.seconds}
 * (wrk duration per scenario, 10), {@code bench.keep=true} keeps the database (dropped otherwise), and
 * {@code bench.anvil.<section>.<key>} any other Anvil setting of the conductors. Prints a table, the load average
 * (the machine may be shared), and writes target/bench/scale.json.
 */
public final class ScaleBench {
    private static final String VERSION = "X-OpenStack-Ironic-API-Version: 1.78";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        int nodes = Integer.getInteger("bench.nodes", 100_000);
        int conductors = Integer.getInteger("bench.conductors", 3);
        String xmx = System.getProperty("bench.xmx", "1g");
        int syncInterval = Integer.getInteger("bench.syncInterval", 20);
        int seconds = Integer.getInteger("bench.seconds", 10);
        String wrk = ApiBench.findWrk();
        Files.createDirectories(Path.of("target/bench"));
        String load0 = loadAverage();
        System.out.printf(
                "scale bench: %d nodes, %d conductors (-Xmx%s each), sync interval %d s, %d cores, load average %s%n",
                nodes, conductors, xmx, syncInterval, Runtime.getRuntime().availableProcessors(), load0);

        DatabaseUrl db = seed(nodes);
        List<DeployBench.Child> children = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> children.forEach(c -> c.process.destroyForcibly())));
        BenchTable table = new BenchTable(
                        "scale",
                        "conductor",
                        "API up s",
                        "first sync done s",
                        "first sync run s",
                        "VmRSS MiB",
                        "VmHWM MiB",
                        "heap MiB",
                        "GET node p50 ms",
                        "GET node p99 ms",
                        "list 1000 p50 ms",
                        "list 1000 p99 ms")
                .meta("nodes", nodes)
                .meta("conductors", conductors)
                .meta("xmx", xmx)
                .meta("sync_power_state_interval", syncInterval)
                .meta("cores", Runtime.getRuntime().availableProcessors())
                .meta("load_average_start", load0)
                .meta(
                        "command",
                        "scripts/bench scale -Dbench.nodes=" + nodes + " -Dbench.conductors=" + conductors
                                + " -Dbench.xmx=" + xmx);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Path paths = Path.of("target/bench/scale-node-paths.txt");
            Files.write(
                    paths,
                    sampleUuids(db, 10_000).stream().map(u -> "/v1/nodes/" + u).toList());
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

            String cp = "target/classes:"
                    + Files.readString(Path.of("target/classpath.txt")).trim();
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            long t0 = System.nanoTime();
            List<CompletableFuture<JsonObject>> started = new ArrayList<>();
            for (int i = 1; i <= conductors; i++) {
                int n = i;
                int port = DeployBench.freePort();
                Map<String, String> env = new TreeMap<>();
                env.put("ANVIL_DATABASE_URL", TestServices.urlOf(db));
                env.put("ANVIL_REDIS_URL", TestServices.redisUrl());
                env.put("ANVIL_API_HOST", "127.0.0.1");
                env.put("ANVIL_CONDUCTOR_HOSTNAME", "scale-" + n + "-" + db.database());
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
                List<String> cmd = List.of(
                        java,
                        "-Xmx" + xmx,
                        "-cp",
                        cp,
                        "io.anvil.cli.AnvilCommand",
                        "serve",
                        "--port",
                        String.valueOf(port));
                started.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                DeployBench.Child c = DeployBench.Child.start(
                                        "conductor-" + n,
                                        cmd,
                                        env,
                                        Path.of("target/bench/scale-conductor-" + n + ".log"),
                                        "API listening");
                                synchronized (children) {
                                    children.add(c);
                                }
                                return watch(c, n, port, t0);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            List<JsonObject> rows = new ArrayList<>();
            for (CompletableFuture<JsonObject> f : started) {
                rows.add(f.get(15, TimeUnit.MINUTES));
            }
            // latency last, once every conductor has made its first sync, one conductor at a time
            for (JsonObject row : rows) {
                String base = "http://127.0.0.1:" + row.getInteger("port");
                ApiBench.wrk(wrk, List.of("-t1", "-c8", "-d3s", "-s", getLua.toString(), base), "warm-up");
                JsonObject get = ApiBench.wrk(
                        wrk,
                        List.of("-t1", "-c16", "-d" + seconds + "s", "--latency", "-s", getLua.toString(), base),
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
                                base + "/v1/nodes?limit=1000"),
                        "GET /v1/nodes?limit=1000");
                row.put("GET node p50 ms", get.getDouble("p50 ms"))
                        .put("GET node p99 ms", get.getDouble("p99 ms"))
                        .put("GET node req/s", get.getDouble("req/s"))
                        .put("GET node errors", get.getString("errors"))
                        .put("list 1000 p50 ms", list.getDouble("p50 ms"))
                        .put("list 1000 p99 ms", list.getDouble("p99 ms"))
                        .put("list 1000 req/s", list.getDouble("req/s"))
                        .put("list 1000 errors", list.getString("errors"));
                table.row(row);
            }
            String load1 = loadAverage();
            table.meta("load_average_end", load1);
            boolean shared = Double.parseDouble(load0.split(" ")[0]) > 2 || Double.parseDouble(load1.split(" ")[0]) > 2;
            table.meta("shared_machine", shared);
            System.out.println("load average at the start: " + load0 + ", at the end: " + load1
                    + (shared ? " (above 2: the machine was shared with other work)" : ""));
            table.finish();
        } finally {
            children.forEach(DeployBench.Child::stop);
            pool.shutdownNow();
            if (!Boolean.getBoolean("bench.keep")) {
                drop(db);
            } else {
                System.out.println("kept database " + db.database());
            }
        }
        System.exit(0);
    }

    /**
     * A fresh database with {@code n} fake-hardware nodes: a conductor runs the migrations and creates the template
     * node through the API, then one INSERT … SELECT copies it (see the class comment).
     */
    private static DatabaseUrl seed(int n) throws Exception {
        long t0 = System.nanoTime();
        DatabaseUrl db;
        String template;
        try (AnvilInstance seed = AnvilInstance.start(Map.of())) {
            db = seed.database();
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(seed.endpoint() + "/v1/nodes"))
                            .header("Content-Type", "application/json")
                            .header("X-OpenStack-Ironic-API-Version", "1.78")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"driver\": \"fake-hardware\", \"name\": \"scale-0\","
                                            + " \"properties\": {\"cpus\": 16, \"memory_mb\": 65536}}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("template node: " + r.statusCode() + " " + r.body());
            }
            template = new JsonObject(r.body()).getString("uuid");
        }
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement()) {
            // the seed conductor is gone: no row of it may sit in the hash ring while the measured ones start
            s.execute("DELETE FROM conductors");
            List<String> copied = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT column_name FROM information_schema.columns"
                    + " WHERE table_name = 'nodes' AND table_schema = current_schema() ORDER BY ordinal_position")) {
                while (rs.next()) {
                    String col = rs.getString(1);
                    if (!List.of("id", "uuid", "name", "provision_state", "power_state", "provision_updated_at")
                            .contains(col)) {
                        copied.add(col);
                    }
                }
            }
            String cols = String.join(", ", copied);
            s.execute("UPDATE nodes SET provision_state = 'available', power_state = 'power off',"
                    + " provision_updated_at = now() WHERE uuid = '" + template + "'");
            s.execute("INSERT INTO nodes (uuid, name, provision_state, power_state, provision_updated_at, " + cols
                    + ") SELECT md5('scale-' || g || clock_timestamp())::uuid, 'scale-' || g, 'available',"
                    + " 'power off', now(), " + cols + " FROM nodes t, generate_series(1, " + (n - 1) + ") g"
                    + " WHERE t.uuid = '" + template + "'");
            s.execute("VACUUM ANALYZE nodes");
        }
        System.out.printf(
                "seeded %d nodes in database %s in %.1f s%n", n, db.database(), (System.nanoTime() - t0) / 1e9);
        return db;
    }

    /** Polls a started conductor until its API answers and its first power sync has completed. */
    private static JsonObject watch(DeployBench.Child c, int n, int port, long t0) throws Exception {
        String base = "http://127.0.0.1:" + port;
        while (status(base + "/v1") != 200) {
            BenchWait.pause(100);
        }
        double apiUp = (System.nanoTime() - t0) / 1e9;
        System.out.printf("  conductor-%d (pid %d, port %d): API answers after %.1f s%n", n, c.pid(), port, apiUp);
        while (true) {
            String metrics = get(base + "/metrics");
            double count = series(metrics, "anvil_periodic_duration_seconds_count", "task=\"sync_power_states\"");
            if (count >= 1) {
                double synced = (System.nanoTime() - t0) / 1e9;
                double run =
                        series(metrics, "anvil_periodic_duration_seconds_sum", "task=\"sync_power_states\"") / count;
                long[] rss = rss(c.pid());
                double heap = series(metrics, "jvm_memory_used_bytes", "area=\"heap\"") / (1024 * 1024);
                System.out.printf(
                        "  conductor-%d: first power sync done after %.1f s (run %.1f s), VmRSS %d MiB, VmHWM %d"
                                + " MiB, heap %.0f MiB%n",
                        n, synced, run, rss[0] / 1024, rss[1] / 1024, heap);
                return new JsonObject()
                        .put("conductor", "conductor-" + n)
                        .put("pid", c.pid())
                        .put("port", port)
                        .put("API up s", apiUp)
                        .put("first sync done s", synced)
                        .put("first sync run s", run)
                        .put("VmRSS MiB", rss[0] / 1024)
                        .put("VmHWM MiB", rss[1] / 1024)
                        .put("heap MiB", (double) Math.round(heap));
            }
            BenchWait.pause(250);
        }
    }

    /** The sum of every sample of {@code name} whose labels contain {@code label} (0 when none). */
    static double series(String metrics, String name, String label) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
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

    private static List<String> sampleUuids(DatabaseUrl db, int n) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT uuid FROM nodes ORDER BY random() LIMIT " + n)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
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
}
