package io.anvil.ipmi.client;

/**
 * A session could not be established for a reason that is none of the more specific ones: no cipher suite
 * both sides accept, the BMC chose algorithms we did not propose, IPMI 2.0 (or 1.5) not offered, an
 * RMCP+ status without a dedicated type, or a malformed handshake answer.
 */
public final class SessionSetupException extends IpmiClientException {

    private final int rmcpPlusStatus;

    public SessionSetupException(String bmc, String message, int rmcpPlusStatus, Throwable cause) {
        super(bmc, message, cause);
        this.rmcpPlusStatus = rmcpPlusStatus;
    }

    public SessionSetupException(String bmc, String message) {
        this(bmc, message, -1, null);
    }

    /** The RMCP+ status code the BMC sent, or -1. */
    public int rmcpPlusStatus() {
        return rmcpPlusStatus;
    }
}
