package io.anvil.lock;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of one node's lock, for {@code GET /v1/nodes/{id}/lock} and diagnostics.
 *
 * @param exclusive   the exclusive holder, or null
 * @param shared      live shared holders
 * @param queue       the first waiters in ticket (grant) order, live ones only
 * @param queueLength every queued waiter, including ones not yet pruned
 * @param lastFence   the node's counter (last fence or ticket handed out), 0 if none
 */
public record LockInfo(
        String nodeUuid, Holder exclusive, List<Holder> shared, List<Waiter> queue, int queueLength, long lastFence) {

    public boolean isFree() {
        return exclusive == null && shared.isEmpty();
    }

    /** A holder: owner, purpose, fence, how long it has held the node and how long its lease still runs. */
    public record Holder(String owner, LockMode mode, String purpose, long fence, Duration age, Duration ttl) {}

    /** A queued waiter: position 0 is the head. */
    public record Waiter(String owner, LockMode mode, String purpose, long ticket, int position, Duration waited) {}
}
