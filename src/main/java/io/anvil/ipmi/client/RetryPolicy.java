package io.anvil.ipmi.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Retransmission schedule of one request (docs/ipmi.md#retransmits): try 1 waits {@code firstTimeout}, every further
 * try waits {@code increment} longer, {@code maxTries} in total. The ipmitool-compatible default is
 * 1 s, +1 s, 4 tries (worst case 1+2+3+4 = 10 s). Every retransmission is a new datagram with a fresh
 * session sequence number and the same rqSeq, so a late answer to an earlier try still completes it.
 */
public record RetryPolicy(Duration firstTimeout, Duration increment, int maxTries) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 4);

    public RetryPolicy {
        Objects.requireNonNull(firstTimeout, "firstTimeout");
        Objects.requireNonNull(increment, "increment");
        if (firstTimeout.toMillis() < 1 || increment.isNegative() || maxTries < 1) {
            throw new IllegalArgumentException("retry policy needs a timeout ≥ 1 ms, increment ≥ 0, tries ≥ 1");
        }
    }

    public static RetryPolicy of(long firstMillis, long incrementMillis, int maxTries) {
        return new RetryPolicy(Duration.ofMillis(firstMillis), Duration.ofMillis(incrementMillis), maxTries);
    }

    /** Time to wait for an answer to try {@code n} (1-based). */
    public long timeoutMillis(int n) {
        return firstTimeout.toMillis() + (long) (n - 1) * increment.toMillis();
    }

    /** Longest time one request can take before it times out. */
    public long worstCaseMillis() {
        long total = 0;
        for (int n = 1; n <= maxTries; n++) {
            total += timeoutMillis(n);
        }
        return total;
    }
}
