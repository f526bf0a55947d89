package io.anvil.conductor.steps;

import io.anvil.errors.AnvilException;

/**
 * A user's {@code clean_steps}/{@code deploy_steps} that the node cannot run: Ironic's InvalidParameterValue, 400,
 * with every problem found joined by {@code "; "} as Ironic joins them.
 */
public final class StepValidationException extends AnvilException {
    public StepValidationException(String message) {
        super(400, message);
    }
}
