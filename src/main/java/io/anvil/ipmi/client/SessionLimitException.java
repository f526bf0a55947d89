package io.anvil.ipmi.client;

/**
 * The BMC has no free session slot: Open Session / RAKP status 0x01 or 0x0B, Activate Session 0x81–0x83.
 * Usually sessions leaked by other clients; the BMC frees them after its idle timeout.
 */
public final class SessionLimitException extends IpmiClientException {

    public SessionLimitException(String bmc, String message) {
        super(bmc, message, null);
    }
}
