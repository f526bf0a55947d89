package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The holes a read leaves, in which order they come up for their look-up, and the bound on how many wait. No time
 * passes here: every call is handed the reading of a clock the test makes up ({@code T0}, {@code T0 + HOLD}, …).
 */
class GapAuditTest {
    /** The audit's hold, in the made-up clock's units. */
    private static final long HOLD = 1_000;

    private static final long T0 = 0;

    private static FeedEvent event(long seq) {
        return new FeedEvent(seq, "baremetal.node.update.end", "info", null, "c1", null, new JsonObject());
    }

    @Test
    void theNumbersAReadFoundNoEventComeUpInOrderOnceTheClockReachesTheirHold() {
        GapAudit audit = new GapAudit(HOLD);
        audit.passed(10, 16, List.of(event(12), event(13), event(15)), T0);
        audit.passed(16, 18, List.of(), T0 + 500);
        assertEquals(List.of(), audit.due(T0 + HOLD - 1, 100), "the clock one short of the first hold: none");
        assertEquals(List.of(11L, 14L, 16L), audit.due(T0 + HOLD, 100));
        assertEquals(List.of(17L), audit.due(T0 + 500 + HOLD, 1), "max caps one batch");
        assertEquals(List.of(18L), audit.due(T0 + 500 + HOLD, 100));
        assertEquals(0, audit.waiting());
    }

    @Test
    void aFailedLookUpIsRetriedFirst() {
        GapAudit audit = new GapAudit(HOLD);
        audit.passed(0, 4, List.of(event(2)), T0);
        List<Long> due = audit.due(T0 + HOLD, 2);
        assertEquals(List.of(1L, 3L), due);
        audit.retry(due, T0 + HOLD);
        assertEquals(List.of(1L, 3L, 4L), audit.due(T0 + HOLD, 100));
    }

    @Test
    void pastTheBoundTheOldestHolesAreDroppedAndCounted() {
        GapAudit audit = new GapAudit(HOLD);
        audit.passed(0, 10, List.of(), T0);
        audit.passed(10, 10 + GapAudit.MAX_HOLES + 5, List.of(), T0);
        assertEquals(GapAudit.MAX_HOLES, audit.waiting());
        assertEquals(15, audit.unchecked());
        assertEquals(List.of(16L), audit.due(T0 + HOLD, 1), "the newest MAX_HOLES are kept");
    }
}
