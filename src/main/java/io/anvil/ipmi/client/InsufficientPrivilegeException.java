package io.anvil.ipmi.client;

/**
 * The session lacks the privilege the command needs: completion code 0xD4, Set Session Privilege Level
 * refused (0x80/0x81), RAKP2 status 0x09/0x0A, or Activate Session 0x86. Ask for OPERATOR or ADMINISTRATOR
 * in {@link BmcTarget#privilege()}, or use an account that has it.
 */
public final class InsufficientPrivilegeException extends IpmiClientException {

    public InsufficientPrivilegeException(String bmc, String message) {
        super(bmc, message, null);
    }
}
