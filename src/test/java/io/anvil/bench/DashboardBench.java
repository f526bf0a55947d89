package io.anvil.bench;

import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.Browser;
import io.anvil.testsupport.OnContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * {@code scripts/bench dashboard} (docs/dashboard.md, docs/benchmarks.md): is the dashboard responsive with a big
 * fleet changing fast? One conductor in this JVM (noauth, the test database), {@code bench.nodes} fake-hardware nodes
 * enrolled through the API, Debian's headless Chromium on the page. It measures the page's first load (navigation to
 * the table filled from the paged list) and {@code bench.keystrokes} filter keystrokes on the quiet fleet, then the
 * same keystrokes while {@code bench.rate} node events/s stream to the page through the feed (see
 * {@code bench.source} below): each one's latency is taken
 * in the browser with {@code performance.now()} from setting the search box and firing its {@code input} event to
 * the first task after the next frame (the filter over every node, the virtual table's re-render, the paint), so
 * queued feed messages delay it as they would a person's key. Also reported: the events/s the page applied and its
 * lag behind the changes (the event's commit time to its arrival in the page).
 *
 * <p>Settings ({@code -Dbench.*}): {@code nodes} (10000), {@code rate} (500 events/s), {@code keystrokes} (60),
 * {@code warmup} (5 s of load before measuring), {@code source}: {@code db} (default; events written straight into the
 * events table and announced with NOTIFY, as another conductor's would be, so the page is measured at the rate
 * whatever this machine's conductor can write) or {@code api} (maintenance set and cleared through the API, 2
 * events each, at most 64 requests in flight). Needs chromium and chromedriver, and ANVIL_DATABASE_URL /
 * ANVIL_REDIS_URL as the tests do.
 */
public final class DashboardBench {
    private final int nodes = Integer.getInteger("bench.nodes", 10_000);
    private final int rate = Integer.getInteger("bench.rate", 500);
    private final int keystrokes = Integer.getInteger("bench.keystrokes", 60);
    private final int warmup = Integer.getInteger("bench.warmup", 5);
    private final String source = System.getProperty("bench.source", "db");

    public static void main(String[] args) throws Exception {
        new DashboardBench().run();
        System.exit(0);
    }

    private void run() throws Exception {
        try (AnvilInstance anvil = AnvilInstance.start(Map.of("api.instances", 2))) {
            Vertx vertx = Vertx.vertx();
            HttpClient http = vertx.createHttpClient(
                    new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(anvil.port()),
                    new PoolOptions().setHttp1MaxSize(32));
            OnContext ctx = OnContext.of(vertx);
            long t0 = System.nanoTime();
            List<String> uuids = enrol(ctx, http);
            System.out.printf("enrolled %d nodes in %.1f s%n", uuids.size(), (System.nanoTime() - t0) / 1e9);

            try (Browser browser = Browser.start()) {
                WebDriver d = browser.driver();
                JavascriptExecutor js = (JavascriptExecutor) d;
                long load0 = System.nanoTime();
                d.get(anvil.endpoint() + "/");
                waitFor(
                        js,
                        "return window.anvilDashboard && window.anvilDashboard.ready && window.anvilDashboard.nodes");
                double loadMs = (System.nanoTime() - load0) / 1e6;
                long domRows = (Long) js.executeScript("return document.querySelectorAll('#viewport .vrow').length");
                System.out.printf("page loaded with %d nodes in %.0f ms; %d rows in the DOM%n", nodes, loadMs, domRows);

                // the same keystrokes on a quiet fleet first: what the page costs without events
                List<Double> quiet = new ArrayList<>();
                List<Double> quietScript = new ArrayList<>();
                keystrokes(js, quiet, quietScript, new ArrayList<>());

                // the load: maintenance set and cleared, node after node, paced every 10 ms
                AtomicLong sent = new AtomicLong();
                AtomicInteger failed = new AtomicInteger();
                // at most 64 requests in flight: a conductor slower than the rate sees the rate it can take
                AtomicInteger inFlight = new AtomicInteger();
                long start = System.nanoTime();
                AtomicLong skipped = new AtomicLong();
                EventWriter writer = null;
                long timer = -1;
                if (source.equals("db")) {
                    writer = EventWriter.start(anvil.database(), uuids, rate, sent);
                } else {
                    timer = api(vertx, ctx, http, uuids, sent, skipped, failed, inFlight, start);
                }
                sleep(warmup * 1000L);
                long events0 = (Long) js.executeScript("return window.anvilDashboard.events");
                long ops0 = sent.get();
                long m0 = System.nanoTime();
                long m0Wall = System.currentTimeMillis();
                List<Double> latencies = new ArrayList<>();
                List<Double> script = new ArrayList<>();
                List<Double> lags = new ArrayList<>();
                keystrokes(js, latencies, script, lags);
                double seconds = (System.nanoTime() - m0) / 1e9;
                long events1 = (Long) js.executeScript("return window.anvilDashboard.events");
                long ops1 = sent.get();
                if (writer != null) {
                    writer.close();
                    if (writer.failure() != null) {
                        failed.incrementAndGet();
                    }
                } else {
                    vertx.cancelTimer(timer);
                }
                long domRowsAfter =
                        (Long) js.executeScript("return document.querySelectorAll('#viewport .vrow').length");
                browser.screenshot(java.nio.file.Path.of("target", "bench", "dashboard.png"));

                long committed = committedEvents(anvil, m0Wall, System.currentTimeMillis());
                BenchTable table = new BenchTable(
                        "dashboard",
                        "nodes",
                        "events_per_s_sent",
                        "events_per_s_committed",
                        "events_per_s_applied",
                        "load_ms",
                        "quiet_p50_ms",
                        "quiet_max_ms",
                        "keystroke_p50_ms",
                        "keystroke_p95_ms",
                        "keystroke_max_ms",
                        "script_p50_ms",
                        "script_max_ms",
                        "lag_p50_ms",
                        "lag_max_ms",
                        "dom_rows",
                        "api_failures");
                table.meta("keystrokes", keystrokes)
                        .meta("source", source)
                        .meta("cores", Runtime.getRuntime().availableProcessors());
                table.row(new JsonObject()
                        .put("nodes", nodes)
                        .put("events_per_s_sent", (source.equals("db") ? 1 : 2) * (ops1 - ops0) / seconds)
                        .put("events_per_s_committed", committed / seconds)
                        .put("events_per_s_applied", (events1 - events0) / seconds)
                        .put("load_ms", loadMs)
                        .put("quiet_p50_ms", pct(quiet, 0.50))
                        .put("quiet_max_ms", pct(quiet, 1.0))
                        .put("keystroke_p50_ms", pct(latencies, 0.50))
                        .put("keystroke_p95_ms", pct(latencies, 0.95))
                        .put("keystroke_max_ms", pct(latencies, 1.0))
                        .put("script_p50_ms", pct(script, 0.50))
                        .put("script_max_ms", pct(script, 1.0))
                        .put("lag_p50_ms", pct(lags, 0.50))
                        .put("lag_max_ms", pct(lags, 1.0))
                        .put("dom_rows", domRowsAfter)
                        .put("api_failures", failed.get()));
                table.finish();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code bench.keystrokes} filter keystrokes, 200 ms apart: each one's latency to the first task after the next
     * frame, the script time of its input handler, and the page's lag behind the changes after it.
     */
    private void keystrokes(JavascriptExecutor js, List<Double> latencies, List<Double> script, List<Double> lags)
            throws InterruptedException {
        String[] texts = {"node-1", "node-12", "node-123", "node-1234", "", "node-9", "node-99", "node-999", ""};
        for (int k = 0; k < keystrokes; k++) {
            Object ms = js.executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "const input = document.getElementById('search');"
                            + "const t0 = performance.now();"
                            + "input.value = arguments[0];"
                            + "input.dispatchEvent(new Event('input', {bubbles: true}));"
                            + "requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));",
                    texts[k % texts.length]);
            latencies.add(((Number) ms).doubleValue());
            script.add(((Number) js.executeScript("return window.anvilDashboard.filterMs")).doubleValue());
            Object lag = js.executeScript("return window.anvilDashboard.lagMs");
            if (lag instanceof Number n) {
                lags.add(n.doubleValue());
            }
            sleep(200);
        }
        Collections.sort(latencies);
        Collections.sort(script);
        Collections.sort(lags);
    }

    /** Enrols the nodes through the API, 32 requests in flight. */
    private List<String> enrol(OnContext ctx, HttpClient http) throws Exception {
        List<String> uuids = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        Promise<Void> done = Promise.promise();
        AtomicInteger running = new AtomicInteger();
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
            while (running.get() < 32 && next.get() < nodes) {
                int i = next.getAndIncrement();
                running.incrementAndGet();
                http.request(HttpMethod.POST, "/v1/nodes")
                        .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", "1.78")
                                .putHeader("Content-Type", "application/json")
                                .send(new JsonObject()
                                        .put("name", "node-" + i)
                                        .put("driver", "fake-hardware")
                                        .toBuffer()))
                        .compose(r -> r.body())
                        .onComplete(ar -> {
                            if (ar.succeeded()) {
                                uuids.add(ar.result().toJsonObject().getString("uuid"));
                            }
                            running.decrementAndGet();
                            if (next.get() >= nodes && running.get() == 0) {
                                done.tryComplete();
                            } else {
                                pump[0].run();
                            }
                        });
            }
        };
        ctx.call(() -> {
                    pump[0].run();
                    return done.future();
                })
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.MINUTES);
        return uuids;
    }

    /**
     * {@code bench.source=api}: maintenance set and cleared through the API, node after node, paced every 10 ms;
     * beyond 64 requests in flight a slot is skipped, not caught up later, so a slower conductor is measured at what
     * it takes.
     */
    private long api(
            Vertx vertx,
            OnContext ctx,
            HttpClient http,
            List<String> uuids,
            AtomicLong sent,
            AtomicLong skipped,
            AtomicInteger failed,
            AtomicInteger inFlight,
            long start) {
        return vertx.setPeriodic(
                10,
                id -> ctx.call(() -> {
                    // the operations the rate asks by now (2 events each); beyond 64 in flight the slot is
                    // skipped, not caught up later, so a slower conductor is measured at what it takes
                    long due = (long) ((System.nanoTime() - start) / 1e9 * rate / 2);
                    while (sent.get() + skipped.get() < due) {
                        if (inFlight.get() >= 64) {
                            skipped.incrementAndGet();
                            continue;
                        }
                        inFlight.incrementAndGet();
                        long n = sent.getAndIncrement();
                        String uuid = uuids.get((int) ((n / 2) % uuids.size()));
                        boolean set = n % 2 == 0;
                        http.request(set ? HttpMethod.PUT : HttpMethod.DELETE, "/v1/nodes/" + uuid + "/maintenance")
                                .compose(req -> {
                                    req.putHeader("X-OpenStack-Ironic-API-Version", "1.78");
                                    return set
                                            ? req.putHeader("Content-Type", "application/json")
                                                    .send(new JsonObject()
                                                            .put("reason", "bench")
                                                            .toBuffer())
                                            : req.send();
                                })
                                .compose(r -> r.body().map(b -> r.statusCode()))
                                .onComplete(ar -> {
                                    inFlight.decrementAndGet();
                                    if (ar.failed() || ar.result() != 202) {
                                        failed.incrementAndGet();
                                    }
                                });
                    }
                    return Future.succeededFuture();
                }));
    }

    /** Events PostgreSQL committed between two wall-clock instants (the changes Anvil really made). */
    private static long committedEvents(AnvilInstance anvil, long fromMs, long toMs) throws Exception {
        io.anvil.store.DatabaseUrl db = anvil.database();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                java.sql.PreparedStatement s =
                        c.prepareStatement("SELECT count(*) FROM events WHERE created_at >= ? AND created_at < ?")) {
            s.setObject(
                    1,
                    java.time.OffsetDateTime.ofInstant(
                            java.time.Instant.ofEpochMilli(fromMs), java.time.ZoneOffset.UTC));
            s.setObject(
                    2,
                    java.time.OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(toMs), java.time.ZoneOffset.UTC));
            try (java.sql.ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static void waitFor(JavascriptExecutor js, String script) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            Object v = js.executeScript(script);
            if (v != null && !Boolean.FALSE.equals(v) && !Long.valueOf(0).equals(v)) {
                return;
            }
            sleep(20);
        }
        throw new IllegalStateException("the page did not get ready: " + script);
    }

    private static void sleep(long ms) throws InterruptedException {
        // a bench paces itself by the wall clock (not a test: io.anvil.bench is not run by the test suite)
        TimeUnit.MILLISECONDS.sleep(ms);
    }

    private static double pct(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
