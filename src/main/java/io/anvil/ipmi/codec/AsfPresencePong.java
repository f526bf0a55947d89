package io.anvil.ipmi.codec;

/**
 * ASF Presence Pong (message type 0x40), IPMI v2.0 §13.2.3–§13.2.4. {@code supportedEntities} bit 7 means "IPMI
 * supported"; a pong with that bit is the cheapest liveness check for a BMC.
 */
public record AsfPresencePong(int tag, int oemIana, int oemDefined, int supportedEntities, int supportedInteractions)
        implements RmcpMessage {

    /** ASF's IANA enterprise number (4542), also used as the pong's OEM IANA when there is no OEM data. */
    public static final int ASF_IANA = 4542;
    /** bit 7 = IPMI supported, bits 3:0 = ASF version 1.0 — what ipmi_sim answers. */
    public static final int ENTITIES_IPMI_ASF_1_0 = 0x81;

    public AsfPresencePong {
        if (tag < 0 || tag > 0xFF) {
            throw new IllegalArgumentException("tag out of range: " + tag);
        }
        if ((supportedEntities & ~0xFF) != 0 || (supportedInteractions & ~0xFF) != 0) {
            throw new IllegalArgumentException("entity/interaction fields are one byte each");
        }
    }

    /** The pong an IPMI BMC (e.g. Anvil's simulator) sends for {@code ping}. */
    public static AsfPresencePong ipmiBmcAnswer(AsfPresencePing ping) {
        return new AsfPresencePong(ping.tag(), ASF_IANA, 0, ENTITIES_IPMI_ASF_1_0, 0);
    }

    public boolean ipmiSupported() {
        return (supportedEntities & 0x80) != 0;
    }
}
