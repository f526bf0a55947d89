package io.anvil.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code anvil serve --conductors N} (docs/scale-out.md#several-conductors-on-one-machine): N conductor processes on
 * this machine against one PostgreSQL and one Redis. Each is a child JVM running {@code anvil serve} with its own API
 * port (base, base+1, ...; base 0 = any free port each) and its own {@code conductor.hostname} (NAME-1, NAME-2, ...);
 * their output is relayed line by line prefixed with that name. The caller (ServeCommand) has already started the
 * embedded PostgreSQL/Redis when none is configured and passes their addresses and the secrets key file down, so the
 * children share them. Stopping this process (Ctrl-C, {@code kill -TERM}) stops every child the same graceful way
 * and waits for them; a child that dies alone is reported and the others keep serving. Runs on the main thread.
 */
final class ConductorGroup {
    /** How long a child may take to drain after SIGTERM before it is killed. */
    private static final long STOP_WAIT_SECONDS = 60;

    private final int count;
    private final String baseHostname;
    private final int basePort;
    private final Map<String, String> environment;
    private final List<String> serveArgs;
    private final PrintStream out;
    private final List<Process> children = new ArrayList<>();
    private final List<Thread> relays = new ArrayList<>();

    /**
     * @param environment variables for every child on top of this process' own (the stores, the secrets key)
     * @param serveArgs   the options after {@code serve} for every child (e.g. {@code --config FILE})
     */
    ConductorGroup(
            int count,
            String baseHostname,
            int basePort,
            Map<String, String> environment,
            List<String> serveArgs,
            PrintStream out) {
        this.count = count;
        this.baseHostname = baseHostname;
        this.basePort = basePort;
        this.environment = environment;
        this.serveArgs = serveArgs;
        this.out = out;
    }

    /** The hostname of conductor {@code i} (1-based). */
    String hostname(int i) {
        return baseHostname + "-" + i;
    }

    /** Starts every child, then waits until all have exited; returns 0 when each stopped cleanly. */
    int run(Runnable afterStop) throws IOException, InterruptedException {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stopAll();
                            afterStop.run();
                        },
                        "anvil-conductors-stop"));
        for (int i = 1; i <= count; i++) {
            children.add(start(i));
        }
        out.println("anvil: " + count + " conductors starting (" + hostname(1) + " .. " + hostname(count)
                + "); press Ctrl-C to stop them all");
        int worst = 0;
        for (int i = 0; i < children.size(); i++) {
            int code = children.get(i).waitFor();
            if (code != 0 && code != 130 && code != 143) {
                out.println("anvil: conductor " + hostname(i + 1) + " exited with status " + code);
                worst = Math.max(worst, code);
            }
        }
        return worst;
    }

    private Process start(int i) throws IOException {
        String name = hostname(i);
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // heap and system properties carry over; agents (debugger, coverage) belong to this process only
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent") && !arg.startsWith("-Xrunjdwp")) {
                command.add(arg);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(AnvilCommand.class.getName());
        command.add("serve");
        command.add("--port");
        command.add(String.valueOf(basePort == 0 ? 0 : basePort + i - 1));
        command.addAll(serveArgs);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        pb.environment().put("ANVIL_CONDUCTOR_HOSTNAME", name);
        Process p = pb.start();
        Thread relay = new Thread(() -> relay(name, p), "anvil-relay-" + name);
        relay.setDaemon(true);
        relay.start();
        relays.add(relay);
        return p;
    }

    private void relay(String name, Process p) {
        String prefix = "[" + name + "] ";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                out.println(prefix + line);
            }
        } catch (IOException e) {
            out.println(prefix + "(output closed: " + e.getMessage() + ")");
        }
    }

    /** SIGTERM to every child at once (each drains in parallel), then waits; a child that does not stop is killed. */
    private void stopAll() {
        for (Process p : children) {
            p.toHandle().destroy(); // SIGTERM through the handle: Process.destroy() would also close our pipe from it
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
        for (int i = 0; i < children.size(); i++) {
            Process p = children.get(i);
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    out.println("anvil: conductor " + hostname(i + 1) + " did not stop in " + STOP_WAIT_SECONDS
                            + " s; killing it");
                    p.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        for (Thread relay : relays) {
            try {
                relay.join(2_000); // their last lines ("stopped") before ours
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        out.println("anvil: all conductors stopped");
    }
}
