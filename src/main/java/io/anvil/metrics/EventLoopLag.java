package io.anvil.metrics;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How late each Vert.x event loop runs a task it was asked to run at a fixed rate: a loop held by one long turn
 * (a blocking call, a large result processed at once) runs its probe late by about that turn's length. Vert.x's
 * blocked-thread checker only warns past {@code maxEventLoopExecuteTime} (2 s); this series shows the turns below
 * that too (docs/operations.md#metrics, docs/scale-out.md#memory).
 */
public final class EventLoopLag implements AutoCloseable {
    /** Probe period: the probe's own cost stays negligible, lags shorter than this are not seen. */
    static final long PERIOD_MS = 20;
    /** A turn at least this long counts as a stall. */
    static final long STALL_MS = 100;

    private final AtomicLong maxNanos = new AtomicLong();
    private final AtomicLong stalls = new AtomicLong();
    private final List<ScheduledFuture<?>> probes = new ArrayList<>();

    private EventLoopLag() {}

    /** Starts one probe on every event loop of {@code vertx} and binds the series to {@code metrics}. */
    public static EventLoopLag start(Vertx vertx, AnvilMetrics metrics) {
        EventLoopLag lag = new EventLoopLag();
        for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
            long[] last = {System.nanoTime()};
            lag.probes.add(loop.scheduleAtFixedRate(
                    () -> {
                        long now = System.nanoTime();
                        lag.record(now - last[0] - TimeUnit.MILLISECONDS.toNanos(PERIOD_MS));
                        last[0] = now;
                    },
                    PERIOD_MS,
                    PERIOD_MS,
                    TimeUnit.MILLISECONDS));
        }
        metrics.gauge(
                "anvil.event_loop.lag.max.seconds",
                "the longest an event loop ran its probe late since start: about its longest turn",
                lag,
                l -> l.maxNanos.get() / 1e9);
        metrics.counter(
                "anvil.event_loop.stalls",
                "probes run at least 100 ms late: event-loop turns of 100 ms or more",
                lag,
                l -> l.stalls.get());
        return lag;
    }

    private void record(long lateNanos) {
        if (lateNanos <= 0) {
            return;
        }
        maxNanos.accumulateAndGet(lateNanos, Math::max);
        if (lateNanos >= TimeUnit.MILLISECONDS.toNanos(STALL_MS)) {
            stalls.incrementAndGet();
        }
    }

    /** The longest lag seen since start, in milliseconds. */
    public double maxMillis() {
        return maxNanos.get() / 1e6;
    }

    /** Probes run at least {@link #STALL_MS} late. */
    public long stalls() {
        return stalls.get();
    }

    @Override
    public void close() {
        probes.forEach(p -> p.cancel(false));
    }
}
