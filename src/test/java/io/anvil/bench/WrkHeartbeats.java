package io.anvil.bench;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives heartbeats with {@code wrk} (a C load generator, outside Anvil's JVM, so the JVM's CPU is Anvil's alone): a
 * Lua script pre-formats one request per node from a file of "uuid token callback_url" lines, and each wrk thread
 * cycles over its share of the nodes, every heartbeat carrying the same {@code agent_version} (the phase's name, which
 * the bench then finds on every node). wrk is closed-loop: one request in flight per connection.
 */
final class WrkHeartbeats {
    /** What one wrk run reported; latencies in milliseconds. */
    record Run(
            long requests,
            double seconds,
            long errors,
            long non2xx,
            double p50,
            double p99,
            double max,
            java.util.Map<String, Double> cpu) {
        double perSecond() {
            return requests / seconds;
        }
    }

    private static final String LUA =
            """
            -- one pre-formatted request per node; thread k sends to nodes k, k+T, k+2T, ... in turn
            local reqs = {}
            local idx = 0
            local step = 1
            local threads = 0
            setup = function(thread)
              thread:set("first", threads)
              threads = threads + 1
            end
            init = function(args)
              local version = args[1]
              step = tonumber(args[2])
              local headers = {["Content-Type"] = "application/json", ["X-OpenStack-Ironic-API-Version"] = "1.68"}
              for line in io.lines("%s") do
                local uuid, token, url = line:match("^(%%S+) (%%S+) (%%S+)$")
                reqs[#reqs + 1] = wrk.format("POST", "/v1/heartbeat/" .. uuid, headers,
                  '{"callback_url":"' .. url .. '","agent_token":"' .. token .. '","agent_version":"' .. version .. '"}')
              end
              idx = first
            end
            request = function()
              local r = reqs[idx + 1]
              idx = idx + step
              if idx >= #reqs then idx = first end
              return r
            end
            done = function(summary, latency, requests)
              io.write(string.format('WRK-RESULT {"requests":%%d,"duration_us":%%d,"connect":%%d,"read":%%d,"write":%%d,'
                .. '"status":%%d,"timeout":%%d,"p50_us":%%d,"p99_us":%%d,"max_us":%%d}\\n',
                summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
                summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
            end
            """;

    private final String wrk;
    private final Path script;
    private final String endpoint;

    private WrkHeartbeats(String wrk, Path script, String endpoint) {
        this.wrk = wrk;
        this.script = script;
        this.endpoint = endpoint;
    }

    /** The wrk binary on PATH, or null. */
    static String find() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "wrk"))) {
                return Path.of(dir, "wrk").toString();
            }
        }
        return null;
    }

    /** Writes the node file and the script under {@code dir}. */
    static WrkHeartbeats prepare(String wrk, Path dir, String endpoint, String[] uuids, String[] tokens, String[] urls)
            throws IOException {
        Files.createDirectories(dir);
        Path nodes = dir.resolve("heartbeat-nodes.txt");
        List<String> lines = new ArrayList<>(uuids.length);
        for (int i = 0; i < uuids.length; i++) {
            lines.add(uuids[i] + " " + tokens[i] + " " + urls[i]);
        }
        Files.write(nodes, lines);
        Path script = dir.resolve("heartbeat.lua");
        Files.writeString(script, LUA.formatted(nodes.toAbsolutePath()));
        return new WrkHeartbeats(wrk, script, endpoint);
    }

    /** Runs wrk for {@code seconds}; every heartbeat carries {@code version}. */
    Run run(int threads, int connections, int seconds, String version) throws Exception {
        List<String> cmd = List.of(
                wrk,
                "-t" + threads,
                "-c" + connections,
                "-d" + seconds + "s",
                "--timeout",
                "10s",
                "-s",
                script.toString(),
                endpoint,
                "--",
                version,
                Integer.toString(threads));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // where the cores go while wrk runs, away from its start (script init) and end
        CpuMeter meter = new CpuMeter();
        java.util.concurrent.CompletableFuture<java.util.Map<String, Double>> cpu =
                new java.util.concurrent.CompletableFuture<>();
        Thread sampler = new Thread(() -> {
            try {
                long t0 = System.nanoTime();
                long window = Math.max(1, seconds - 2) * 1_000_000_000L;
                BenchWait.pause(Math.min(1000, seconds * 250L));
                meter.start();
                BenchWait.pause(Math.max(100, (window - (System.nanoTime() - t0) + 1_000_000_000L) / 1_000_000));
                cpu.complete(meter.stop());
            } catch (Exception e) {
                cpu.completeExceptionally(e);
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        JsonObject result = null;
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (line.startsWith("WRK-RESULT ")) {
                    result = new JsonObject(line.substring("WRK-RESULT ".length()));
                }
            }
        }
        int rc = p.waitFor();
        sampler.join();
        if (rc != 0 || result == null) {
            throw new IllegalStateException("wrk failed (exit " + rc + "):\n" + out);
        }
        long errors = result.getLong("connect")
                + result.getLong("read")
                + result.getLong("write")
                + result.getLong("timeout");
        return new Run(
                result.getLong("requests"),
                result.getLong("duration_us") / 1e6,
                errors,
                result.getLong("status"),
                result.getLong("p50_us") / 1000.0,
                result.getLong("p99_us") / 1000.0,
                result.getLong("max_us") / 1000.0,
                cpu.getNow(java.util.Map.of()));
    }
}
