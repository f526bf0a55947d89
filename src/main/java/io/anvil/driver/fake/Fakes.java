package io.anvil.driver.fake;

import io.anvil.conductor.Task;

/** Failure injection for the fake interfaces, read from driver_info so tests and demos need no hardware. */
final class Fakes {
    private Fakes() {}

    /** The configured failure message for {@code key}, or null. */
    static String failure(Task task, String key) {
        Object v = task.node().getJsonObject("driver_info").getValue(key);
        return v == null || Boolean.FALSE.equals(v) ? null : String.valueOf(v);
    }

    static boolean flag(Task task, String key) {
        return Boolean.TRUE.equals(task.node().getJsonObject("driver_info").getValue(key))
                || "true".equals(task.node().getJsonObject("driver_info").getValue(key));
    }
}
