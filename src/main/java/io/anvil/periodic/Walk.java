package io.anvil.periodic;

/**
 * How {@link NodeWalker#forEach} takes and paces nodes. Locks are always try-once (a locked node is skipped, never
 * waited for) and never use the reserved worker share, so periodic work cannot starve the API.
 *
 * @param exclusive   false: a shared lock (default, Ironic's {@code shared_task=True}); true: an exclusive one
 * @param purpose     why the lock is taken (shown to others in NodeLocked errors)
 * @param loadDriver  false: Ironic's {@code load_driver=False}, for walks that only edit records
 * @param concurrency nodes visited at the same time in this walk (1 = one after the other)
 * @param limit       stop after this many visits (0 = no limit)
 * @param onlyFor     a hardware-interface implementation: visit only nodes whose driver uses exactly its class
 *                    (Ironic's {@code type(task.driver.<iface>) is type(self)}); null = every node
 * @param lockFree    true: no lock at all, the row is only read ({@link #lockFree})
 */
public record Walk(
        boolean exclusive,
        String purpose,
        boolean loadDriver,
        int concurrency,
        int limit,
        Object onlyFor,
        boolean lockFree) {
    public Walk {
        if (concurrency < 1 || limit < 0) {
            throw new IllegalArgumentException("concurrency must be >= 1 and limit >= 0");
        }
        if (exclusive && lockFree) {
            throw new IllegalArgumentException("an exclusive walk takes the lock");
        }
    }

    public static Walk shared(String purpose) {
        return new Walk(false, purpose, true, 1, 0, null, false);
    }

    /**
     * Reads each node without taking its lock (Ironic's shared task, which sets no reservation): a busy node is still
     * visited, so the visitor must re-check under {@code upgradeLock} before it acts. For read-mostly periodic work on
     * every node (power-state sync): it never delays a writer and costs the lock service nothing.
     */
    public static Walk lockFree(String purpose) {
        return new Walk(false, purpose, true, 1, 0, null, true);
    }

    public static Walk exclusive(String purpose) {
        return new Walk(true, purpose, true, 1, 0, null, false);
    }

    public Walk concurrency(int n) {
        return new Walk(exclusive, purpose, loadDriver, n, limit, onlyFor, lockFree);
    }

    public Walk limit(int n) {
        return new Walk(exclusive, purpose, loadDriver, concurrency, n, onlyFor, lockFree);
    }

    public Walk onlyFor(Object interfaceImplementation) {
        return new Walk(exclusive, purpose, loadDriver, concurrency, limit, interfaceImplementation, lockFree);
    }

    /** Ironic's load_driver=False, for walks that only edit records. */
    public Walk withoutDriver() {
        return new Walk(exclusive, purpose, false, concurrency, limit, onlyFor, lockFree);
    }
}
