package io.anvil.ipmi.client;

/**
 * The BMC answered, but the answer cannot be used: a response that does not decode, or a response shape
 * the command does not allow. The datagram itself was well-formed (malformed ones are dropped and counted).
 */
public final class IpmiProtocolException extends IpmiClientException {

    public IpmiProtocolException(String bmc, String message, Throwable cause) {
        super(bmc, message, cause);
    }
}
