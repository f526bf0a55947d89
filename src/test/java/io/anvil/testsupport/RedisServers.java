package io.anvil.testsupport;

import io.vertx.core.Vertx;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real Redis deployments started from the system {@code redis-server} binary on free high ports, with their files
 * under {@code target/redis-servers}: a 3-master/3-replica Cluster or a Sentinel group (one primary, one replica, three
 * sentinels). Short failure-detection timeouts keep a fail-over to a few seconds. A test skips when the binaries are
 * missing and fails when {@code CI=true} ({@link TestServices#requireTool}).
 */
public final class RedisServers implements AutoCloseable {
    public static final String MASTER_NAME = "anvil";

    private final Vertx timers;
    private final Path dir;
    private final String server;
    private final String cli;
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final List<Integer> dataPorts = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();

    private RedisServers(Vertx timers, String kind) {
        this.timers = timers;
        this.server = TestServices.requireTool("redis-server");
        this.cli = TestServices.requireTool("redis-cli");
        try {
            Files.createDirectories(Path.of("target", "redis-servers"));
            this.dir = Files.createTempDirectory(Path.of("target", "redis-servers"), kind + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Six nodes joined by {@code redis-cli --cluster create --cluster-replicas 1}; ready when every node says ok. */
    public static RedisServers cluster(Vertx timers) {
        RedisServers s = new RedisServers(timers, "cluster");
        try {
            List<Integer> ports = freePorts(6, true);
            for (int p : ports) {
                s.startData(
                        p,
                        "--cluster-enabled",
                        "yes",
                        "--cluster-config-file",
                        "nodes-" + p + ".conf",
                        "--cluster-node-timeout",
                        "1500",
                        // a replica may take over however long ago it last heard from its master
                        "--cluster-replica-validity-factor",
                        "0");
            }
            List<String> args = new ArrayList<>(List.of("--cluster", "create"));
            ports.forEach(p -> args.add("127.0.0.1:" + p));
            args.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            s.cli(ports.get(0), args.toArray(String[]::new));
            s.await("every cluster node reports cluster_state:ok", () -> ports.stream()
                    .allMatch(p -> s.cli(p, "cluster", "info").contains("cluster_state:ok")));
            s.await("every master has its replica in sync", () -> s.masters().stream()
                    .allMatch(p -> s.info(p).contains("connected_slaves:1")
                            && s.info(p).contains("state=online")));
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /** A primary, its replica and three sentinels monitoring them as {@link #MASTER_NAME} (quorum 2). */
    public static RedisServers sentinel(Vertx timers) {
        RedisServers s = new RedisServers(timers, "sentinel");
        try {
            List<Integer> ports = freePorts(5, false);
            int primary = ports.get(0);
            s.startData(primary);
            s.startData(ports.get(1), "--replicaof", "127.0.0.1", Integer.toString(primary));
            for (int p : ports.subList(2, 5)) {
                Path conf = s.dir.resolve("sentinel-" + p + ".conf");
                Files.writeString(
                        conf,
                        String.join(
                                "\n",
                                "port " + p,
                                "bind 127.0.0.1",
                                "dir " + s.dir.toAbsolutePath(),
                                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primary + " 2",
                                "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                                "sentinel failover-timeout " + MASTER_NAME + " 4000",
                                "sentinel parallel-syncs " + MASTER_NAME + " 1",
                                ""),
                        StandardCharsets.UTF_8);
                s.sentinelPorts.add(p);
                s.start(p, List.of(conf.toAbsolutePath().toString(), "--sentinel"));
            }
            s.await("the replica is in sync", () -> s.info(primary).contains("state=online"));
            s.await("every sentinel sees the replica and both other sentinels", () -> s.sentinelPorts.stream()
                    .allMatch(p -> {
                        String m = s.cli(p, "sentinel", "master", MASTER_NAME);
                        return m.contains("num-slaves\n1") && m.contains("num-other-sentinels\n2");
                    }));
            return s;
        } catch (IOException e) {
            s.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /** Cluster: the seed nodes; Sentinel: the sentinels. */
    public List<String> endpoints() {
        List<Integer> ports = sentinelPorts.isEmpty() ? dataPorts : sentinelPorts;
        return ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
    }

    /** The process ids of the servers still running (for CPU accounting in benches). */
    public List<Long> pids() {
        return processes.values().stream().map(Process::pid).toList();
    }

    /** The port of the primary now serving {@code key} (Cluster: its slot's master; Sentinel: the primary). */
    public int primaryFor(String key) {
        if (!sentinelPorts.isEmpty()) {
            for (int s : sentinelPorts) {
                String[] addr = cli(s, "sentinel", "get-master-addr-by-name", MASTER_NAME)
                        .trim()
                        .split("\\s+");
                if (addr.length == 2) {
                    return Integer.parseInt(addr[1]);
                }
            }
            throw new IllegalStateException("no sentinel names a primary");
        }
        int slot = Integer.parseInt(
                cli(alive(), "cluster", "keyslot", key).trim()); // the first server may be the one killed
        for (String line : cli(alive(), "cluster", "nodes").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < f.length; i++) {
                String[] range = f[i].split("-");
                int lo = Integer.parseInt(range[0]);
                int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
                if (slot >= lo && slot <= hi) {
                    return Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** {@code kill -9} of one server: no shutdown, nothing saved. */
    public void kill9(int port) {
        Process p = processes.remove(port);
        if (p == null) {
            throw new IllegalArgumentException("no server on port " + port);
        }
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code key}'s primary is a live server other than {@code killed}, and it accepts writes. */
    public int awaitFailover(int killed, String key) {
        int[] now = {-1};
        try {
            awaitTakeOver(killed, key, now);
        } catch (AssertionError e) {
            StringBuilder b = new StringBuilder(e.getMessage());
            if (sentinelPorts.isEmpty()) {
                b.append("; cluster nodes:\n").append(cli(alive(), "cluster", "nodes"));
            }
            for (int p : processes.keySet()) {
                String log = log(p);
                b.append("\n--- log of ")
                        .append(p)
                        .append(":\n")
                        .append(log.substring(Math.max(0, log.length() - 1500)));
            }
            throw new AssertionError(b.toString(), e);
        }
        return now[0];
    }

    private void awaitTakeOver(int killed, String key, int[] now) {
        await("a replica took over from the killed primary " + killed, () -> {
            try {
                int p = primaryFor(key);
                now[0] = p;
                return p != killed && processes.containsKey(p) && info(p).contains("role:master");
            } catch (RuntimeException notYet) {
                return false;
            }
        });
    }

    /** Runs redis-cli against one port and returns what it printed. */
    public String cli(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of(cli, "-h", "127.0.0.1", "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String info(int port) {
        return cli(port, "info", "replication");
    }

    private List<Integer> masters() {
        return dataPorts.stream().filter(p -> info(p).contains("role:master")).toList();
    }

    private int alive() {
        return dataPorts.stream().filter(processes::containsKey).findFirst().orElseThrow();
    }

    private void startData(int port, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toAbsolutePath().toString(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory-policy",
                "noeviction",
                "--enable-debug-command",
                "yes"));
        args.addAll(List.of(extra));
        dataPorts.add(port);
        start(port, args);
    }

    private void start(int port, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(server);
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
                    .start();
            processes.put(port, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            await("redis on port " + port + " answers PING", () -> cli(port, "ping")
                    .contains("PONG"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; its log: " + log(port), e);
        }
    }

    private String log(int port) {
        try {
            return Files.readString(dir.resolve("redis-" + port + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void await(String what, java.util.function.BooleanSupplier condition) {
        Conditions.await(timers, what, Duration.ofSeconds(45), Duration.ofMillis(100), condition);
    }

    /**
     * Free ports from a random base below the kernel's ephemeral range (so no outgoing connection takes one meanwhile);
     * for a Cluster, port + 10000 (its bus port) must be free as well.
     */
    private static List<Integer> freePorts(int n, boolean withBus) {
        List<Integer> out = new ArrayList<>();
        int p = 20000 + ThreadLocalRandom.current().nextInt(2500);
        while (out.size() < n) {
            p++;
            if (free(p) && (!withBus || free(p + 10000))) {
                out.add(p);
            }
        }
        return out;
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        processes.values().forEach(Process::destroyForcibly);
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // target/ is cleaned by the build anyway
        }
    }
}
