package io.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code anvil serve --conductors 3} (what {@code scripts/run --conductors 3} runs; docs/scale-out.md): three
 * conductor processes start against one PostgreSQL and Redis, each with its own port and hostname and its output
 * prefixed with that name; every one of them lists all three in {@code GET /v1/conductors}, and a node created
 * through one is read through the others; SIGTERM to the launcher stops all of them, each with its drain.
 */
class ConductorGroupTest {
    private static final int N = 3;
    private static final Pattern LISTENING =
            Pattern.compile("^\\[([^\\]]+)\\] anvil: Ironic v1 API listening on http://127\\.0\\.0\\.1:(\\d+) ");
    private static Vertx vertx;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() {
        Conditions.result(vertx.close(), Duration.ofSeconds(30));
    }

    @Test
    void threeConductorProcessesRegisterServeAndStopTogether() throws Exception {
        String base = "group-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx160m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.anvil.cli.AnvilCommand",
                "serve",
                "--conductors",
                String.valueOf(N),
                "--port",
                "0");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("ANVIL_"));
        pb.environment()
                .putAll(Map.of(
                        "ANVIL_DATABASE_URL",
                        TestServices.urlOf(TestServices.freshDatabase()),
                        "ANVIL_REDIS_URL",
                        TestServices.redisUrl(),
                        "ANVIL_SECRETS_KEY",
                        TestServices.SECRETS_KEY,
                        "ANVIL_API_HOST",
                        "127.0.0.1",
                        "ANVIL_API_INSTANCES",
                        "1",
                        "ANVIL_CONDUCTOR_HOSTNAME",
                        base,
                        "ANVIL_CONDUCTOR_GRACEFUL_SHUTDOWN_TIMEOUT",
                        "2"));
        Process launcher = pb.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                lines.add("(read failed: " + e + ")");
            }
        });
        reader.start();
        List<ProcessHandle> children = new ArrayList<>();
        try {
            Map<String, Integer> ports = new TreeMap<>();
            Conditions.await(
                    vertx, N + " conductors listening", Duration.ofSeconds(180), Duration.ofMillis(100), () -> {
                        assertTrue(launcher.isAlive(), () -> "the launcher exited: " + String.join("\n", lines));
                        for (String line : lines) {
                            Matcher m = LISTENING.matcher(line);
                            if (m.find()) {
                                ports.put(m.group(1), Integer.parseInt(m.group(2)));
                            }
                        }
                        return ports.size() == N;
                    });
            Set<String> names = Set.of(base + "-1", base + "-2", base + "-3");
            assertEquals(names, ports.keySet(), "one prefixed conductor per hostname: " + ports);
            assertEquals(N, Set.copyOf(ports.values()).size(), "distinct ports: " + ports);
            launcher.descendants().forEach(children::add);

            HttpClient http = HttpClient.newHttpClient();
            for (int port : ports.values()) {
                Conditions.await(
                        vertx,
                        "conductor on " + port + " lists all three",
                        Duration.ofSeconds(60),
                        Duration.ofMillis(200),
                        () -> {
                            JsonArray list = new JsonObject(call(http, port, "GET", "/v1/conductors", null)
                                            .body())
                                    .getJsonArray("conductors");
                            Set<String> alive = list.stream()
                                    .map(JsonObject.class::cast)
                                    .filter(c -> c.getBoolean("alive", false))
                                    .map(c -> c.getString("hostname"))
                                    .collect(Collectors.toSet());
                            return alive.containsAll(names);
                        });
            }
            List<Integer> each = new ArrayList<>(ports.values());
            HttpResponse<String> created = call(
                    http, each.get(0), "POST", "/v1/nodes", "{\"driver\":\"fake-hardware\",\"name\":\"" + base + "\"}");
            assertEquals(201, created.statusCode(), created.body());
            for (int port : each) {
                assertEquals(
                        200, call(http, port, "GET", "/v1/nodes/" + base, null).statusCode());
            }
            assertTrue(
                    lines.stream().anyMatch(l -> l.startsWith("[" + base + "-2] ")),
                    "output is prefixed with the conductor's name");
        } finally {
            // SIGTERM (as Ctrl-C): every conductor drains and stops; through the handle, which leaves our pipe open
            launcher.toHandle().destroy();
            boolean stopped = launcher.waitFor(120, TimeUnit.SECONDS);
            if (!stopped) {
                launcher.descendants().forEach(ProcessHandle::destroyForcibly);
                launcher.destroyForcibly();
            }
            reader.join(10_000);
            assertTrue(stopped, "the launcher stopped: " + String.join("\n", lines));
        }
        for (ProcessHandle child : children) {
            child.onExit().get(30, TimeUnit.SECONDS);
            assertFalse(child.isAlive(), "conductor process " + child.pid() + " stopped");
        }
        for (int i = 1; i <= N; i++) {
            String prefix = "[" + base + "-" + i + "] ";
            assertTrue(
                    lines.stream().anyMatch(l -> l.startsWith(prefix) && l.contains("anvil: stopped")),
                    prefix + "stopped cleanly: " + String.join("\n", lines));
        }
        assertTrue(lines.contains("anvil: all conductors stopped"), String.join("\n", lines));
    }

    private static HttpResponse<String> call(HttpClient client, int port, String method, String path, String body) {
        return io.anvil.testsupport.PlainHttp.call(client, port, method, path, body);
    }
}
