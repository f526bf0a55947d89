package io.anvil.conductor;

import io.anvil.lock.NodeLockService;

/** The conductor services the API calls, wired once by the composition root. */
public record Conductor(TaskManager tasks, Provisioning provisioning, PowerActions power) {
    public NodeLockService locks() {
        return tasks.locks();
    }
}
