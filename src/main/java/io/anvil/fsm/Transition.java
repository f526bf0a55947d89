package io.anvil.fsm;

import java.util.Objects;
import java.util.Optional;

/**
 * The result of applying one event to a node (Ironic's {@code ironic/common/fsm.py} and
 * {@code TaskManager.process_event}): what to write into {@code provision_state} / {@code target_provision_state}, plus
 * the values before, which a spawn-error hook needs to roll back and the provision notification payload reports.
 *
 * @param previousState  {@code provision_state} before the event
 * @param previousTarget {@code target_provision_state} before the event ({@link ProvisionState#NOSTATE} if none)
 * @param event          the event applied
 * @param state          the new {@code provision_state}
 * @param target         the new {@code target_provision_state}
 */
public record Transition(
        ProvisionState previousState,
        Optional<ProvisionState> previousTarget,
        ProvisionEvent event,
        ProvisionState state,
        Optional<ProvisionState> target) {

    public Transition {
        Objects.requireNonNull(previousState, "previousState");
        Objects.requireNonNull(previousTarget, "previousTarget");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(target, "target");
    }

    /** The provision notification status this transition emits (TaskManager._notify_provision_state_change). */
    public NotificationStatus notificationStatus() {
        return NotificationStatus.forProvisionChange(event, previousState, state);
    }
}
