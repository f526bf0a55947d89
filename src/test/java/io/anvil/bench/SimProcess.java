package io.anvil.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A simulator ({@code anvil sim ...}) in a child JVM, so a benchmark measures its CPU apart from the client's
 * ({@link CpuMeter#processCpuNs}). {@code -Dbench.simJvm="-XX:..."} adds JVM options (a flight recording, say).
 */
final class SimProcess implements AutoCloseable {
    private final Process process;
    private final List<String> output;
    final String banner;
    private boolean stopped;

    private SimProcess(Process process, List<String> output, String banner) {
        this.process = process;
        this.output = output;
        this.banner = banner;
    }

    /**
     * Starts {@code anvil <args>} with {@code -Xmx<heap>} and waits (up to 5 minutes) for an output line containing
     * {@code readyMarker}.
     */
    static SimProcess start(String heap, String readyMarker, String... args) throws Exception {
        String cp = "target/classes:"
                + Files.readString(Path.of("target/classpath.txt")).trim();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + heap);
        String extra = System.getProperty("bench.simJvm", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(Arrays.asList(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", cp, "io.anvil.cli.AnvilCommand"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = new CompletableFuture<>();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(
                () -> {
                    try {
                        String line;
                        while ((line = r.readLine()) != null) {
                            lines.add(line);
                            if (line.contains(readyMarker)) {
                                ready.complete(line);
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                    ready.completeExceptionally(new IllegalStateException("simulator exited: " + lines));
                },
                "sim-output");
        reader.setDaemon(true);
        reader.start();
        return new SimProcess(p, lines, ready.get(300, TimeUnit.SECONDS));
    }

    long pid() {
        return process.pid();
    }

    /** The simulator's CPU time so far (user + system). */
    long cpuNs() throws IOException {
        return CpuMeter.processCpuNs(process.pid());
    }

    /** SIGTERM (the simulator prints its counters in its shutdown hook); its output lines. */
    List<String> stop() throws Exception {
        if (!stopped) {
            stopped = true;
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            process.waitFor(10, TimeUnit.SECONDS);
        }
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
