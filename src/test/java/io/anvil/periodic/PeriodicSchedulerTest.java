package io.anvil.periodic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler alone, on Vert.x timers: overlap, caps, overruns, stop, configuration, collection. */
class PeriodicSchedulerTest {
    private Vertx vertx;
    private PeriodicScheduler scheduler;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (scheduler != null) {
            scheduler.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private PeriodicScheduler scheduler(Map<String, ?> settings, int cap) {
        scheduler = new PeriodicScheduler(vertx, PeriodicSettings.of(settings), cap, Duration.ofSeconds(5));
        return scheduler;
    }

    private <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private void delay(long ms) throws Exception {
        await(Future.<Void>future(p -> vertx.setTimer(ms, id -> p.complete())));
    }

    private void eventually(String what, BooleanSupplier c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            delay(10);
        }
    }

    /** Work that takes {@code ms} on a timer and tracks concurrency. */
    static final class Gauge {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();
        final AtomicInteger runs = new AtomicInteger();

        Future<Void> work(Vertx vertx, long ms) {
            max.accumulateAndGet(running.incrementAndGet(), Math::max);
            Promise<Void> p = Promise.promise();
            vertx.setTimer(ms, id -> {
                running.decrementAndGet();
                runs.incrementAndGet();
                p.complete();
            });
            return p.future();
        }
    }

    static final class Slow {
        final Gauge gauge = new Gauge();
        Vertx vertx;

        @Periodic(spacing = "20ms", name = "slow")
        Future<Void> slow() {
            return gauge.work(vertx, 120);
        }
    }

    @Test
    void aSlowTaskNeverOverlapsItselfAndEachOverrunIsCounted() throws Exception {
        Slow slow = new Slow();
        slow.vertx = vertx;
        scheduler(Map.of(), 8).register(slow).start();
        eventually("three slow runs", () -> slow.gauge.runs.get() >= 3);
        assertEquals(1, slow.gauge.max.get(), "a run started while the previous one was still running");
        PeriodicScheduler.TaskInfo info = scheduler.task("slow");
        assertTrue(info.overruns() >= 3, "each 120 ms run overran its 20 ms spacing: " + info.overruns());
        assertEquals(info.runs(), info.overruns(), "every completed run overran");
    }

    static final class Quick {
        final AtomicInteger runs = new AtomicInteger();

        @Periodic(spacing = "30ms", name = "quick")
        Future<Void> quick() {
            runs.incrementAndGet();
            return Future.succeededFuture();
        }
    }

    @Test
    void aRunWithinItsSpacingIsNoOverrun() throws Exception {
        Quick q = new Quick();
        scheduler(Map.of(), 8).register(q).start();
        eventually("three quick runs", () -> q.runs.get() >= 3);
        assertEquals(0, scheduler.task("quick").overruns());
        assertTrue(scheduler.task("quick").runs() >= 3);
    }

    static final class Many {
        final Gauge gauge = new Gauge();
        Vertx vertx;

        @Periodic(spacing = "10ms", name = "p1")
        Future<Void> p1() {
            return gauge.work(vertx, 60);
        }

        @Periodic(spacing = "10ms", name = "p2")
        Future<Void> p2() {
            return gauge.work(vertx, 60);
        }

        @Periodic(spacing = "10ms", name = "p3")
        Future<Void> p3() {
            return gauge.work(vertx, 60);
        }

        @Periodic(spacing = "10ms", name = "p4")
        Future<Void> p4() {
            return gauge.work(vertx, 60);
        }
    }

    @Test
    void parallelTasksRunUnderTheGlobalCap() throws Exception {
        Many many = new Many();
        many.vertx = vertx;
        scheduler(Map.of(), 2).register(many).start();
        eventually("twelve runs", () -> many.gauge.runs.get() >= 12);
        assertEquals(2, many.gauge.max.get(), "four parallel tasks with a cap of 2 must run exactly 2 at a time");
        for (String n : new String[] {"p1", "p2", "p3", "p4"}) {
            eventually(n + " ran", () -> scheduler.task(n).runs() > 0);
        }
    }

    static final class Serial {
        final Gauge gauge = new Gauge();
        Vertx vertx;

        @Periodic(spacing = "10ms", parallel = false, name = "s1")
        Future<Void> s1() {
            return gauge.work(vertx, 40);
        }

        @Periodic(spacing = "10ms", parallel = false, name = "s2")
        Future<Void> s2() {
            return gauge.work(vertx, 40);
        }
    }

    @Test
    void nonParallelTasksTakeTurns() throws Exception {
        Serial serial = new Serial();
        serial.vertx = vertx;
        scheduler(Map.of(), 8).register(serial).start();
        eventually(
                "both serial tasks ran twice",
                () -> scheduler.task("s1").runs() >= 2 && scheduler.task("s2").runs() >= 2);
        assertEquals(1, serial.gauge.max.get(), "serial tasks overlapped");
    }

    static final class Stoppable {
        final AtomicInteger runs = new AtomicInteger();
        final AtomicBoolean sawStopping = new AtomicBoolean();
        final AtomicBoolean finished = new AtomicBoolean();
        Vertx vertx;
        volatile boolean slow;

        @Periodic(spacing = "15ms", name = "stoppable")
        Future<Void> run(PeriodicContext ctx) {
            runs.incrementAndGet();
            if (!slow) {
                return Future.succeededFuture();
            }
            Promise<Void> p = Promise.promise();
            // a long run that notices the stop signal and ends
            long timer = vertx.setPeriodic(5, id -> {
                if (ctx.stopping()) {
                    vertx.cancelTimer(id);
                    sawStopping.set(true);
                    vertx.setTimer(50, x -> {
                        finished.set(true);
                        p.complete();
                    });
                }
            });
            return p.future();
        }
    }

    @Test
    void stopWaitsForTheRunningTaskAndNothingRunsAfterwards() throws Exception {
        Stoppable s = new Stoppable();
        s.vertx = vertx;
        scheduler(Map.of(), 8).register(s).start();
        eventually("three runs", () -> s.runs.get() >= 3);
        s.slow = true;
        int before = s.runs.get();
        eventually(
                "a slow run in progress",
                () -> s.runs.get() > before && scheduler.task("stoppable").running());
        await(scheduler.stop());
        assertTrue(s.sawStopping.get(), "the running task saw stopping()");
        assertTrue(s.finished.get(), "stop completed before the running task finished");
        int atStop = s.runs.get();
        delay(150);
        assertEquals(atStop, s.runs.get(), "a run started after stop");
        assertFalse(scheduler.task("stoppable").running());
    }

    static final class Configured {
        @Periodic(spacing = "test.interval", enabled = "test.on", name = "off_by_flag")
        Future<Void> a() {
            return Future.succeededFuture();
        }

        @Periodic(spacing = "test.interval", enabled = "test.timeout", name = "on_by_timeout")
        Future<Void> b() {
            return Future.succeededFuture();
        }

        @Periodic(spacing = "test.zero", name = "off_by_zero_spacing")
        Future<Void> c() {
            return Future.succeededFuture();
        }

        @Periodic(spacing = "test.interval", enabled = "test.no_timeout", name = "off_by_zero_timeout")
        Future<Void> d() {
            return Future.succeededFuture();
        }

        @Periodic(spacing = "150ms", name = "literal")
        Future<Void> e() {
            return Future.succeededFuture();
        }
    }

    @Test
    void spacingAndEnabledComeFromConfiguration() {
        scheduler(
                        Map.of(
                                "test.interval",
                                0.25,
                                "test.on",
                                false,
                                "test.timeout",
                                1800,
                                "test.zero",
                                0,
                                "test.no_timeout",
                                0),
                        8)
                .register(new Configured());
        assertEquals(Set.of("on_by_timeout", "literal"), scheduler.tasks().keySet());
        assertEquals(Duration.ofMillis(250), scheduler.task("on_by_timeout").spacing());
        assertEquals(Duration.ofMillis(150), scheduler.task("literal").spacing());
        assertEquals(
                Set.of("off_by_flag", "off_by_zero_spacing", "off_by_zero_timeout"), Set.copyOf(scheduler.disabled()));
    }

    static final class Typo {
        @Periodic(spacing = "conductor.no_such_interval")
        Future<Void> a() {
            return Future.succeededFuture();
        }
    }

    static final class NotAFuture {
        @Periodic(spacing = "1s")
        void a() {}
    }

    @Test
    void unknownSettingsAndBadSignaturesAreRejectedAtCollection() {
        assertThrows(
                IllegalArgumentException.class, () -> scheduler(Map.of(), 8).register(new Typo()));
        assertThrows(
                IllegalArgumentException.class, () -> scheduler(Map.of(), 8).register(new NotAFuture()));
    }

    @Test
    void tasksAreCollectedOncePerClass() {
        Quick first = new Quick();
        scheduler(Map.of(), 8).register(first).register(new Quick()).registerAll(java.util.List.of(new Quick()));
        assertEquals(1, scheduler.tasks().size());
        assertSame(first, scheduler.task("quick").target(), "the first instance of a class is the one that runs");
    }

    @Test
    void durationsParse() {
        assertEquals(
                Duration.ofMillis(200), PeriodicSettings.parseDuration("200ms").orElseThrow());
        assertEquals(
                Duration.ofSeconds(120), PeriodicSettings.parseDuration("120").orElseThrow());
        assertEquals(
                Duration.ofMillis(500), PeriodicSettings.parseDuration("0.5s").orElseThrow());
        assertEquals(Duration.ofMinutes(5), PeriodicSettings.parseDuration("5m").orElseThrow());
        assertTrue(PeriodicSettings.parseDuration("conductor.sync_power_state_interval")
                .isEmpty());
    }
}
