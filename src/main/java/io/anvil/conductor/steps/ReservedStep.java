package io.anvil.conductor.steps;

import java.util.Optional;

/**
 * Step names the conductor resolves itself instead of calling an interface (Ironic's
 * RESERVED_STEP_HANDLER_MAPPING plus {@code hold} and {@code wait} in ironic/conductor/steps.py). They may appear in
 * a user's {@code clean_steps}/{@code deploy_steps} on any interface and are never checked against the driver.
 */
public enum ReservedStep {
    /** Power the node on through the power interface, then go on. */
    POWER_ON("power_on"),
    /** Power the node off, then go on. */
    POWER_OFF("power_off"),
    /** Reboot the node, then go on. */
    REBOOT("reboot"),
    /** Stop in {@code clean hold}/{@code deploy hold} until a user sends {@code unhold} (the next step then runs). */
    HOLD("hold"),
    /**
     * Enter the {@code *wait} state; with {@code args.seconds} resume by itself after that long (capped at
     * {@code conductor.max_conductor_wait_step_seconds}), without it wait for the agent or a driver to continue.
     */
    WAIT("wait");

    private final String stepName;

    ReservedStep(String stepName) {
        this.stepName = stepName;
    }

    public String stepName() {
        return stepName;
    }

    public static Optional<ReservedStep> of(String name) {
        for (ReservedStep r : values()) {
            if (r.stepName.equals(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    public static Optional<ReservedStep> of(Step step) {
        return of(step.name());
    }

    /**
     * Seconds a {@code wait} step should pause before resuming by itself, capped at {@code maxSeconds} as Ironic
     * caps it; empty when the step names no {@code seconds} (wait for a callback instead).
     *
     * @throws StepValidationException when {@code seconds} is not a non-negative integer
     */
    public static Optional<Integer> waitSeconds(Step step, int maxSeconds) {
        if (step.args() == null || !step.args().containsKey("seconds")) {
            return Optional.empty();
        }
        Object raw = step.args().getValue("seconds");
        int s;
        try {
            s = raw instanceof Number n
                    ? n.intValue()
                    : Integer.parseInt(String.valueOf(raw).trim());
        } catch (NumberFormatException e) {
            throw new StepValidationException("wait step 'seconds' must be an integer, got " + raw);
        }
        if (s < 0) {
            throw new StepValidationException("wait step 'seconds' must not be negative, got " + s);
        }
        return Optional.of(Math.min(s, maxSeconds));
    }
}
