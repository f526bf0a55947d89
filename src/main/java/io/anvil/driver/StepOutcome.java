package io.anvil.driver;

/**
 * How a provisioning step ended: finished, waiting for an asynchronous callback (the *WAIT states), or waiting for a
 * reboot that finishes its work.
 */
public enum StepOutcome {
    DONE,
    WAIT,
    /**
     * Ironic's {@code reboot_to_finish_step} with {@code set_async_step_flags(reboot=True, skip_current_step=False)}:
     * the step left changes the hardware applies at its next boot (pending BIOS settings). The step engine reboots the
     * node (into the agent ramdisk when one is in use), waits in the wait state, and runs the same step again once the
     * node is back, so that it can verify: on the agent's heartbeat, or without a ramdisk when the step's interface
     * ({@link RebootPoll}) says the reboot is over.
     */
    REBOOT_TO_FINISH
}
