package io.anvil.ipmi.client.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The retransmit deadlines on one timer: expiry in deadline order, cancelled ones never run and leave the queue, and
 * a deadline earlier than the armed one is never held back by it. Each test runs on a worker context, as the client
 * does; a deadline held back behind a 60 s one would make its test time out.
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

    @Test
    void anEarlierDeadlineIsNotHeldBackByTheArmedOne(Vertx vertx, VertxTestContext test) throws Exception {
        Deadlines deadlines = new Deadlines(vertx);
        worker(vertx).runOnContext(v -> {
            deadlines.schedule(60_000, () -> test.failNow("a 60 s deadline ran"));
            deadlines.schedule(5, () -> {
                deadlines.close();
                test.completeNow();
            });
        });
        test.awaitCompletion(30, TimeUnit.SECONDS);
        assertTrue(test.completed(), "the 5 ms deadline waited for the 60 s one");
    }

    @Test
    void anActionThatSchedulesAgainDoesNotDelayTheNextDeadline(Vertx vertx, VertxTestContext test) throws Exception {
        Deadlines deadlines = new Deadlines(vertx);
        List<String> ran = new ArrayList<>();
        worker(vertx).runOnContext(v -> {
            // the first expiry schedules a far deadline (a retransmission's next try) while "b" is still pending
            deadlines.schedule(5, () -> {
                ran.add("a");
                deadlines.schedule(60_000, () -> test.failNow("a 60 s deadline ran"));
            });
            deadlines.schedule(
                    50,
                    () -> test.verify(() -> {
                        assertEquals(List.of("a"), ran);
                        deadlines.close();
                        test.completeNow();
                    }));
        });
        test.awaitCompletion(30, TimeUnit.SECONDS);
        assertTrue(test.completed(), "the 50 ms deadline waited for the 60 s one scheduled before it expired");
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
