package io.anvil.conductor;

import io.anvil.lock.NodeLockService;

/** The conductor services the API calls, wired once by the composition root. */
public record Conductor(TaskManager tasks, Provisioning provisioning, PowerActions power) {
    /** Allocations processed by this conductor (its id recorded as their conductor_affinity). */
    public Allocations allocations() {
        return new Allocations(tasks, provisioning.conductorId());
    }

    public NodeLockService locks() {
        return tasks.locks();
    }
}
