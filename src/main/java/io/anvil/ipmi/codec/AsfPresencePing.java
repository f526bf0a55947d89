package io.anvil.ipmi.codec;

/**
 * ASF Presence Ping (message type 0x80), IPMI v2.0 §13.2.3–§13.2.4. The tag is echoed in the pong; senders use
 * 0..0xFE (0xFF is reserved by ASF for unidirectional messages), decoders accept any byte.
 */
public record AsfPresencePing(int tag) implements RmcpMessage {

    public AsfPresencePing {
        if (tag < 0 || tag > 0xFF) {
            throw new IllegalArgumentException("ASF message tag must be one byte, got " + tag);
        }
    }
}
