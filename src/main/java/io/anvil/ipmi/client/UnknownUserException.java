package io.anvil.ipmi.client;

/**
 * The BMC does not know the user name: RAKP2 status 0x0D "unauthorized name" (RMCP+), or Get Session
 * Challenge completion code 0x81 "invalid user name" / 0x82 "null user name not enabled" (v1.5).
 */
public final class UnknownUserException extends IpmiClientException {

    public UnknownUserException(String bmc, String message) {
        super(bmc, message, null);
    }
}
