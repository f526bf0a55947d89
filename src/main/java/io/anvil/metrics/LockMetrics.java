package io.anvil.metrics;

/**
 * Events of the node lock service the lock's own counters ({@code io.anvil.lock.LockStats}, bound as counters) do not
 * capture: how long queued acquires waited, how quickly a released lock reached the next waiter, and queue lengths.
 */
public interface LockMetrics {

    /** A queued (bounded or patient) acquire ended after {@code nanos}: granted, or it gave up (bounded wait ran out). */
    void waited(boolean granted, long nanos);

    /** A queued waiter was granted {@code nanos} after the release that woke it was received (the hand-off). */
    void handedOff(long nanos);

    /** The length of a node's queue as seen by an acquire that was not granted at once. */
    void queueLength(int length);
}
