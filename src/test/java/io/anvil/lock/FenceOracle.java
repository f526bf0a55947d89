package io.anvil.lock;

/**
 * Stands in for the PostgreSQL fence column (docs/locks.md#fencing): claim with {@code lock_fence < f}, write with
 * {@code lock_fence = f}. A holder fenced out by a newer grant gets "0 rows".
 */
final class FenceOracle {
    private long fence;

    synchronized boolean claim(long f) {
        if (f <= fence) {
            return false;
        }
        fence = f;
        return true;
    }

    synchronized boolean write(long f) {
        return f == fence;
    }
}
