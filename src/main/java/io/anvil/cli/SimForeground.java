package io.anvil.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the simulator commands ({@code anvil sim bmc}, {@code anvil sim redfish}) share: starting a fleet, saying what
 * it costs, and running in the foreground until Ctrl-C, then closing it in order. Called from the command's main
 * thread only ({@link MainThread}).
 */
final class SimForeground {
    private SimForeground() {}

    /** One thing to close at Ctrl-C, given at most {@code seconds}. */
    record Closing(Supplier<Future<?>> close, long seconds) {}

    /** The fleet {@code starting} brings up, or null once it printed why it failed and closed {@code vertx}. */
    static <F> F start(String command, Vertx vertx, Future<F> starting, long seconds) {
        try {
            return MainThread.waitFor(starting, seconds);
        } catch (Exception e) {
            System.err.println(command + ": failed to start: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
            vertx.close();
            return null;
        }
    }

    /** Heap in use after a collection, in MiB: what the started fleet holds. */
    static long heapUsedMb() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    /** Blocks until Ctrl-C; the shutdown hook closes {@code closings} in order, then prints {@code stoppedLine}. */
    static void runUntilStopped(String command, List<Closing> closings, Supplier<String> stoppedLine)
            throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                for (Closing c : closings) {
                    MainThread.waitFor(c.close().get(), c.seconds());
                }
            } catch (Exception e) {
                System.err.println(command + ": unclean stop: " + e);
            }
            System.out.println(stoppedLine.get());
            stopped.countDown();
        }));
        while (!stopped.await(1, TimeUnit.HOURS)) {
            // run until the shutdown hook has finished
        }
    }
}
