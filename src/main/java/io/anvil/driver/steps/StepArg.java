package io.anvil.driver.steps;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One entry of a step's {@code argsinfo} (Ironic's {@code ArgInfo}): an argument the step accepts, what it means and
 * whether a user must give it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface StepArg {
    String name();

    /** Required, non-empty: Ironic refuses an argument without a description. */
    String description();

    boolean required() default false;
}
