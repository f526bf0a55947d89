package io.anvil.ipmi.codec.sol;

import java.util.Arrays;

/**
 * The receiving end of SOL data packets (IPMI v2.0 §15.9), the same for a console and a BMC: every data packet is
 * acknowledged with its full length accepted, and a packet repeating the previous sequence number is a retransmit
 * (the acknowledgement was lost), possibly carrying more characters, so only the characters beyond the earlier copy
 * are new — what ipmitool does. Pure state; confine it to one thread.
 */
public final class SolInbound {
    private int lastSequence;
    private int lastLength;

    /** Forgets the last packet (a new activation). */
    public void reset() {
        lastSequence = 0;
        lastLength = 0;
    }

    /** The acknowledgement to send for data packet {@code p}. */
    public static SolPacket ackFor(SolPacket p) {
        return SolPacket.ack(p.sequence(), Math.min(255, p.length()));
    }

    /** The characters of data packet {@code p} not delivered before (empty for a plain retransmit). */
    public byte[] fresh(SolPacket p) {
        byte[] data = p.data();
        int fresh = p.sequence() == lastSequence ? Math.max(0, data.length - lastLength) : data.length;
        lastSequence = p.sequence();
        lastLength = data.length;
        return Arrays.copyOfRange(data, data.length - fresh, data.length);
    }
}
