package io.anvil.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time per process group over a window, from /proc (Linux): this JVM ("anvil"), every process named
 * {@code postgres}, {@code wrk}, and the machine total, so a benchmark can say where its cores went. Other processes
 * (another helper's build, say) show up in "other", which tells whether a figure was taken on a quiet machine.
 */
final class CpuMeter {
    private static final double TICKS = 100.0; // USER_HZ on Linux
    private static final long TICK_NS = 10_000_000L;
    private final long self = ProcessHandle.current().pid();
    private Map<Long, Sample> start;
    private long totalStart;
    private long idleStart;
    private long wallStart;

    void start() throws IOException {
        start = sample();
        long[] t = machine();
        totalStart = t[0];
        idleStart = t[1];
        wallStart = System.nanoTime();
    }

    /** Cores used per group since {@link #start}: anvil, postgres, wrk, processes, other, idle. */
    Map<String, Double> stop() throws IOException {
        Map<Long, Sample> end = sample();
        long[] t = machine();
        double seconds = (System.nanoTime() - wallStart) / 1e9;
        Map<String, Long> ticks = new HashMap<>();
        for (Map.Entry<Long, Sample> e : end.entrySet()) {
            Sample before = start.get(e.getKey());
            // a pid seen at both ends: its ticks in the window; a new one: all of its ticks
            long d = before != null && before.group().equals(e.getValue().group())
                    ? e.getValue().ticks() - before.ticks()
                    : e.getValue().ticks();
            ticks.merge(e.getValue().group(), Math.max(0, d), Long::sum);
        }
        Map<String, Double> cores = new TreeMap<>();
        for (String group : new String[] {"anvil", "postgres", "wrk", "processes"}) {
            cores.put(group, Math.round(ticks.getOrDefault(group, 0L) / TICKS / seconds * 100) / 100.0);
        }
        long busy = (t[0] - totalStart) - (t[1] - idleStart);
        double known = cores.values().stream().mapToDouble(Double::doubleValue).sum();
        // kernel work outside any process (the loopback's softirqs, kworkers) and processes that ended in the window
        cores.put("other", Math.round(Math.max(0, busy / TICKS / seconds - known) * 100) / 100.0);
        cores.put("idle", Math.round((t[1] - idleStart) / TICKS / seconds * 100) / 100.0);
        return cores;
    }

    private record Sample(String group, long ticks) {}

    private Map<Long, Sample> sample() throws IOException {
        Map<Long, Sample> all = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException e) {
                    continue; // exited meanwhile
                }
                int close = stat.lastIndexOf(')');
                String comm = stat.substring(stat.indexOf('(') + 1, close);
                String[] f = stat.substring(close + 2).split(" ");
                long pid = Long.parseLong(p.getFileName().toString());
                String group =
                        pid == self ? "anvil" : comm.equals("postgres") || comm.equals("wrk") ? comm : "processes";
                all.put(pid, new Sample(group, Long.parseLong(f[11]) + Long.parseLong(f[12]))); // utime + stime
            }
        }
        return all;
    }

    /** This JVM's CPU time (all threads, user + system). */
    static long jvmCpuNs() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** A running process's CPU time (user + system), from /proc/PID/stat. */
    static long processCpuNs(long pid) throws IOException {
        long[] t = procTimes(String.valueOf(pid));
        return (t[0] + t[1]) * TICK_NS;
    }

    /** CPU time of a JVM's JIT compiler threads (C1 and C2, from /proc/PID/task/TID/stat). */
    static long compilerCpuNs(long pid) throws IOException {
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException e) {
                    continue; // ended meanwhile
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
        }
        return ticks * TICK_NS;
    }

    /** CPU time of this JVM's terminated, reaped children (cutime + cstime): tools run one process after another. */
    static long reapedChildrenCpuNs() throws IOException {
        long[] t = procTimes("self");
        return (t[2] + t[3]) * TICK_NS;
    }

    /** /proc/PID/stat fields 14-17 (utime, stime, cutime, cstime), in ticks. */
    private static long[] procTimes(String pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
    }

    /** {all ticks, idle ticks} of the machine. */
    private static long[] machine() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }
}
