package io.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code anvil watch} as a user runs it: its own JVM ({@code AnvilCommand watch}), against a real Anvil on real
 * PostgreSQL and Redis, state changes made through the API. Between the two sits a TCP relay the test can cut, so a
 * dropped connection is a real one: the watcher must reconnect by itself and print what it missed exactly once, in
 * the feed's order (the same events, by seq, as the feed's JSON page {@code GET /v1/events?since=...} lists).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatchCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern SEQ = Pattern.compile(" #(\\d+) ");

    private final HttpClient http = HttpClient.newHttpClient();
    private AnvilInstance anvil;
    private Vertx vertx;
    private Relay relay;
    private final List<Watcher> watchers = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        // pings every second and an idle cut after six: an idle watcher must answer pings to stay connected (six, not
        // three: a watcher JVM starting on a busy machine can stall its event loop for seconds)
        anvil = AnvilInstance.start(Map.of("feed.keepalive", 1.0, "feed.idle_timeout", 6.0));
        vertx = Vertx.vertx();
        relay = Relay.start(vertx, anvil.port());
    }

    @AfterEach
    void stopWatchers() {
        watchers.forEach(w -> w.process.destroyForcibly());
        watchers.clear();
    }

    @AfterAll
    void stop() throws Exception {
        if (anvil != null) {
            anvil.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void printsOneReadableLinePerStateChangeAndStopsCleanlyOnCtrlC() throws Exception {
        String name = "watch-" + shortId();
        String uuid = enrol(name);
        long from = lastSeq(uuid);
        Watcher w = watch("--url", anvil.endpoint(), "--node", name, "--since", Long.toString(from));
        w.awaitNotice("following");
        maintenance(uuid, true, "disk swap");
        maintenance(uuid, false, null);
        power(uuid, "power on");

        w.awaitLines(
                "the maintenance set and unset, and the power change",
                lines -> lines.stream()
                                        .filter(l -> l.contains("baremetal.node.maintenance_set.end"))
                                        .count()
                                == 2
                        && lines.stream().anyMatch(l -> l.contains("baremetal.node.power_set.end")));
        String set = w.lines.stream()
                .filter(l -> l.contains("maintenance_set.end"))
                .findFirst()
                .orElseThrow();
        assertTrue(set.contains(" " + name + " "), set);
        assertTrue(set.contains("maintenance: disk swap"), set);
        assertTrue(set.matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z #\\d+ INFO .*"), set);
        String powered = w.lines.stream()
                .filter(l -> l.contains("power_set.end"))
                .findFirst()
                .orElseThrow();
        assertTrue(powered.contains("power off -> power on") || powered.contains(" power on"), powered);
        // the printed events are the feed's, one line each, in its order
        List<Long> expected = feedSeqs(uuid, from);
        Conditions.await(
                vertx,
                "every event of the node printed",
                WAIT,
                Duration.ofMillis(50),
                () -> seqsOf(w.lines).size() >= expected.size());
        assertEquals(expected, seqsOf(w.lines));

        // Ctrl-C: SIGINT runs the shutdown hook, which closes the WebSocket and lets the output flush
        new ProcessBuilder("kill", "-INT", Long.toString(w.process.pid()))
                .start()
                .waitFor();
        assertTrue(w.process.waitFor(30, TimeUnit.SECONDS), "anvil watch did not stop on SIGINT");
        assertFalse(String.join("\n", w.errors).contains("Exception"), String.join("\n", w.errors));
    }

    @Test
    void jsonLinesAreTheEventObjects() throws Exception {
        String name = "watch-" + shortId();
        String uuid = enrol(name);
        Watcher w = watch(
                "--url", anvil.endpoint(), "--node", uuid, "--json", "--type", "*.end", "--since", "" + lastSeq(uuid));
        w.awaitNotice("following");
        maintenance(uuid, true, "json");
        w.awaitLines("maintenance_set.end as JSON", lines -> lines.stream()
                .anyMatch(l -> l.contains("maintenance_set.end")));
        for (String line : w.lines) {
            JsonObject e = new JsonObject(line);
            assertEquals(uuid, e.getString("node_uuid"), line);
            assertEquals(name, e.getString("node_name"), line);
            assertTrue(e.getString("event_type").endsWith(".end"), line);
            assertTrue(e.getLong("seq") > 0, line);
            assertTrue(e.getJsonObject("payload").containsKey("provision_state"), line);
        }
        JsonObject end = w.lines.stream()
                .map(JsonObject::new)
                .filter(e -> e.getString("event_type").equals("baremetal.node.maintenance_set.end"))
                .findFirst()
                .orElseThrow();
        assertEquals(true, end.getJsonObject("payload").getBoolean("maintenance"));
        assertEquals("json", end.getJsonObject("payload").getString("maintenance_reason"));
    }

    @Test
    void afterTheConnectionDropsItResumesAndPrintsTheMissedEventsExactlyOnce() throws Exception {
        String name = "watch-" + shortId();
        String uuid = enrol(name);
        long from = lastSeq(uuid);
        Watcher w =
                watch("--url", relay.endpoint(), "--node", name, "--max-backoff", "1", "--since", Long.toString(from));
        w.awaitNotice("following");
        maintenance(uuid, true, "before the cut");
        w.awaitLines("the first change", lines -> lines.stream().anyMatch(l -> l.contains("maintenance_set.end")));

        // cut the connection and keep the relay shut while changes are made: the watcher sees none of them live
        relay.refuseNew(true);
        relay.dropAll();
        w.awaitNotice("reconnecting");
        maintenance(uuid, false, null);
        patchExtra(uuid, "missed", "1");
        power(uuid, "power on");
        int printedBeforeReopening = w.lines.size();
        relay.refuseNew(false);

        w.awaitNotice("reconnected");
        w.awaitLines("the three missed changes", lines -> lines.stream().anyMatch(l -> l.contains("power_set.end")));
        assertTrue(w.lines.size() > printedBeforeReopening, "nothing was replayed");
        // and a change after the reconnection arrives live, once
        maintenance(uuid, true, "after");
        w.awaitLines(
                "the change after the reconnection",
                lines -> lines.stream()
                                .filter(l -> l.contains("maintenance_set.end"))
                                .count()
                        == 3);

        List<Long> expected = feedSeqs(uuid, from);
        Conditions.await(
                vertx,
                "every event of the node printed",
                WAIT,
                Duration.ofMillis(50),
                () -> seqsOf(w.lines).size() >= expected.size());
        assertEquals(expected, seqsOf(w.lines), "each event printed exactly once, in order:\n" + w.lines);
    }

    @Test
    void anIdleWatcherStaysConnectedByAnsweringTheServersPings() throws Exception {
        String name = "watch-" + shortId();
        String uuid = enrol(name);
        Watcher w = watch("--url", anvil.endpoint(), "--node", name, "--since", Long.toString(lastSeq(uuid)));
        w.awaitNotice("following");
        long quietUntil = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        Conditions.await(
                vertx,
                "8 s without events (past the 6 s idle cut)",
                WAIT,
                Duration.ofMillis(200),
                () -> System.nanoTime() > quietUntil);
        patchExtra(uuid, "after", "quiet");
        w.awaitLines("the change after the quiet time", lines -> lines.stream()
                .anyMatch(l -> l.contains("baremetal.node.update.end")));
        assertFalse(
                w.errors.stream().anyMatch(l -> l.contains("closing") || l.contains("reconnect")),
                "the server cut the idle watcher: " + w.errors);
    }

    @Test
    void badFiltersAndABadUrlEndWithStatus2() throws Exception {
        Watcher bad = watch("--url", anvil.endpoint(), "--level", "loud");
        assertTrue(bad.process.waitFor(60, TimeUnit.SECONDS), "a refused filter must end anvil watch");
        assertEquals(WatchCommand.EXIT_REFUSED, bad.process.exitValue(), String.join("\n", bad.errors));
        bad.awaitErrors("the server's message", errors -> errors.stream().anyMatch(l -> l.contains("loud")));

        Watcher url = watch("--url", "ftp://example");
        assertTrue(url.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(WatchCommand.EXIT_REFUSED, url.process.exitValue());
    }

    @Test
    void aResumePointTheFeedDoesNotHoldEndsWithStatus3OrWithResyncContinuesLive() throws Exception {
        // 410 Gone: a since the feed cannot replay (here: ahead of its last event, as after a database restore)
        Watcher gone = watch("--url", anvil.endpoint(), "--since", "999999999");
        assertTrue(gone.process.waitFor(60, TimeUnit.SECONDS), "a refused resume must end anvil watch");
        assertEquals(WatchCommand.EXIT_TOO_OLD, gone.process.exitValue(), String.join("\n", gone.errors));
        gone.awaitErrors("the advice to resync", e -> e.stream().anyMatch(l -> l.contains("GET /v1/nodes")));

        String name = "watch-" + shortId();
        String uuid = enrol(name);
        Watcher resync = watch("--url", anvil.endpoint(), "--since", "999999999", "--resync", "--node", name);
        resync.awaitNotice("MISSED");
        resync.awaitNotice("following");
        // live from here: a change made after the subscription is printed (retried until one lands after it)
        Conditions.await(vertx, "a live change printed after the resync", WAIT, Duration.ofMillis(500), () -> {
            try {
                patchExtra(uuid, "tick", shortId());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return resync.lines.stream().anyMatch(l -> l.contains("baremetal.node.update.end"));
        });
        assertTrue(resync.process.isAlive(), "with --resync anvil watch keeps running");
    }

    // ---- the watcher process ----

    /**
     * A command started in the background by a non-interactive shell (`nohup scripts/test &`, some CI runners)
     * inherits SIGINT ignored, and a JVM keeps an ignored SIGINT ignored: Ctrl-C could then never be tested. The
     * watcher is exec'd through python3 (there wherever the interop tests run) after SIGINT is reset to its default.
     */
    private static final List<String> SIGINT_RESET = findPython3()
            .map(py -> List.of(
                    py,
                    "-c",
                    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL);"
                            + " os.execv(sys.argv[1], sys.argv[1:])"))
            .orElse(List.of());

    private static java.util.Optional<String> findPython3() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "python3");
            if (java.nio.file.Files.isExecutable(p)) {
                return java.util.Optional.of(p.toString());
            }
        }
        return java.util.Optional.empty();
    }

    private Watcher watch(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(SIGINT_RESET);
        cmd.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.anvil.cli.AnvilCommand",
                "watch"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("ANVIL_"));
        Watcher w = new Watcher(pb.start());
        watchers.add(w);
        return w;
    }

    private final class Watcher {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();

        Watcher(Process process) {
            this.process = process;
            pump(process.getInputStream(), lines);
            pump(process.getErrorStream(), errors);
        }

        void awaitNotice(String text) {
            awaitErrors("a notice containing '" + text + "'", e -> e.stream().anyMatch(l -> l.contains(text)));
        }

        void awaitErrors(String what, java.util.function.Predicate<List<String>> condition) {
            Conditions.await(
                    vertx,
                    what + " (stderr so far: " + errors + ")",
                    WAIT,
                    Duration.ofMillis(50),
                    () -> condition.test(errors));
        }

        void awaitLines(String what, java.util.function.Predicate<List<String>> condition) {
            Conditions.await(
                    vertx,
                    what + " (stdout so far: " + lines + ", stderr: " + errors + ")",
                    WAIT,
                    Duration.ofMillis(50),
                    () -> condition.test(lines));
        }
    }

    private static void pump(InputStream in, List<String> into) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private static List<Long> seqsOf(List<String> lines) {
        List<Long> out = new ArrayList<>();
        for (String l : lines) {
            Matcher m = SEQ.matcher(l);
            if (m.find()) {
                out.add(Long.parseLong(m.group(1)));
            }
        }
        return out;
    }

    // ---- the API ----

    private String enrol(String name) throws Exception {
        JsonObject body = call(
                "POST",
                "/v1/nodes",
                new JsonObject()
                        .put("driver", "fake-hardware")
                        .put("name", name)
                        .encode(),
                201);
        return body.getString("uuid");
    }

    private void maintenance(String uuid, boolean on, String reason) throws Exception {
        call(
                on ? "PUT" : "DELETE",
                "/v1/nodes/" + uuid + "/maintenance",
                on && reason != null ? new JsonObject().put("reason", reason).encode() : null,
                202);
    }

    private void power(String uuid, String target) throws Exception {
        call(
                "PUT",
                "/v1/nodes/" + uuid + "/states/power",
                new JsonObject().put("target", target).encode(),
                202);
        Conditions.await(vertx, uuid + " " + target, WAIT, Duration.ofMillis(50), () -> {
            try {
                return target.equals(call("GET", "/v1/nodes/" + uuid, null, 200).getString("power_state"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void patchExtra(String uuid, String key, String value) throws Exception {
        call(
                "PATCH",
                "/v1/nodes/" + uuid,
                new JsonArray()
                        .add(new JsonObject()
                                .put("op", "add")
                                .put("path", "/extra/" + key)
                                .put("value", value))
                        .encode(),
                200);
    }

    /**
     * The seq of the node's latest event in the feed (its create.end right after enrolment), once the feed has it: the
     * feed hands out an event when no earlier transaction can still commit, a moment after its own commit.
     */
    private long lastSeq(String uuid) throws Exception {
        List<List<Long>> seqs = new ArrayList<>();
        Conditions.await(vertx, "the feed lists an event of " + uuid, WAIT, Duration.ofMillis(50), () -> {
            try {
                seqs.add(0, feedSeqs(uuid, 0));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !seqs.get(0).isEmpty();
        });
        return seqs.get(0).get(seqs.get(0).size() - 1);
    }

    /** The node's events as the feed's JSON page lists them (the stored truth), by seq. */
    private List<Long> feedSeqs(String uuid, long since) throws Exception {
        JsonObject page = call("GET", "/v1/events?limit=1000&since=" + since + "&node=" + uuid, null, 200);
        List<Long> out = new ArrayList<>();
        page.getJsonArray("events").forEach(e -> out.add(((JsonObject) e).getLong("seq")));
        return out;
    }

    private JsonObject call(String method, String path, String body, int status) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(anvil.endpoint() + path))
                .header("X-OpenStack-Ironic-API-Version", "1.78")
                .timeout(Duration.ofSeconds(30));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), method + " " + path + ": " + r.body());
        return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * A TCP relay in front of Anvil's API port: {@link #dropAll()} cuts every relayed connection (both sides), and
     * while {@link #refuseNew} is on, new connections are closed at once — the watcher's view of a network outage.
     */
    static final class Relay {
        private final Vertx vertx;
        private final NetServer server;
        private final Set<NetSocket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean refusing;

        private Relay(Vertx vertx, NetServer server) {
            this.vertx = vertx;
            this.server = server;
        }

        static Relay start(Vertx vertx, int targetPort) throws Exception {
            Relay[] self = new Relay[1];
            var client = vertx.createNetClient();
            NetServer server = vertx.createNetServer().connectHandler(in -> {
                Relay relay = self[0];
                if (relay.refusing) {
                    in.close();
                    return;
                }
                in.pause();
                client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
                    if (ar.failed()) {
                        in.close();
                        return;
                    }
                    NetSocket out = ar.result();
                    relay.open.add(in);
                    relay.open.add(out);
                    in.closeHandler(v -> {
                        relay.open.remove(in);
                        out.close();
                    });
                    out.closeHandler(v -> {
                        relay.open.remove(out);
                        in.close();
                    });
                    in.pipeTo(out);
                    out.pipeTo(in);
                    in.resume();
                });
            });
            server.listen(0, "127.0.0.1")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            self[0] = new Relay(vertx, server);
            return self[0];
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.actualPort();
        }

        void refuseNew(boolean refuse) {
            refusing = refuse;
        }

        void dropAll() throws Exception {
            List<Future<Void>> closed = new ArrayList<>();
            for (NetSocket s : List.copyOf(open)) {
                closed.add(s.close());
            }
            Future.join(closed).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
