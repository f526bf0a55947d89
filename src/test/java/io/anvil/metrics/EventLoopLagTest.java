package io.anvil.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event-loop probe sees a long turn on a loop and counts it as a stall, in its series too. */
class EventLoopLagTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        Conditions.result(vertx.close(), Duration.ofSeconds(10));
    }

    @Test
    void aTurnOf150msShowsAsAStall() {
        MicrometerMetrics metrics = new MicrometerMetrics();
        try (EventLoopLag lag = EventLoopLag.start(vertx, metrics)) {
            // a busy machine may already have stalled the loop: count from here
            long before = lag.stalls();
            // one event-loop turn that holds its loop for 150 ms (a deliberate busy turn, what the probe must see)
            vertx.runOnContext(v -> {
                long end = System.nanoTime() + Duration.ofMillis(150).toNanos();
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
            Conditions.await(
                    vertx,
                    "a stall is counted",
                    Duration.ofSeconds(10),
                    Duration.ofMillis(20),
                    () -> lag.stalls() > before);
            assertTrue(lag.maxMillis() >= 100, "max lag " + lag.maxMillis() + " ms");
            String text = metrics.scrape();
            assertTrue(text.contains("anvil_event_loop_stalls_total"), text);
            assertTrue(text.contains("anvil_event_loop_lag_max_seconds"), text);
        } finally {
            metrics.close();
        }
    }
}
