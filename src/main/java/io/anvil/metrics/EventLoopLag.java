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
 * that too (docs/operations.md#metrics, docs/scale-out.md#the-event-loop).
 */
public final class EventLoopLag implements AutoCloseable {
    /** Probe period: the probe's own cost stays negligible, lags shorter than this are not seen. */
    static final long PERIOD_MS = 20;
    /** A turn at least this long counts as a stall; the longer thresholds count separately. */
    static final long STALL_MS = 100;

    static final long[] THRESHOLDS_MS = {STALL_MS, 500, 2000};

    private final AtomicLong maxNanos = new AtomicLong();
    private final AtomicLong[] over = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
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
        for (int i = 0; i < THRESHOLDS_MS.length; i++) {
            int k = i;
            metrics.counter(
                    "anvil.event_loop.stalls",
                    "probes run at least `over` seconds late: event-loop turns at least that long",
                    lag,
                    l -> l.over[k].get(),
                    "over",
                    Double.toString(THRESHOLDS_MS[i] / 1000.0));
        }
        return lag;
    }

    private void record(long lateNanos) {
        if (lateNanos <= 0) {
            return;
        }
        maxNanos.accumulateAndGet(lateNanos, Math::max);
        for (int i = 0; i < THRESHOLDS_MS.length; i++) {
            if (lateNanos >= TimeUnit.MILLISECONDS.toNanos(THRESHOLDS_MS[i])) {
                over[i].incrementAndGet();
            }
        }
    }

    /** The longest lag seen since start, in milliseconds. */
    public double maxMillis() {
        return maxNanos.get() / 1e6;
    }

    /** Probes run at least {@link #STALL_MS} late. */
    public long stalls() {
        return over[0].get();
    }

    /** Probes run at least 0.1, 0.5 and 2 s late ({@link #THRESHOLDS_MS}). */
    public long[] stallCounts() {
        return new long[] {over[0].get(), over[1].get(), over[2].get()};
    }

    @Override
    public void close() {
        probes.forEach(p -> p.cancel(false));
    }
}
