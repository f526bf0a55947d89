package io.anvil.lock;

import java.time.Duration;
import java.util.Objects;

/**
 * How long an acquire may wait.
 * <ul>
 *   <li>{@link #tryOnce()}: one attempt, never queues, so it can never get ahead of a queued waiter (periodic tasks);</li>
 *   <li>{@link #bounded(Duration)}: queues in FIFO order and leaves the queue at its deadline (API calls);</li>
 *   <li>{@link #patient()}: queues until granted (deploy and clean hand-offs).</li>
 * </ul>
 */
public record WaitPolicy(Kind kind, Duration maxWait) {
    public enum Kind {
        TRY_ONCE,
        BOUNDED,
        PATIENT
    }

    private static final WaitPolicy TRY_ONCE = new WaitPolicy(Kind.TRY_ONCE, Duration.ZERO);
    private static final WaitPolicy PATIENT = new WaitPolicy(Kind.PATIENT, null);

    public WaitPolicy {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.BOUNDED && (maxWait == null || maxWait.isNegative() || maxWait.isZero())) {
            throw new IllegalArgumentException("a bounded wait needs a positive duration");
        }
    }

    public static WaitPolicy tryOnce() {
        return TRY_ONCE;
    }

    public static WaitPolicy bounded(Duration maxWait) {
        return new WaitPolicy(Kind.BOUNDED, maxWait);
    }

    public static WaitPolicy patient() {
        return PATIENT;
    }

    public boolean queues() {
        return kind != Kind.TRY_ONCE;
    }
}
