package io.anvil.fsm;

import java.util.Optional;

/**
 * Ironic's {@code InvalidState}: an event that is not allowed in the node's current state, or a target that
 * is not a stable state ({@code ironic/common/fsm.py}). The node must be left untouched (Ironic's
 * {@code ironic/conductor/task_manager.py: TaskManager.process_event} raises before it saves anything). Over the REST
 * API it maps to HTTP 409; the API's own pre-check answers 400 {@code InvalidStateRequested} instead (node.py:
 * NodeStatesController).
 */
public final class InvalidStateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ProvisionState state;
    private final transient Optional<ProvisionEvent> event;
    private final transient Optional<ProvisionState> target;

    InvalidStateException(
            String message, ProvisionState state, Optional<ProvisionEvent> event, Optional<ProvisionState> target) {
        super(message);
        this.state = state;
        this.event = event;
        this.target = target;
    }

    /**
     * No transition for {@code event} from {@code state}. The message is Ironic's, which comes from
     * automaton: {@code Can not transition from state 'X' on event 'Y' (no defined transition)}.
     */
    static InvalidStateException noTransition(
            ProvisionState state, ProvisionEvent event, Optional<ProvisionState> target) {
        return new InvalidStateException(
                "Can not transition from state '" + state.value() + "' on event '" + event.eventName()
                        + "' (no defined transition)",
                state,
                Optional.of(event),
                target);
    }

    /** A target that is not stable; Ironic: {@code Target state 'X' is not a 'stable' state}. */
    static InvalidStateException unstableTarget(
            ProvisionState state, Optional<ProvisionEvent> event, ProvisionState badTarget) {
        return new InvalidStateException(
                "Target state '" + badTarget.value() + "' is not a 'stable' state",
                state,
                event,
                Optional.of(badTarget));
    }

    /** The node's provision state when the event was refused. */
    public ProvisionState state() {
        return state;
    }

    /** The refused event, if an event was being processed. */
    public Optional<ProvisionEvent> event() {
        return event;
    }

    /** The node's target at the time, or the offending target for a non-stable target. */
    public Optional<ProvisionState> target() {
        return target;
    }
}
