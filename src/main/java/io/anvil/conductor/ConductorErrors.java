package io.anvil.conductor;

import io.anvil.errors.AnvilException;

/**
 * The conductor's typed errors, each with Ironic's status code (docs/architecture.md#an-api-request; Ironic's
 * {@code ironic/common/exception.py}).
 */
public final class ConductorErrors {
    private ConductorErrors() {}

    /** 404: Ironic's NodeNotFound. */
    public static final class NodeNotFound extends AnvilException {
        public NodeNotFound(String ident) {
            super(404, "Node " + ident + " could not be found.");
        }
    }

    /** 409: Ironic's InvalidState (an event the state machine refuses, found under the lock). */
    public static final class InvalidState extends AnvilException {
        public InvalidState(String message) {
            super(409, message);
        }
    }

    /** 400: Ironic's InvalidStateRequested (the API's pre-check). */
    public static final class InvalidStateRequested extends AnvilException {
        public InvalidStateRequested(String message) {
            super(400, message);
        }
    }

    /** 503: Ironic's NoFreeConductorWorker; nothing was written. */
    public static final class NoFreeConductorWorker extends AnvilException {
        public NoFreeConductorWorker() {
            super(503, "Requested action cannot be performed due to lack of free conductor workers.");
        }
    }

    /** 409: the lease was lost while the task ran (Redis restart, long pause); its writes were refused. */
    public static final class LeaseLost extends AnvilException {
        public LeaseLost(String node) {
            super(
                    409,
                    "The lock on node " + node + " was lost before the operation completed; nothing more was "
                            + "written. Please retry.");
        }
    }
}
