package io.anvil.periodic;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a conductor service or of a hardware-interface implementation as a periodic task (Ironic's
 * {@code @periodics.periodic} / driver-periodic-tasks spec). The {@link PeriodicScheduler} collects it from every
 * registered service and every enabled interface implementation (once per class) without any conductor change.
 *
 * <p>The method must be non-blocking and return a {@code Future<?>}; the run lasts until that future completes. It
 * takes either no argument or one {@link PeriodicContext} (node iteration by ownership, shutdown signal, settings).
 *
 * <pre>{@code
 * @Periodic(spacing = "conductor.sync_power_state_interval")
 * public Future<Void> syncPowerStates(PeriodicContext ctx) { ... }
 *
 * @Periodic(spacing = "90s", enabled = "pxe.boot_retry_enabled", parallel = false)
 * public Future<Void> checkBootTimeouts(PeriodicContext ctx) { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Periodic {
    /**
     * Time between the starts of two runs: a literal ({@code "200ms"}, {@code "60s"}, {@code "5m"}, {@code "1h"}, or a
     * bare number of seconds such as {@code "120"} or {@code "0.5"}) or the name of a setting holding one (e.g.
     * {@code "conductor.sync_power_state_interval"}). Zero or less disables the task, as in Ironic.
     */
    String spacing();

    /**
     * {@code "true"}, {@code "false"}, or the name of a setting: a boolean, or a number that enables the task when
     * positive (Ironic enables a *WAIT timeout check only while its timeout is &gt; 0).
     */
    String enabled() default "true";

    /**
     * True: the run happens on its own, concurrently with other tasks, under the scheduler's global cap
     * ({@code conductor.periodic_max_workers}). False: the run is serialised with every other non-parallel task (one
     * at a time), for cheap housekeeping that must not compete for the cap. A task never overlaps itself either way.
     */
    boolean parallel() default true;

    /** The name in logs and statistics; defaults to {@code SimpleClassName.method}. */
    String name() default "";
}
