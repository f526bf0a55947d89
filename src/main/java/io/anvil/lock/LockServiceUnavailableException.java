package io.anvil.lock;

import io.anvil.errors.AnvilException;

/**
 * A bounded acquire ran out while Redis was not answering (down, failing over, partitioned): HTTP 503, so a client
 * retries later instead of reading "locked" (docs/scale-out.md#what-happens-on-each-failure).
 */
public final class LockServiceUnavailableException extends AnvilException {
    public LockServiceUnavailableException(String nodeUuid, Throwable cause) {
        super(
                503,
                "Node " + nodeUuid + " cannot be locked now: the lock service (Redis) is not answering (" + cause
                        + "); please retry.",
                cause);
    }
}
