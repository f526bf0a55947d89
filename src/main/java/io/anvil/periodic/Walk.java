package io.anvil.periodic;

import io.anvil.conductor.TaskOptions;

/**
 * How {@link NodeIterator#forEach} takes and paces nodes. Locks are always try-once (a locked node is skipped, never
 * waited for) and never use the reserved worker share, so periodic work cannot starve the API.
 *
 * @param lock        shared (default, Ironic's {@code shared_task=True}) or exclusive, with its purpose
 * @param concurrency nodes visited at the same time in this walk (1 = one after the other)
 * @param limit       stop after this many visits (0 = no limit)
 * @param onlyFor     a hardware-interface implementation: visit only nodes whose driver uses exactly its class
 *                    (Ironic's {@code type(task.driver.<iface>) is type(self)}); null = every node
 */
public record Walk(TaskOptions lock, int concurrency, int limit, Object onlyFor) {
    public Walk {
        lock = lock.tryOnce().withoutReservedWorkers();
        if (concurrency < 1 || limit < 0) {
            throw new IllegalArgumentException("concurrency must be >= 1 and limit >= 0");
        }
    }

    public static Walk shared(String purpose) {
        return new Walk(TaskOptions.shared(purpose), 1, 0, null);
    }

    public static Walk exclusive(String purpose) {
        return new Walk(TaskOptions.exclusive(purpose), 1, 0, null);
    }

    public Walk concurrency(int n) {
        return new Walk(lock, n, limit, onlyFor);
    }

    public Walk limit(int n) {
        return new Walk(lock, concurrency, n, onlyFor);
    }

    public Walk onlyFor(Object interfaceImplementation) {
        return new Walk(lock, concurrency, limit, interfaceImplementation);
    }

    /** Ironic's load_driver=False, for walks that only edit records. */
    public Walk withoutDriver() {
        return new Walk(lock.withoutDriver(), concurrency, limit, onlyFor);
    }
}
