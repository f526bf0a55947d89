package io.anvil.fsm;

import java.util.Optional;

/**
 * The events of the provision state machine, named as in Ironic's {@code ironic/common/state_machine.py}.
 * Some are sent by the API ({@link ApiVerb}), the rest only by the conductor (wait, resume, hold, done, fail).
 */
public enum ProvisionEvent {
    DEPLOY("deploy"),
    REBUILD("rebuild"),
    WAIT("wait"),
    RESUME("resume"),
    HOLD("hold"),
    UNHOLD("unhold"),
    DONE("done"),
    FAIL("fail"),
    ABORT("abort"),
    DELETE("delete"),
    CLEAN("clean"),
    PROVIDE("provide"),
    MANAGE("manage"),
    INSPECT("inspect"),
    ADOPT("adopt"),
    RESCUE("rescue"),
    UNRESCUE("unrescue"),
    SERVICE("service");

    private final String eventName;

    ProvisionEvent(String eventName) {
        this.eventName = eventName;
    }

    /**
     * The event name Ironic uses, also the {@code event} field of provision notifications
     * (TaskManager._notify_provision_state_change).
     */
    public String eventName() {
        return eventName;
    }

    @Override
    public String toString() {
        return eventName;
    }

    /** The event called {@code name}, or empty. */
    public static Optional<ProvisionEvent> lookup(String name) {
        for (ProvisionEvent event : values()) {
            if (event.eventName.equals(name)) {
                return Optional.of(event);
            }
        }
        return Optional.empty();
    }

    /** @throws IllegalArgumentException for an unknown name */
    public static ProvisionEvent fromName(String name) {
        return lookup(name).orElseThrow(() -> new IllegalArgumentException("Unknown provision event: " + name));
    }
}
