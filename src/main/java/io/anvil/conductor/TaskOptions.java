package io.anvil.conductor;

import io.anvil.lock.LockMode;
import io.anvil.lock.LockRequest;
import io.anvil.lock.WaitPolicy;
import java.time.Duration;

/**
 * How a task takes its node: mode, purpose (shown to others in NodeLocked errors), wait policy and whether
 * the request may use the reserved worker share. API calls wait a bounded time in the fair queue (where
 * Ironic retries 3 × 1 s and answers 409), hand-offs wait patiently, periodic tasks try once. A {@code lockFree}
 * task takes no lock at all ({@link #lockFree}).
 */
public record TaskOptions(
        LockMode mode,
        String purpose,
        WaitPolicy waitPolicy,
        boolean allowReservedWorkers,
        boolean loadDriver,
        boolean unclaimWithWrite,
        boolean claimOnFirstWrite,
        boolean lockFree) {
    /** Ironic's node_locked_retry_attempts × node_locked_retry_interval. */
    public static final Duration API_WAIT = Duration.ofSeconds(3);

    public static TaskOptions exclusive(String purpose) {
        return new TaskOptions(
                LockMode.EXCLUSIVE, purpose, WaitPolicy.bounded(API_WAIT), true, true, false, false, false);
    }

    public static TaskOptions shared(String purpose) {
        return new TaskOptions(LockMode.SHARED, purpose, WaitPolicy.bounded(API_WAIT), true, true, false, false, false);
    }

    /**
     * Ironic's shared task as Ironic has it: the node row is read without taking the node's lock at all, so the task
     * delays no writer and costs the lock service nothing. Only for work that reads the hardware and re-checks under
     * {@link Task#upgradeLock} (which takes the exclusive lock and reads the row again) before it acts — the row read
     * here may change at any moment. Power-state sync uses it (docs/locks.md#wait-policies).
     */
    public static TaskOptions lockFree(String purpose) {
        return new TaskOptions(LockMode.SHARED, purpose, WaitPolicy.tryOnce(), true, true, false, false, true);
    }

    public TaskOptions patient() {
        return new TaskOptions(
                mode,
                purpose,
                WaitPolicy.patient(),
                allowReservedWorkers,
                loadDriver,
                unclaimWithWrite,
                claimOnFirstWrite,
                lockFree);
    }

    public TaskOptions tryOnce() {
        return new TaskOptions(
                mode,
                purpose,
                WaitPolicy.tryOnce(),
                allowReservedWorkers,
                loadDriver,
                unclaimWithWrite,
                claimOnFirstWrite,
                lockFree);
    }

    public TaskOptions bounded(Duration maxWait) {
        return new TaskOptions(
                mode,
                purpose,
                WaitPolicy.bounded(maxWait),
                allowReservedWorkers,
                loadDriver,
                unclaimWithWrite,
                claimOnFirstWrite,
                lockFree);
    }

    /** Heartbeats and periodic work: never the reserved share, so the API stays usable under their load. */
    public TaskOptions withoutReservedWorkers() {
        return new TaskOptions(
                mode, purpose, waitPolicy, false, loadDriver, unclaimWithWrite, claimOnFirstWrite, lockFree);
    }

    /** Ironic's load_driver=False: record edits that never call the hardware. */
    public TaskOptions withoutDriver() {
        return new TaskOptions(
                mode, purpose, waitPolicy, allowReservedWorkers, false, unclaimWithWrite, claimOnFirstWrite, lockFree);
    }

    /**
     * A short task (an API record edit) whose node writes also clear the row's reservation, so releasing it needs no
     * write of its own: one UPDATE (and one commit) less per change. The row shows no holder from that write until
     * the lock is released a moment later; the fence, not the reservation, is what protects the row.
     */
    public TaskOptions unclaimingWithWrite() {
        return new TaskOptions(
                mode, purpose, waitPolicy, allowReservedWorkers, loadDriver, true, claimOnFirstWrite, lockFree);
    }

    /**
     * An exclusive record edit of the node row alone, with no effect outside its own node write (maintenance, a
     * PATCH): the row is read under the lock but not claimed, and the first node write is the claim
     * ({@link NodeFence}): one UPDATE and one commit less per change. If the row changed between the read and that
     * write, nothing is written, the row is claimed and the work runs once more on the row as claimed — so the work
     * must be safe to run twice until it writes. Implies {@link #unclaimingWithWrite}.
     */
    public TaskOptions claimingOnFirstWrite() {
        if (mode != LockMode.EXCLUSIVE || lockFree) {
            throw new IllegalStateException("only an exclusive task writes the node");
        }
        return new TaskOptions(mode, purpose, waitPolicy, allowReservedWorkers, loadDriver, true, true, false);
    }

    LockRequest lockRequest() {
        return new LockRequest(mode, waitPolicy, purpose);
    }
}
