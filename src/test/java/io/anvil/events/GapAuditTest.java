package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The holes a read leaves, when they fall due, and the bound on how many wait. */
class GapAuditTest {
    private static final long DELAY = 1_000;

    private static FeedEvent event(long seq) {
        return new FeedEvent(seq, "baremetal.node.update.end", "info", null, "c1", null, new JsonObject());
    }

    @Test
    void theNumbersAReadFoundNoEventForFallDueAfterTheDelayInOrder() {
        GapAudit audit = new GapAudit(DELAY);
        audit.passed(10, 16, List.of(event(12), event(13), event(15)), 0);
        audit.passed(16, 18, List.of(), 500);
        assertEquals(List.of(), audit.due(DELAY - 1, 100), "none due before the delay");
        assertEquals(List.of(11L, 14L, 16L), audit.due(DELAY, 100));
        assertEquals(List.of(17L), audit.due(DELAY + 500, 1), "at most max");
        assertEquals(List.of(18L), audit.due(DELAY + 500, 100));
        assertEquals(0, audit.waiting());
    }

    @Test
    void aFailedLookUpIsRetriedFirst() {
        GapAudit audit = new GapAudit(DELAY);
        audit.passed(0, 4, List.of(event(2)), 0);
        List<Long> due = audit.due(DELAY, 2);
        assertEquals(List.of(1L, 3L), due);
        audit.retry(due, DELAY);
        assertEquals(List.of(1L, 3L, 4L), audit.due(DELAY, 100));
    }

    @Test
    void pastTheBoundTheOldestHolesAreDroppedAndCounted() {
        GapAudit audit = new GapAudit(DELAY);
        audit.passed(0, 10, List.of(), 0);
        audit.passed(10, 10 + GapAudit.MAX_HOLES + 5, List.of(), 0);
        assertEquals(GapAudit.MAX_HOLES, audit.waiting());
        assertEquals(15, audit.unchecked());
        assertEquals(List.of(16L), audit.due(DELAY, 1), "the newest MAX_HOLES are kept");
    }
}
