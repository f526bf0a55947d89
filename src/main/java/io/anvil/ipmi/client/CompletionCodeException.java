package io.anvil.ipmi.client;

/**
 * The BMC answered a command with a non-zero completion code (other than 0xD4, which is
 * {@link InsufficientPrivilegeException}). {@link #completionCode()} is the raw byte; the message names it,
 * including command-specific meanings (IPMI v2.0 §5.2).
 */
public final class CompletionCodeException extends IpmiClientException {

    private final int netFn;
    private final int command;
    private final int completionCode;

    public CompletionCodeException(
            String bmc, String commandName, int netFn, int command, int completionCode, String description) {
        super(bmc, commandName + " failed: " + description, null);
        this.netFn = netFn;
        this.command = command;
        this.completionCode = completionCode;
    }

    public int netFn() {
        return netFn;
    }

    public int command() {
        return command;
    }

    public int completionCode() {
        return completionCode;
    }
}
