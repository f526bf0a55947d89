package io.anvil.fsm;

import java.util.Objects;

/**
 * The last part of a notification's {@code event_type}, {@code baremetal.<object>.<action>.<status>}, and its
 * level ({@code ironic/objects/notification.py}). {@link #ERROR} is sent at level ERROR; the others at INFO, both for
 * {@code provision_set} (TaskManager._notify_provision_state_change) and {@code power_set} (utils.py:
 * node_power_action).
 */
public enum NotificationStatus {
    START("start", NotificationLevel.INFO),
    END("end", NotificationLevel.INFO),
    SUCCESS("success", NotificationLevel.INFO),
    ERROR("error", NotificationLevel.ERROR);

    /** {@code event_type} prefix of provision-state notifications (TaskManager._notify_provision_state_change). */
    public static final String PROVISION_SET_PREFIX = "baremetal.node.provision_set.";

    private final String value;
    private final NotificationLevel level;

    NotificationStatus(String value, NotificationLevel level) {
        this.value = value;
        this.level = level;
    }

    public String value() {
        return value;
    }

    public NotificationLevel level() {
        return level;
    }

    /** E.g. {@code baremetal.node.provision_set.start}. */
    public String provisionSetEventType() {
        return PROVISION_SET_PREFIX + value;
    }

    @Override
    public String toString() {
        return value;
    }

    /**
     * Ironic's {@code TaskManager._notify_provision_state_change} ({@code ironic/conductor/task_manager.py}), checked
     * in this order:
     * <ol>
     *   <li>event {@code fail} ({@code error} in Ironic's list is not an event of the machine) → ERROR;</li>
     *   <li>previous state not UNSTABLE and new state UNSTABLE → START;</li>
     *   <li>previous state UNSTABLE and new state not UNSTABLE → END;</li>
     *   <li>otherwise → SUCCESS.</li>
     * </ol>
     * The *HOLD and *FAIL states are not UNSTABLE, so DEPLOYING→DEPLOYHOLD is END and DEPLOYHOLD→DEPLOYWAIT is
     * START; {@code abort} is not an error, so DEPLOYWAIT→DEPLOYFAIL by abort is END.
     */
    public static NotificationStatus forProvisionChange(
            ProvisionEvent event, ProvisionState previous, ProvisionState current) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(current, "current");
        if (event == ProvisionEvent.FAIL) {
            return ERROR;
        }
        boolean wasUnstable = previous.isUnstable();
        boolean isUnstable = current.isUnstable();
        if (!wasUnstable && isUnstable) {
            return START;
        }
        if (wasUnstable && !isUnstable) {
            return END;
        }
        return SUCCESS;
    }
}
