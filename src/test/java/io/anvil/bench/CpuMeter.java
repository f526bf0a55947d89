package io.anvil.bench;

import java.io.IOException;
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
    private final long self = ProcessHandle.current().pid();
    private Map<String, Long> start;
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

    /** Cores used per group since {@link #start}: anvil, postgres, wrk, other, idle. */
    Map<String, Double> stop() throws IOException {
        Map<String, Long> end = sample();
        long[] t = machine();
        double seconds = (System.nanoTime() - wallStart) / 1e9;
        Map<String, Double> cores = new TreeMap<>();
        for (Map.Entry<String, Long> e : end.entrySet()) {
            long d = Math.max(0, e.getValue() - start.getOrDefault(e.getKey(), 0L));
            cores.put(e.getKey(), Math.round(d / TICKS / seconds * 100) / 100.0);
        }
        long busy = (t[0] - totalStart) - (t[1] - idleStart);
        double known = cores.values().stream().mapToDouble(Double::doubleValue).sum();
        double machineBusy = busy / TICKS / seconds;
        // kernel work outside any process (softirq of the loopback, kworkers) and processes that came and went
        cores.put("other", Math.round(Math.max(0, machineBusy - known) * 100) / 100.0);
        cores.put("idle", Math.round((t[1] - idleStart) / TICKS / seconds * 100) / 100.0);
        return cores;
    }

    private Map<String, Long> sample() throws IOException {
        Map<String, Long> ticks = new HashMap<>();
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
                long t = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
                String group = Long.parseLong(p.getFileName().toString()) == self
                        ? "anvil"
                        : comm.equals("postgres") || comm.equals("wrk") ? comm : "processes";
                ticks.merge(group, t, Long::sum);
            }
        }
        return ticks;
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
