package io.anvil.driver.steps;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a hardware-interface method as a deploy step (Ironic's {@code @deploy_step} in ironic/drivers/base.py).
 * Deployment runs every step whose priority is above 0, highest first; a user's {@code deploy_steps} may add a
 * priority-0 step, re-prioritise one, or disable one with priority 0. The method's shape and name rule are those of
 * {@link CleanStep}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface DeployStep {
    /** At least 0. */
    int priority();

    /** Ironic's default: deploy steps can be aborted. */
    boolean abortable() default true;

    StepArg[] argsinfo() default {};

    String name() default "";
}
