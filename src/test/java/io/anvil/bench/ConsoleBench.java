package io.anvil.bench;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.TestServices;
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
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code scripts/bench console} (docs/console.md, docs/benchmarks.md): {@code bench.consoles} (1000) serial consoles
 * open at once, each streamed to one WebSocket viewer that types one keystroke every {@code bench.interval} ms (1000)
 * and waits for its echo. Anvil runs in its own JVM ({@code anvil serve}, so its CPU is its process's alone); the
 * simulated BMCs (one per node, echoing consoles) and the viewers share this JVM.
 *
 * <p>Measured over {@code bench.seconds} (20) after {@code bench.warmup} (5): keystroke → echo latency (WebSocket
 * frame sent by the viewer → Anvil → SOL packet → BMC → SOL packet back → Anvil → WebSocket frame received) p50 / p99
 * / max, echoes per second, lost keystrokes (no echo within 5 s), and Anvil's CPU, in total and per console. The
 * echo latency is the whole round trip, so it is an upper bound on what Anvil adds.
 */
public final class ConsoleBench {
    private final int consoles = Integer.getInteger("bench.consoles", 1000);
    private final int intervalMs = Integer.getInteger("bench.interval", 1000);
    private final int seconds = Integer.getInteger("bench.seconds", 20);
    private final int warmup = Integer.getInteger("bench.warmup", 5);
    private final String anvilOpts = System.getProperty("bench.anvilOpts", "-Xms256m -Xmx1g");

    private Vertx vertx;
    private HttpClient http;
    private int apiPort;
    private volatile boolean measuring;
    private final List<Long> latenciesUs = new ArrayList<>();
    private final AtomicLong echoes = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int code;
        try {
            code = new ConsoleBench().run();
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    private int run() throws Exception {
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        System.out.printf(
                "console bench: %d consoles, a keystroke every %d ms each, %d s (+%d s warm-up), %d cores, load"
                        + " average before: %s%n",
                consoles, intervalMs, seconds, warmup, Runtime.getRuntime().availableProcessors(), load);
        DatabaseUrl db = TestServices.freshDatabase();
        apiPort = freePort();
        String cp = "target/classes:"
                + Files.readString(Path.of("target/classpath.txt")).trim();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(anvilOpts.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", cp, "io.anvil.cli.AnvilCommand", "serve", "--port", String.valueOf(apiPort)));
        Map<String, String> env = new TreeMap<>();
        env.put("ANVIL_DATABASE_URL", TestServices.urlOf(db));
        env.put("ANVIL_REDIS_URL", TestServices.redisUrl());
        env.put("ANVIL_API_HOST", "127.0.0.1");
        env.put("ANVIL_CONDUCTOR_HOSTNAME", "bench-" + db.database());
        env.put("ANVIL_SECRETS_KEY", TestServices.SECRETS_KEY); // its own database: a key is required
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        SimulatedFleet fleet = await(
                SimulatedFleet.start(
                        vertx,
                        new FleetOptions().count(consoles).host("127.0.0.1").basePort(0)),
                300);
        DeployBench.Child anvil =
                DeployBench.Child.start("anvil", cmd, env, Path.of("target/bench/console-anvil.log"), "API listening");
        try {
            http = vertx.createHttpClient(
                    new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(apiPort),
                    new PoolOptions().setHttp1MaxSize(32));
            long t0 = System.nanoTime();
            List<String> uuids = new ArrayList<>();
            for (int i = 0; i < consoles; i++) {
                uuids.add(null);
            }
            await(
                    lanes(consoles, 32, i -> enrol(fleet.bmc(i)).map(u -> {
                        uuids.set(i, u);
                        return null;
                    })),
                    600);
            AtomicInteger active = new AtomicInteger();
            while (active.get() < consoles && System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(10)) {
                active.set(0);
                for (int i = 0; i < consoles; i++) {
                    if (fleet.bmc(i).solActive()) {
                        active.incrementAndGet();
                    }
                }
                sleepOnTimer(100);
            }
            System.out.printf(
                    "  %d nodes enrolled, %d consoles enabled and SOL-active in %.1f s%n",
                    consoles, active.get(), (System.nanoTime() - t0) / 1e9);
            WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setMaxConnections(consoles + 10)
                    .setTcpNoDelay(true));
            List<Viewer> viewers = new ArrayList<>();
            for (int i = 0; i < consoles; i++) {
                viewers.add(new Viewer(uuids.get(i)));
            }
            await(lanes(consoles, 64, i -> viewers.get(i).connect(ws)), 600);
            System.out.printf("  %d viewers attached%n", viewers.size());
            viewers.forEach(v -> v.start(vertx));
            sleepOnTimer(warmup * 1000L);
            long cpu0 = anvil.cpuNs();
            long retransmits0 = fleet.totals().solRetransmits();
            long w0 = System.nanoTime();
            measuring = true;
            sleepOnTimer(seconds * 1000L);
            measuring = false;
            double window = (System.nanoTime() - w0) / 1e9;
            double cpu = (anvil.cpuNs() - cpu0) / 1e9;
            long retransmits = fleet.totals().solRetransmits() - retransmits0;
            viewers.forEach(Viewer::stop);
            long[] lat;
            synchronized (latenciesUs) {
                lat = latenciesUs.stream().mapToLong(Long::longValue).sorted().toArray();
            }
            double anvilCores = cpu / window;
            BenchTable table = new BenchTable(
                            "console",
                            "consoles",
                            "echoes_per_s",
                            "echo_p50_ms",
                            "echo_p99_ms",
                            "echo_max_ms",
                            "lost",
                            "bmc_sol_retransmits",
                            "anvil_cores",
                            "anvil_cpu_ms_per_console_s")
                    .meta("load_before", load)
                    .meta("interval_ms", intervalMs)
                    .meta("seconds", seconds);
            table.row(new JsonObject()
                    .put("consoles", consoles)
                    .put("echoes_per_s", Math.round(echoes.get() / window * 10) / 10.0)
                    .put("echo_p50_ms", pct(lat, 0.50) / 1000.0)
                    .put("echo_p99_ms", pct(lat, 0.99) / 1000.0)
                    .put("echo_max_ms", lat.length == 0 ? 0 : lat[lat.length - 1] / 1000.0)
                    .put("lost", lost.get())
                    .put("bmc_sol_retransmits", retransmits)
                    .put("anvil_cores", Math.round(anvilCores * 100) / 100.0)
                    .put("anvil_cpu_ms_per_console_s", Math.round(anvilCores * 1000.0 / consoles * 1000) / 1000.0));
            table.finish();
            System.out.println("load average after: "
                    + Files.readString(Path.of("/proc/loadavg")).trim());
            return 0;
        } finally {
            anvil.stop();
            await(fleet.close(), 60);
            vertx.close();
        }
    }

    private Future<String> enrol(SimulatedBmc bmc) {
        JsonObject body = new JsonObject()
                .put("driver", "ipmi")
                .put("console_interface", "ipmi-sol")
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", "127.0.0.1")
                                .put("ipmi_port", bmc.port())
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", "password")
                                .put("ipmi_cipher_suite", 3));
        return call(HttpMethod.POST, "/v1/nodes", body).compose(created -> {
            String uuid = created.getString("uuid");
            return call(HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/console", new JsonObject().put("enabled", true))
                    .map(x -> uuid);
        });
    }

    private Future<JsonObject> call(HttpMethod method, String path, JsonObject body) {
        return http.request(new RequestOptions()
                        .setMethod(method)
                        .setURI(path)
                        .putHeader("X-OpenStack-Ironic-API-Version", "latest")
                        .putHeader("Content-Type", "application/json"))
                .compose(req -> req.send(body.encode()))
                .compose(resp -> resp.body()
                        .compose(b -> resp.statusCode() < 300
                                ? Future.succeededFuture(b.length() == 0 ? new JsonObject() : new JsonObject(b))
                                : Future.failedFuture(method + " " + path + " -> " + resp.statusCode() + " " + b)));
    }

    /** One viewer: one keystroke in flight; the next goes a bench.interval after the echo (or the 5 s give-up). */
    private final class Viewer {
        private final String uuid;
        private WebSocket socket;
        private long sentAt;
        private byte expected;
        private long timer = -1;
        private volatile boolean running;
        private int next;

        Viewer(String uuid) {
            this.uuid = uuid;
        }

        Future<Void> connect(WebSocketClient client) {
            return client.connect(new WebSocketConnectOptions()
                            .setHost("127.0.0.1")
                            .setPort(apiPort)
                            .setURI("/v1/nodes/" + uuid + "/console"))
                    .map(s -> {
                        socket = s;
                        s.binaryMessageHandler(this::received);
                        return null;
                    });
        }

        void start(Vertx v) {
            running = true;
            timer = v.setTimer(1 + (long) (Math.random() * intervalMs), id -> type(v));
        }

        void stop() {
            running = false;
            socket.close();
        }

        private void type(Vertx v) {
            if (!running) {
                return;
            }
            expected = (byte) ('a' + next++ % 26);
            sentAt = System.nanoTime();
            socket.writeBinaryMessage(Buffer.buffer(new byte[] {expected}));
            timer = v.setTimer(5000, id -> {
                if (measuring) {
                    lost.incrementAndGet();
                }
                type(v);
            });
        }

        private void received(Buffer b) {
            if (sentAt == 0 || !Arrays.asList(b.toString().split("")).contains(String.valueOf((char) expected))) {
                return; // buffered output from before
            }
            long us = (System.nanoTime() - sentAt) / 1000;
            sentAt = 0;
            if (measuring) {
                echoes.incrementAndGet();
                synchronized (latenciesUs) {
                    latenciesUs.add(us);
                }
            }
            vertx.cancelTimer(timer);
            timer = vertx.setTimer(intervalMs, id -> type(vertx));
        }
    }

    private static long pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static Future<Void> lanes(int n, int width, java.util.function.IntFunction<Future<Void>> job) {
        AtomicInteger next = new AtomicInteger();
        List<Future<Void>> all = new ArrayList<>();
        for (int l = 0; l < width; l++) {
            all.add(lane(next, n, job));
        }
        return Future.all(all).mapEmpty();
    }

    private static Future<Void> lane(AtomicInteger next, int n, java.util.function.IntFunction<Future<Void>> job) {
        int i = next.getAndIncrement();
        return i >= n ? Future.succeededFuture() : job.apply(i).compose(v -> lane(next, n, job));
    }

    private void sleepOnTimer(long ms) throws Exception {
        Promise<Void> p = Promise.promise();
        vertx.setTimer(Math.max(1, ms), id -> p.complete());
        await(p.future(), ms / 1000 + 60);
    }

    private static <T> T await(Future<T> f, long seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
