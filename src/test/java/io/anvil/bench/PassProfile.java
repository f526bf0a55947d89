package io.anvil.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the CPU of a window went, per kind of process (conductors, simulators, Redis, the PostgreSQL backends of one
 * database), from /proc/PID/stat; with {@code record} also a JFR recording of each JVM over exactly that window
 * (started and dumped with {@code jcmd}), to read with {@code jfr print --events jdk.ExecutionSample}.
 */
final class PassProfile {
    private final Map<String, List<Long>> kinds;
    private final String database;
    private final boolean record;
    private final Map<Long, Long> start = new LinkedHashMap<>();
    private long wallStart;

    /**
     * @param kinds JVM kinds ("conductors", "simulators") and others ("redis") to their pids; the PostgreSQL backends
     *     serving {@code database} are found at {@link #start} and added as "postgres"
     */
    PassProfile(Map<String, List<Long>> kinds, String database, boolean record) {
        this.kinds = new LinkedHashMap<>(kinds);
        this.database = database;
        this.record = record;
    }

    void start() throws IOException {
        kinds.put("postgres", postgresBackends(database));
        for (List<Long> pids : kinds.values()) {
            for (long pid : pids) {
                start.put(pid, ticks(pid));
            }
        }
        if (record) {
            jvms().forEach(pid -> jcmd(pid, "JFR.start", "name=pass", "settings=profile"));
        }
        wallStart = System.nanoTime();
    }

    /** CPU seconds per kind since {@link #start}; the recordings (if any) are written as {@code prefix-PID.jfr}. */
    Map<String, Double> stop(String prefix) throws IOException {
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (var e : kinds.entrySet()) {
            long t = 0;
            for (long pid : e.getValue()) {
                long now = ticks(pid);
                t += now < 0 ? 0 : now - start.getOrDefault(pid, 0L);
            }
            seconds.put(e.getKey(), t / 100.0); // USER_HZ
        }
        if (record) {
            for (long pid : jvms()) {
                String file =
                        Path.of(prefix + "-" + pid + ".jfr").toAbsolutePath().toString();
                jcmd(pid, "JFR.stop", "name=pass", "filename=" + file);
                System.out.println("  flight recording of pid " + pid + ": " + file);
            }
        }
        return seconds;
    }

    double wallSeconds() {
        return (System.nanoTime() - wallStart) / 1e9;
    }

    private List<Long> jvms() {
        List<Long> out = new ArrayList<>();
        for (String k : List.of("conductors", "simulators")) {
            out.addAll(kinds.getOrDefault(k, List.of()));
        }
        return out;
    }

    private static void jcmd(long pid, String... args) {
        List<String> cmd = new ArrayList<>(List.of("jcmd", String.valueOf(pid)));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                System.out.println("  jcmd " + String.join(" ", args) + " failed: " + out.trim());
            }
        } catch (Exception e) {
            System.out.println("  jcmd " + String.join(" ", args) + " failed: " + e);
        }
    }

    /** utime + stime of a process, in ticks; -1 once it is gone. */
    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The backends of {@code database}: their title is "postgres: USER DATABASE HOST(PORT) STATE". */
    private static List<Long> postgresBackends(String database) throws IOException {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try {
                    String cmdline = Files.readString(p.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.startsWith("postgres: ") && cmdline.contains(" " + database + " ")) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // exited meanwhile, or not ours to read
                }
            }
        }
        return out;
    }
}
