package io.anvil.ipmi.client;

/** The client is closing or closed; queued operations fail with this. */
public final class ClientClosedException extends IpmiClientException {

    public ClientClosedException(String bmc) {
        super(bmc, "IPMI client closed", null);
    }
}
