package io.anvil.ipmi.codec;

/**
 * A datagram, payload or message that cannot be accepted. Decoders throw it; the pipeline catches it,
 * counts it in {@link CodecStats} and drops the packet. It carries no stack trace: garbage on a UDP port
 * is an expected event, not a bug, and a flood of it must stay cheap.
 */
public final class IpmiDecodeException extends Exception {

    /** Why a packet was dropped; {@link CodecStats} keeps one counter per reason. */
    public enum Reason {
        /** Not an RMCP datagram at all (e.g. pyghmi's 1-byte wake-up datagrams). */
        NOT_RMCP,
        /** RMCP class, ASF message type or auth type we do not speak. */
        UNSUPPORTED,
        /** Shorter than a length field or fixed layout promises. */
        TRUNCATED,
        /** A field holds a value the layout does not allow. */
        BAD_FIELD,
        /** IPMI message checksum (IPMI v2.0 §13.8) does not match. */
        BAD_CHECKSUM,
        /** IPMI v1.5 auth code does not match (IPMI v2.0 §13.6). */
        BAD_AUTH_CODE,
        /** RMCP+ integrity trailer or ICV is wrong (docs/ipmi.md#integrity-and-confidentiality). */
        BAD_INTEGRITY,
        /** AES-CBC-128 ciphertext or confidentiality pad is wrong (IPMI v2.0 §13.29). */
        BAD_CONFIDENTIALITY,
        /** Session id, payload flags or algorithm do not fit the session. */
        WRONG_SESSION,
        /** Session sequence number outside the receive window or replayed (docs/ipmi.md#sequence-numbers). */
        SEQUENCE_REJECTED,
        /** A bug-shaped failure inside a decoder; counted so that it can never escape the pipeline. */
        INTERNAL
    }

    private final Reason reason;

    public IpmiDecodeException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "IpmiDecodeException[" + reason + ": " + getMessage() + "]";
    }
}
