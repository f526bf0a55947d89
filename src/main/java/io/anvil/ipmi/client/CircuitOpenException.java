package io.anvil.ipmi.client;

/**
 * Failed fast without sending anything: this BMC failed {@link IpmiClientOptions#getCircuitFailureThreshold()}
 * operations in a row (timeouts, bad credentials, session setup failures) and its circuit breaker is open
 * until the cool-down ends; then one probe operation is let through.
 */
public final class CircuitOpenException extends IpmiClientException {

    private final long retryAfterMillis;

    public CircuitOpenException(String bmc, long retryAfterMillis) {
        super(bmc, "circuit breaker open after repeated failures; next probe in " + retryAfterMillis + " ms", null);
        this.retryAfterMillis = retryAfterMillis;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
