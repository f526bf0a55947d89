package io.anvil.driver;

/** How a provisioning step ended: finished, or waiting for an asynchronous callback (the *WAIT states). */
public enum StepOutcome {
    DONE,
    WAIT
}
