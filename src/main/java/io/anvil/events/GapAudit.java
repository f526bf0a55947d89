package io.anvil.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The sequence numbers the feed passed without an event, to be looked up again a while later
 * (docs/events.md#the-gap-audit). Numbers are drawn before commit and a transaction that rolls back leaves its
 * numbers unused, so reads find holes. The horizon settles a number only once its transaction has ended, so a hole
 * must stay a hole: an event that shows up in one later was committed after the feed had passed it, and no live
 * subscriber got it. The reader counts and logs any such event. Bounded: past {@link #MAX_HOLES} waiting holes the
 * oldest are dropped unchecked (counted).
 */
final class GapAudit {
    static final int MAX_HOLES = 100_000;

    private record Hole(long seq, long dueNanos) {}

    private final long delayNanos;
    private final ArrayDeque<Hole> holes = new ArrayDeque<>();
    private long unchecked;

    GapAudit(long delayNanos) {
        this.delayNanos = delayNanos;
    }

    /** A read returned {@code events} (seq order) for the numbers in {@code (after, through]}; the others are holes. */
    void passed(long after, long through, List<FeedEvent> events, long nowNanos) {
        long next = after + 1;
        for (FeedEvent e : events) {
            addHoles(next, e.seq() - 1, nowNanos);
            next = e.seq() + 1;
        }
        addHoles(next, through, nowNanos);
    }

    private void addHoles(long from, long to, long nowNanos) {
        if (to < from) {
            return;
        }
        if (to - from >= MAX_HOLES) {
            unchecked += to - from + 1 - MAX_HOLES;
            from = to - MAX_HOLES + 1;
        }
        for (long seq = from; seq <= to; seq++) {
            if (holes.size() >= MAX_HOLES) {
                holes.poll();
                unchecked++;
            }
            holes.add(new Hole(seq, nowNanos + delayNanos));
        }
    }

    /** Takes out the holes due for their look-up (oldest first, at most {@code max}). */
    List<Long> due(long nowNanos, int max) {
        List<Long> out = new ArrayList<>();
        while (out.size() < max && !holes.isEmpty() && holes.peek().dueNanos() - nowNanos <= 0) {
            out.add(holes.poll().seq());
        }
        return out;
    }

    /** Puts back holes whose look-up failed, to be looked up first next time. */
    void retry(List<Long> seqs, long nowNanos) {
        for (int i = seqs.size() - 1; i >= 0; i--) {
            holes.addFirst(new Hole(seqs.get(i), nowNanos));
        }
    }

    /** Holes waiting for their look-up. */
    int waiting() {
        return holes.size();
    }

    /** Holes dropped unchecked because too many were waiting. */
    long unchecked() {
        return unchecked;
    }
}
