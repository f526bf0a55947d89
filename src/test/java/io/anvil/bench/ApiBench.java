package io.anvil.bench;

import io.anvil.testsupport.AnvilInstance;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/bench api [nodes] [seconds]}: enrolls N nodes (default 10,000) through the API, then measures
 * GET node, list 1000 nodes (plain and detail) and create node with wrk (a separate process, so the load
 * generator is not the bottleneck inside our JVM), without authentication and then with http_basic
 * ({@code -Dbench.auth=noauth|http_basic|both}). Prints a table and writes target/bench/api.json.
 */
public final class ApiBench {
    private static final String VERSION = "X-OpenStack-Ironic-API-Version: 1.78";

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        // -Dbench.auth=noauth|http_basic|both (default both): the same scenarios without and with authentication
        String auth = System.getProperty("bench.auth", "both");
        String wrk = findWrk();
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(
                "api bench: %d nodes, %d s per scenario, %d cores, server %d API verticles, auth %s%n",
                nodes, seconds, cores, cores, auth);
        BenchTable table = new BenchTable(
                        "api", "auth", "scenario", "req/s", "p50 ms", "p99 ms", "server CPU µs/req", "errors")
                .meta("nodes", nodes)
                .meta("seconds", seconds)
                .meta("cores", cores)
                .meta("command", "scripts/bench api " + nodes + " " + seconds + " -Dbench.auth=" + auth);
        for (String mode : auth.equals("both") ? List.of("noauth", "http_basic") : List.of(auth)) {
            run(mode, nodes, seconds, wrk, cores, table);
        }
        table.finish();
        System.exit(0);
    }

    /**
     * One Anvil in {@code mode}: noauth, or http_basic with one bcrypt user (cost 10, htpasswd -B's default) whose
     * header every request carries, so all but the first check of it come from the verified-credential cache.
     */
    private static void run(String mode, int nodes, int seconds, String wrk, int cores, BenchTable table)
            throws Exception {
        Map<String, Object> cfg = new java.util.HashMap<>(
                Map.of("api.instances", cores, "database.pool_size", 8, "database.pipelined_size", 4));
        String authorization = null;
        if (mode.equals("http_basic")) {
            Path users = Files.createTempDirectory("anvil-bench").resolve("htpasswd");
            byte[] salt = new byte[16];
            new java.security.SecureRandom().nextBytes(salt);
            Files.writeString(
                    users,
                    "bench:"
                            + org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate(
                                    "2y", "bench-pw".toCharArray(), salt, 10)
                            + "\n");
            cfg.put("api.auth_strategy", "http_basic");
            cfg.put("api.http_basic_auth_user_file", users.toString());
            authorization = io.anvil.testsupport.TestCredentials.basic("bench", "bench-pw");
        } else if (!mode.equals("noauth")) {
            throw new IllegalArgumentException("bench.auth: noauth, http_basic or both, got " + mode);
        }
        try (AnvilInstance anvil = AnvilInstance.start(cfg)) {
            List<String> uuids = ApiEnroll.enroll(List.of(anvil.port()), nodes, 64, authorization, i -> new JsonObject()
                    .put("driver", "fake-hardware")
                    .put("name", "bench-" + i)
                    .put(
                            "driver_info",
                            new JsonObject()
                                    .put("ipmi_address", "10.1." + (i / 250) + "." + (i % 250))
                                    .put("ipmi_password", "secret"))
                    .put("properties", new JsonObject().put("cpus", 16).put("memory_mb", 65536)));
            Path dir = Path.of("target/bench");
            Files.createDirectories(dir);
            Path paths = dir.resolve("node-paths.txt");
            Files.write(paths, uuids.stream().map(u -> "/v1/nodes/" + u).toList());
            String luaAuth = authorization == null ? "" : ", [\"Authorization\"] = \"" + authorization + "\"";
            Path getLua = dir.resolve("get-node-" + mode + ".lua");
            Files.writeString(
                    getLua,
                    """
          local paths = {}
          for line in io.lines("%s") do paths[#paths + 1] = line end
          request = function()
            return wrk.format("GET", paths[math.random(#paths)], {["X-OpenStack-Ironic-API-Version"] = "1.78"%s})
          end
          """
                            .formatted(paths.toAbsolutePath(), luaAuth));
            Path createLua = dir.resolve("create-node-" + mode + ".lua");
            Files.writeString(
                    createLua,
                    """
          wrk.method = "POST"
          wrk.body = '{"driver": "fake-hardware", "driver_info": {"ipmi_password": "x"}, "properties": {"cpus": 8}}'
          wrk.headers["Content-Type"] = "application/json"
          wrk.headers["X-OpenStack-Ironic-API-Version"] = "1.78"
          """
                            + (authorization == null
                                    ? ""
                                    : "wrk.headers[\"Authorization\"] = \"" + authorization + "\"\n"));
            List<String> headers = new ArrayList<>(List.of("-H", VERSION));
            if (authorization != null) {
                headers.addAll(List.of("-H", "Authorization: " + authorization));
            }
            String base = anvil.endpoint();
            // warm-up: JIT and prepared statements
            wrk(wrk, List.of("-t1", "-c16", "-d5s", "-s", getLua.toString(), base), "warm-up");
            table.row(wrk(
                            wrk,
                            List.of("-t2", "-c64", "-d" + seconds + "s", "--latency", "-s", getLua.toString(), base),
                            "GET /v1/nodes/{uuid}")
                    .put("auth", mode));
            List<String> list = new ArrayList<>(List.of("-t1", "-c8", "-d" + seconds + "s", "--latency"));
            list.addAll(headers);
            table.row(wrk(wrk, concat(list, base + "/v1/nodes?limit=1000"), "GET /v1/nodes?limit=1000")
                    .put("auth", mode));
            table.row(wrk(wrk, concat(list, base + "/v1/nodes/detail?limit=1000"), "GET /v1/nodes/detail?limit=1000")
                    .put("auth", mode));
            table.row(wrk(
                            wrk,
                            List.of(
                                    "-t2",
                                    "-c32",
                                    "-d" + seconds + "s",
                                    "--latency",
                                    "-s",
                                    createLua.toString(),
                                    base + "/v1/nodes"),
                            "POST /v1/nodes")
                    .put("auth", mode));
        }
    }

    private static List<String> concat(List<String> args, String last) {
        List<String> out = new ArrayList<>(args);
        out.add(last);
        return out;
    }

    static String findWrk() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "wrk"))) {
                return Path.of(dir, "wrk").toString();
            }
        }
        System.err.println("api bench needs wrk (Debian: apt-get install wrk)");
        System.exit(2);
        return null;
    }

    private static final Pattern REQS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern PCT =
            Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERR = Pattern.compile("Socket errors: (.*)");

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static JsonObject wrk(String wrk, List<String> args, String scenario) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(wrk);
        cmd.addAll(args);
        long cpu0 = processCpuNanos();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
            }
        }
        p.waitFor();
        long cpu = processCpuNanos() - cpu0;
        String o = out.toString();
        JsonObject row = new JsonObject().put("scenario", scenario);
        Matcher m = REQS.matcher(o);
        row.put("req/s", m.find() ? Double.parseDouble(m.group(1)) : 0.0);
        Matcher pm = PCT.matcher(o);
        while (pm.find()) {
            double v = Double.parseDouble(pm.group(2));
            double ms =
                    switch (pm.group(3)) {
                        case "us" -> v / 1000;
                        case "s" -> v * 1000;
                        default -> v;
                    };
            row.put("p" + pm.group(1) + " ms", ms);
        }
        Matcher e = NON2XX.matcher(o);
        Matcher se = SOCKET_ERR.matcher(o);
        // CPU this JVM (the server; wrk is another process) spent per request: steadier than req/s on a shared machine
        Matcher n = REQUESTS.matcher(o);
        long requests = n.find() ? Long.parseLong(n.group(1)) : 0;
        row.put("server CPU µs/req", requests == 0 ? 0.0 : Math.round(cpu / 100.0 / requests) / 10.0);
        row.put("errors", (e.find() ? e.group(1) + " non-2xx" : "0") + (se.find() ? "; socket " + se.group(1) : ""));
        if (!scenario.equals("warm-up")) {
            row.put("raw", o);
        }
        return row;
    }
}
