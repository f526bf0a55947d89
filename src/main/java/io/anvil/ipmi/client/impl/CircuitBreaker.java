package io.anvil.ipmi.client.impl;

/**
 * Per-BMC circuit breaker, a plain state machine over an injected clock (nanoseconds):
 * <pre>
 * CLOSED --threshold consecutive failures--> OPEN --cool-down elapsed, next operation--> HALF_OPEN (one probe)
 * HALF_OPEN --probe succeeds--> CLOSED            HALF_OPEN --probe fails--> OPEN (new cool-down)
 * </pre>
 * A threshold of 0 disables it. Not thread-safe: owned by one governor on the client's context.
 */
final class CircuitBreaker {

    enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    /** What the governor should do with the next operation. */
    enum Decision {
        ALLOW,
        REJECT,
        WAIT
    }

    private final int threshold;
    private final long cooldownNanos;
    private volatile State state = State.CLOSED;
    private int consecutiveFailures;
    private long openedAt;
    private boolean probeInFlight;

    CircuitBreaker(int threshold, long cooldownNanos) {
        this.threshold = threshold;
        this.cooldownNanos = cooldownNanos;
    }

    /**
     * ALLOW: run it (if this moved OPEN → HALF_OPEN, it is the probe). REJECT: fail it fast.
     * WAIT: a probe is running; keep it queued until the probe's outcome is known.
     */
    Decision decide(long now) {
        switch (state) {
            case CLOSED:
                return Decision.ALLOW;
            case OPEN:
                if (now - openedAt < cooldownNanos) {
                    return Decision.REJECT;
                }
                state = State.HALF_OPEN;
                probeInFlight = true;
                return Decision.ALLOW;
            default:
                if (probeInFlight) {
                    return Decision.WAIT;
                }
                probeInFlight = true;
                return Decision.ALLOW;
        }
    }

    /** Fail-fast check at submission time: true while OPEN and cooling down. */
    boolean rejectsNow(long now) {
        return state == State.OPEN && now - openedAt < cooldownNanos;
    }

    long retryAfterNanos(long now) {
        return state == State.OPEN ? Math.max(0, openedAt + cooldownNanos - now) : 0;
    }

    void onSuccess() {
        consecutiveFailures = 0;
        probeInFlight = false;
        state = State.CLOSED;
    }

    /** @return true if this failure opened the circuit */
    boolean onFailure(long now) {
        if (threshold <= 0) {
            return false;
        }
        if (state == State.HALF_OPEN) {
            probeInFlight = false;
            open(now);
            return true;
        }
        if (state == State.CLOSED && ++consecutiveFailures >= threshold) {
            open(now);
            return true;
        }
        return false;
    }

    private void open(long now) {
        state = State.OPEN;
        openedAt = now;
        consecutiveFailures = 0;
    }

    State state() {
        return state;
    }
}
