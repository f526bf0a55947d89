package io.anvil.driver;

/**
 * Where the asynchronous step an agent runs stands, as the deploy interface found it on a heartbeat (Ironic's
 * {@code process_next_step}: the last command is RUNNING, SUCCEEDED or FAILED).
 */
public record AsyncStepStatus(Kind kind, String error) {
    public enum Kind {
        /** Still working (or just started): the node stays in its wait state; the heartbeat reset the timeout. */
        RUNNING,
        /** Finished: the conductor resumes the node and runs the rest of the operation. */
        SUCCEEDED,
        /** Failed: the conductor fails the node with {@link #error} as last_error. */
        FAILED
    }

    public static AsyncStepStatus running() {
        return new AsyncStepStatus(Kind.RUNNING, null);
    }

    public static AsyncStepStatus succeeded() {
        return new AsyncStepStatus(Kind.SUCCEEDED, null);
    }

    public static AsyncStepStatus failed(String error) {
        return new AsyncStepStatus(Kind.FAILED, error);
    }
}
