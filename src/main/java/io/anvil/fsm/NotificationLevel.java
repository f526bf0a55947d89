package io.anvil.fsm;

/**
 * Notification priority ({@code ironic/objects/notification.py}): oslo.messaging's debug/info/warning/error/critical,
 * filtered by {@code [DEFAULT]notification_level}.
 */
public enum NotificationLevel {
    DEBUG("debug"),
    INFO("info"),
    WARNING("warning"),
    ERROR("error"),
    CRITICAL("critical");

    private final String value;

    NotificationLevel(String value) {
        this.value = value;
    }

    /** The lower-case priority string, e.g. {@code "info"}. */
    public String value() {
        return value;
    }

    /** Whether a notification at this level passes a {@code notification_level} threshold. */
    public boolean isAtLeast(NotificationLevel threshold) {
        return compareTo(threshold) >= 0;
    }

    @Override
    public String toString() {
        return value;
    }
}
