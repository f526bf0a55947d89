package io.anvil.ipmi.client;

/**
 * No valid answer after every try of the {@link RetryPolicy}: the BMC is down, IPMI-over-LAN is disabled,
 * the port is wrong, or the network drops our datagrams. Datagrams that arrived but failed integrity,
 * decryption or decoding are counted in {@link ClientStats#malformedDropped()} and do not count as answers.
 */
public final class IpmiTimeoutException extends IpmiClientException {

    private final String request;
    private final int tries;
    private final long elapsedMillis;

    public IpmiTimeoutException(String bmc, String request, int tries, long elapsedMillis) {
        super(
                bmc,
                "no answer to " + request + " after " + tries + (tries == 1 ? " try" : " tries") + " (" + elapsedMillis
                        + " ms)",
                null);
        this.request = request;
        this.tries = tries;
        this.elapsedMillis = elapsedMillis;
    }

    /** What was asked, e.g. {@code "Get Channel Authentication Capabilities"}. */
    public String request() {
        return request;
    }

    /** Datagrams sent for the request (first try + retransmissions). */
    public int tries() {
        return tries;
    }

    public long elapsedMillis() {
        return elapsedMillis;
    }
}
