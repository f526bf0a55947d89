package io.anvil.driver;

/**
 * What a step returns when it started a command in the ramdisk agent ({@code prepare_image},
 * {@code execute_clean_step}, …): the step engine records {@code command} and moves the node to its wait state;
 * each heartbeat then asks the agent how that command stands (Ironic's AgentInProgress / CLEANWAIT return).
 *
 * @param command the command's name as the agent lists it, without its extension ({@code prepare_image})
 */
public record AgentCommandStarted(String command) {}
