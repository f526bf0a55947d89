package io.anvil.conductor;

import io.anvil.lock.LockMode;
import io.anvil.lock.LockRequest;
import io.anvil.lock.WaitPolicy;
import java.time.Duration;

/**
 * How a task takes its node: mode, purpose (shown to others in NodeLocked errors), wait policy and whether
 * the request may use the reserved worker share. API calls wait a bounded time in the fair queue (where
 * Ironic retries 3 × 1 s and answers 409), hand-offs wait patiently, periodic tasks try once.
 */
public record TaskOptions(
        LockMode mode,
        String purpose,
        WaitPolicy waitPolicy,
        boolean allowReservedWorkers,
        boolean loadDriver,
        boolean unclaimWithWrite) {
    /** Ironic's node_locked_retry_attempts × node_locked_retry_interval. */
    public static final Duration API_WAIT = Duration.ofSeconds(3);

    public static TaskOptions exclusive(String purpose) {
        return new TaskOptions(LockMode.EXCLUSIVE, purpose, WaitPolicy.bounded(API_WAIT), true, true, false);
    }

    public static TaskOptions shared(String purpose) {
        return new TaskOptions(LockMode.SHARED, purpose, WaitPolicy.bounded(API_WAIT), true, true, false);
    }

    public TaskOptions patient() {
        return new TaskOptions(mode, purpose, WaitPolicy.patient(), allowReservedWorkers, loadDriver, unclaimWithWrite);
    }

    public TaskOptions tryOnce() {
        return new TaskOptions(mode, purpose, WaitPolicy.tryOnce(), allowReservedWorkers, loadDriver, unclaimWithWrite);
    }

    public TaskOptions bounded(Duration maxWait) {
        return new TaskOptions(
                mode, purpose, WaitPolicy.bounded(maxWait), allowReservedWorkers, loadDriver, unclaimWithWrite);
    }

    /** Heartbeats and periodic work: never the reserved share, so the API stays usable under their load. */
    public TaskOptions withoutReservedWorkers() {
        return new TaskOptions(mode, purpose, waitPolicy, false, loadDriver, unclaimWithWrite);
    }

    /** Ironic's load_driver=False: record edits that never call the hardware. */
    public TaskOptions withoutDriver() {
        return new TaskOptions(mode, purpose, waitPolicy, allowReservedWorkers, false, unclaimWithWrite);
    }

    /**
     * A short task (an API record edit) whose node writes also clear the row's reservation, so releasing it needs no
     * write of its own: one UPDATE (and one commit) less per change. The row shows no holder from that write until
     * the lock is released a moment later; the fence, not the reservation, is what protects the row.
     */
    public TaskOptions unclaimingWithWrite() {
        return new TaskOptions(mode, purpose, waitPolicy, allowReservedWorkers, loadDriver, true);
    }

    LockRequest lockRequest() {
        return new LockRequest(mode, waitPolicy, purpose);
    }
}
