package io.anvil.lock;

import io.vertx.core.Promise;
import java.util.List;

/** One queued acquire (bounded or patient) of this process. Mutated only on the service context. */
final class Waiter {
    final String nodeUuid;
    final List<String> keys;
    final String owner;
    final LockRequest request;
    final Promise<LockLease> promise = Promise.promise();
    /** A poll is on the wire; a wake-up arriving meanwhile sets {@link #again} instead of sending a second one. */
    boolean inFlight;

    boolean again;
    /** Granted, given up or abandoned: late replies are ignored. */
    boolean done;

    long repollTimer = -1;
    long deadlineTimer = -1;
    int failures;
    /** The last poll's answer when it was not a queue position: the Redis error, or the quarantine left (ms). */
    Throwable lastError;

    long quarantineLeft = -1;
    /** When it queued, for the wait time. */
    final long queuedAt = System.nanoTime();
    /** When the last wake-up (a release) reached it, 0 if none is pending: the hand-off is timed from it. */
    long wokenAt;
    /** Its first poll's queue position was reported. */
    boolean queueSeen;

    Waiter(String nodeUuid, List<String> keys, String owner, LockRequest request) {
        this.nodeUuid = nodeUuid;
        this.keys = keys;
        this.owner = owner;
        this.request = request;
    }
}
