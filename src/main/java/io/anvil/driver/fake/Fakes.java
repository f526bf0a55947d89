package io.anvil.driver.fake;

import io.anvil.driver.DriverTask;

/** Failure injection for the fake interfaces, read from driver_info so tests and demos need no hardware. */
final class Fakes {
    private Fakes() {}

    /** The configured failure message for {@code key}, or null. */
    static String failure(DriverTask task, String key) {
        Object v = task.node().getJsonObject("driver_info").getValue(key);
        return v == null || Boolean.FALSE.equals(v) ? null : String.valueOf(v);
    }

    static boolean flag(DriverTask task, String key) {
        return Boolean.TRUE.equals(task.node().getJsonObject("driver_info").getValue(key))
                || "true".equals(task.node().getJsonObject("driver_info").getValue(key));
    }
}
