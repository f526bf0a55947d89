package io.anvil.ipmi.client.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The retransmit deadlines on one timer: expiry in deadline order, cancelled ones never run and leave the queue, and
 * a deadline earlier than the armed one is never held back by it. Each test runs on a worker context, as the client
 * does.
 */
@ExtendWith(VertxExtension.class)
class DeadlinesTest {

    private static Context worker(Vertx vertx) {
        return ((io.vertx.core.internal.VertxInternal) vertx).createWorkerContext();
    }

    @Test
    void expireInDeadlineOrderAndCancelledOnesNeverRun(Vertx vertx, VertxTestContext test) {
        Deadlines deadlines = new Deadlines(vertx);
        List<String> ran = new ArrayList<>();
        worker(vertx).runOnContext(v -> {
            deadlines.schedule(30, () -> ran.add("a"));
            deadlines.schedule(10, () -> ran.add("b"));
            deadlines.schedule(20, () -> ran.add("c")).cancel();
            deadlines.schedule(
                    40,
                    () -> test.verify(() -> {
                        assertEquals(List.of("b", "a"), ran);
                        assertEquals(0, deadlines.queued(), "nothing left: the cancelled one was dropped on the way");
                        test.completeNow();
                    }));
        });
    }

    /**
     * A marker: a plain Vert.x timer on the same worker context, due after the near deadline and long before the far
     * one. Timers of one context fire in the order they are due, so a near deadline that Deadlines armed for itself
     * fires ahead of the marker on any machine, however busy; one held back behind the far deadline fires after it.
     * The test checks that order when the marker fires.
     */
    private static void expectBeforeMarker(Vertx vertx, VertxTestContext test, Deadlines deadlines, List<String> ran) {
        vertx.setTimer(
                MARKER_DUE_MS,
                id -> test.verify(() -> {
                    assertEquals(
                            List.of("near"), ran, "order: the near deadline, then the marker, the far one not yet");
                    deadlines.close();
                    test.completeNow();
                }));
    }

    /** When the marker is due: any point after the near deadline (≤ 50) and before the far one (60,000). */
    private static final long MARKER_DUE_MS = 1_000;

    @Test
    void anEarlierDeadlineIsNotHeldBackByTheArmedOne(Vertx vertx, VertxTestContext test) {
        Deadlines deadlines = new Deadlines(vertx);
        List<String> ran = new ArrayList<>();
        worker(vertx).runOnContext(v -> {
            deadlines.schedule(60_000, () -> ran.add("far"));
            deadlines.schedule(5, () -> ran.add("near"));
            expectBeforeMarker(vertx, test, deadlines, ran);
        });
    }

    @Test
    void anActionThatSchedulesAgainDoesNotDelayTheNextDeadline(Vertx vertx, VertxTestContext test) {
        Deadlines deadlines = new Deadlines(vertx);
        List<String> ran = new ArrayList<>();
        worker(vertx).runOnContext(v -> {
            // the first expiry schedules a far deadline (a retransmission's next try) while "near" is still pending
            deadlines.schedule(5, () -> deadlines.schedule(60_000, () -> ran.add("far")));
            deadlines.schedule(50, () -> ran.add("near"));
            expectBeforeMarker(vertx, test, deadlines, ran);
        });
    }

    @Test
    void manyCancelledDeadlinesLeaveNothingBehind(Vertx vertx, VertxTestContext test) {
        Deadlines deadlines = new Deadlines(vertx);
        worker(vertx).runOnContext(v -> {
            List<Deadlines.Deadline> answered = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                answered.add(deadlines.schedule(10, () -> test.failNow("a cancelled deadline ran")));
            }
            answered.forEach(Deadlines.Deadline::cancel);
            deadlines.schedule(
                    20,
                    () -> test.verify(() -> {
                        assertEquals(0, deadlines.queued());
                        test.completeNow();
                    }));
        });
    }
}
