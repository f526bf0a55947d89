package io.anvil.fsm;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Power states and power actions, with Ironic's strings ({@code ironic/common/states.py},
 * {@code ironic/conductor/utils.py: node_power_action}). {@code power_state} holds POWER_ON/POWER_OFF (or ERROR from a
 * driver, or NULL when unknown); the others are requested actions that also appear as {@code to_power} in
 * {@code power_set} notifications (utils.py: node_power_action).
 */
public enum PowerState {
    POWER_ON("power on"),
    POWER_OFF("power off"),
    REBOOT("rebooting"),
    SOFT_REBOOT("soft rebooting"),
    SOFT_POWER_OFF("soft power off"),
    /** Reported by drivers only; never an API target. */
    ERROR("error");

    /** Ironic's {@code NOSTATE} for power: unknown power state, or no target. */
    public static final Optional<PowerState> NOSTATE = Optional.empty();

    /** Targets accepted by {@code PUT /v1/nodes/{id}/states/power} (utils.py: node_power_action). */
    public static final Set<PowerState> API_TARGETS =
            Collections.unmodifiableSet(EnumSet.of(POWER_ON, POWER_OFF, REBOOT, SOFT_REBOOT, SOFT_POWER_OFF));

    /** Soft actions, and the {@code timeout} field, need this microversion (utils.py: node_power_action). */
    public static final Microversion SOFT_POWER_MIN_VERSION = Microversion.of(27);

    private final String value;

    PowerState(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }

    /** @throws IllegalArgumentException for {@code null} or an unknown string */
    public static PowerState fromValue(String value) {
        return lookup(value).orElseThrow(() -> new IllegalArgumentException("Unknown power state: " + value));
    }

    public static Optional<PowerState> lookup(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (PowerState state : values()) {
            if (state.value.equals(value)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }

    public boolean isApiTarget() {
        return API_TARGETS.contains(this);
    }

    public boolean isSoft() {
        return this == SOFT_REBOOT || this == SOFT_POWER_OFF;
    }

    /**
     * Whether this action turns the machine off (refused when {@code disable_power_off} is set, utils.py:
     * node_power_action).
     */
    public boolean isPowerOff() {
        return this == POWER_OFF || this == SOFT_POWER_OFF;
    }

    /**
     * The lowest microversion that accepts this as an API target: 1.27 for soft actions, 1.1 otherwise.
     *
     * @throws IllegalStateException for {@link #ERROR}, which is never a target
     */
    public Microversion minimumApiVersion() {
        if (!isApiTarget()) {
            throw new IllegalStateException(value + " is not an API power target");
        }
        return isSoft() ? SOFT_POWER_MIN_VERSION : Microversion.MIN;
    }

    /**
     * The {@code target_power_state} stored while this action runs (utils.py: node_power_action): POWER_ON for power
     * on, reboot and soft reboot; POWER_OFF otherwise.
     */
    public PowerState targetPowerState() {
        return switch (this) {
            case POWER_ON, REBOOT, SOFT_REBOOT -> POWER_ON;
            case POWER_OFF, SOFT_POWER_OFF, ERROR -> POWER_OFF;
        };
    }
}
