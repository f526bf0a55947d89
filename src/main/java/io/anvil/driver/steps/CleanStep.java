package io.anvil.driver.steps;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a hardware-interface method as a clean step (Ironic's {@code @clean_step} in ironic/drivers/base.py).
 * Automated cleaning runs the steps whose priority is above 0, highest first; manual cleaning runs the steps a user
 * names, in the user's order, whatever their priority.
 *
 * <p>The annotated method takes the task and, optionally, the step's arguments as a JSON object, and returns a
 * {@code Future}: {@code Future<Object> step(DriverTask task)} or {@code Future<Object> step(DriverTask task,
 * JsonObject args)}. The step's name is {@link #name()} or, when empty, the method name in snake_case
 * ({@code eraseDevicesMetadata} is {@code erase_devices_metadata}), since users name steps the way Ironic does.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CleanStep {
    int priority();

    /** Ironic's default: clean steps cannot be aborted while they run. */
    boolean abortable() default false;

    StepArg[] argsinfo() default {};

    /** False for purely out-of-band steps, which may run without booting the agent ramdisk. */
    boolean requiresRamdisk() default true;

    String name() default "";
}
