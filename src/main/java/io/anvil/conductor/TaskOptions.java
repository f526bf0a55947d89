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
        LockMode mode, String purpose, WaitPolicy waitPolicy, boolean allowReservedWorkers, boolean loadDriver) {
    /** Ironic's node_locked_retry_attempts × node_locked_retry_interval. */
    public static final Duration API_WAIT = Duration.ofSeconds(3);

    public static TaskOptions exclusive(String purpose) {
        return new TaskOptions(LockMode.EXCLUSIVE, purpose, WaitPolicy.bounded(API_WAIT), true, true);
    }

    public static TaskOptions shared(String purpose) {
        return new TaskOptions(LockMode.SHARED, purpose, WaitPolicy.bounded(API_WAIT), true, true);
    }

    public TaskOptions patient() {
        return new TaskOptions(mode, purpose, WaitPolicy.patient(), allowReservedWorkers, loadDriver);
    }

    public TaskOptions tryOnce() {
        return new TaskOptions(mode, purpose, WaitPolicy.tryOnce(), allowReservedWorkers, loadDriver);
    }

    public TaskOptions bounded(Duration maxWait) {
        return new TaskOptions(mode, purpose, WaitPolicy.bounded(maxWait), allowReservedWorkers, loadDriver);
    }

    /** Heartbeats and periodic work: never the reserved share, so the API stays usable under their load. */
    public TaskOptions withoutReservedWorkers() {
        return new TaskOptions(mode, purpose, waitPolicy, false, loadDriver);
    }

    /** Ironic's load_driver=False: record edits that never call the hardware. */
    public TaskOptions withoutDriver() {
        return new TaskOptions(mode, purpose, waitPolicy, allowReservedWorkers, false);
    }

    LockRequest lockRequest() {
        return new LockRequest(mode, waitPolicy, purpose);
    }
}
