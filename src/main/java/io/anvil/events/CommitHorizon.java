package io.anvil.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which sequence numbers are settled: no transaction still in flight can commit an event at or below them
 * (docs/events.md#ordering-and-resume). Sequence numbers are drawn before commit, so transactions commit them out of
 * order; a reader that moved its cursor past a number whose transaction had not committed yet would skip that event
 * forever.
 *
 * <p>Each observation is a mark: the last number drawn ({@code lastAssigned}), read <em>before</em> the set of
 * transactions in flight. A transaction draws its number only once it has its id (migration V5), so every
 * transaction holding a number up to {@code lastAssigned} had either ended or was in that set. Once none of the
 * set is still in flight, every number up to {@code lastAssigned} is settled: committed (visible to the next read)
 * or gone. The horizon is the highest settled mark; numbers above it wait.
 */
final class CommitHorizon {
    /** Marks waiting for their transactions; more than this keeps the oldest ones and replaces the newest. */
    private static final int MAX_MARKS = 64;

    private record Mark(long lastAssigned, Set<Long> inFlight) {}

    private final List<Mark> marks = new ArrayList<>();
    private long settled;

    CommitHorizon(long settled) {
        this.settled = settled;
    }

    /**
     * Records a mark and returns the (possibly advanced) horizon. {@code inFlight} is read after
     * {@code lastAssigned}, and is also what is in flight now for every older mark.
     */
    long observe(long lastAssigned, Set<Long> inFlight) {
        Mark mark = new Mark(lastAssigned, Set.copyOf(inFlight));
        if (lastAssigned > settled) {
            if (marks.size() >= MAX_MARKS) {
                marks.set(marks.size() - 1, mark);
            } else {
                marks.add(mark);
            }
        }
        long best = settled;
        for (Mark m : marks) {
            if (m.lastAssigned() > best && m.inFlight().stream().noneMatch(inFlight::contains)) {
                best = m.lastAssigned();
            }
        }
        if (best > settled) {
            settled = best;
            long s = settled;
            marks.removeIf(m -> m.lastAssigned() <= s);
        }
        return settled;
    }

    /** Some drawn numbers above the horizon wait for transactions to end: look again soon. */
    boolean waiting() {
        return !marks.isEmpty();
    }

    long settled() {
        return settled;
    }
}
