package io.anvil.driver;

import io.vertx.core.Future;

/**
 * An interface whose steps return {@link StepOutcome#REBOOT_TO_FINISH} on nodes without a ramdisk, where no agent
 * heartbeat tells the conductor that the node is back: the conductor's {@code poll_rebooted_steps} periodic asks it
 * (Ironic's {@code RedfishBIOS._query_bios_apply_status}). Called under the node's exclusive lock while the node waits.
 */
public interface RebootPoll {
    /** True once the reboot the current step asked for is over, so the step can run again and verify its work. */
    Future<Boolean> rebootFinished(DriverTask task);
}
