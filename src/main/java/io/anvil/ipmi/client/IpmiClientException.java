package io.anvil.ipmi.client;

/**
 * Base of every error an {@link IpmiClient} future fails with. Each subclass names one cause an operator
 * can act on; messages name the BMC ({@code host:port}) and never contain a password or key.
 */
public abstract class IpmiClientException extends RuntimeException {

    private final String bmc;

    protected IpmiClientException(String bmc, String message, Throwable cause) {
        super(bmc + ": " + message, cause);
        this.bmc = bmc;
    }

    /** {@code host:port} of the BMC. */
    public String bmc() {
        return bmc;
    }
}
