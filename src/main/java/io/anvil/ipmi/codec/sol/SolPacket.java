package io.anvil.ipmi.codec.sol;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One Serial-over-LAN payload (payload type 1, IPMI v2.0 §15.9), the plaintext inside an RMCP+ session packet:
 * <pre>
 * byte 0  packet sequence number, 1–15 (bits 3:0); 0 = an ACK/NACK-only packet that is itself never acknowledged
 * byte 1  sequence number of the packet being ACKed/NACKed, 0 = none
 * byte 2  accepted character count: how many characters of the acknowledged packet were taken
 * byte 3  console → BMC "operation": bit 6 NACK, 5 assert RI, 4 generate break, 3 deassert CTS,
 *         2 deassert DCD/DSR, 1 flush inbound, 0 flush outbound;
 *         BMC → console "status": bit 6 NACK, 5 character transfer unavailable, 4 SOL deactivating,
 *         3 transmit overrun, 2 break detected
 * byte 4… character data
 * </pre>
 * A data packet is retransmitted with the same sequence number until acknowledged (§15.9, §15.10); a partial ACK
 * (accepted count below the data length) asks for the rest, in a new packet. Pure value: no state.
 */
public record SolPacket(int sequence, int ackSequence, int acceptedCount, int flags, byte[] data) {

    public static final int HEADER = 4;
    public static final int NACK = 0x40;
    /** Console → BMC: generate a break on the serial line (§15.9). */
    public static final int GENERATE_BREAK = 0x10;
    /** BMC → console: the BMC cannot take characters now (§15.9). */
    public static final int TRANSFER_UNAVAILABLE = 0x20;
    /** BMC → console: the payload is being deactivated (§15.9). */
    public static final int DEACTIVATING = 0x10;
    /** BMC → console: characters from the host were lost (§15.9). */
    public static final int TRANSMIT_OVERRUN = 0x08;

    public static final int BREAK_DETECTED = 0x04;

    public SolPacket {
        if (sequence < 0 || sequence > 15) {
            throw new IllegalArgumentException("SOL sequence number is 0..15, got " + sequence);
        }
        if (ackSequence < 0 || ackSequence > 15) {
            throw new IllegalArgumentException("SOL ack sequence number is 0..15, got " + ackSequence);
        }
        data = data == null ? new byte[0] : data.clone();
        if (acceptedCount < 0 || acceptedCount > 255 || data.length > 0xFFFF - HEADER) {
            throw new IllegalArgumentException("SOL counts out of range");
        }
    }

    /** A data packet carrying characters (and possibly an ACK of the peer's packet). */
    public static SolPacket data(int sequence, byte[] data) {
        return new SolPacket(sequence, 0, 0, 0, data);
    }

    /** An ACK-only packet (sequence 0): {@code accepted} characters of packet {@code ackSequence} were taken. */
    public static SolPacket ack(int ackSequence, int accepted) {
        return new SolPacket(0, ackSequence, accepted, 0, null);
    }

    public boolean isAck() {
        return ackSequence != 0;
    }

    public boolean isNack() {
        return (flags & NACK) != 0;
    }

    public boolean carriesData() {
        return sequence != 0;
    }

    public byte[] encode() {
        return new ByteWriter(HEADER + data.length)
                .u8(sequence)
                .u8(ackSequence)
                .u8(acceptedCount)
                .u8(flags)
                .bytes(data)
                .toByteArray();
    }

    public static SolPacket decode(byte[] payload) throws IpmiDecodeException {
        ByteReader r = new ByteReader(payload);
        int seq = r.u8("SOL packet sequence") & 0x0F;
        int ack = r.u8("SOL ack sequence") & 0x0F;
        int accepted = r.u8("SOL accepted character count");
        int flags = r.u8("SOL operation/status");
        return new SolPacket(seq, ack, accepted, flags, r.rest());
    }

    /** Next data sequence number: 1..15, wrapping past 0 (0 is reserved for ACK-only packets). */
    public static int nextSequence(int current) {
        return current >= 15 ? 1 : current + 1;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    public int length() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SolPacket p
                && p.sequence == sequence
                && p.ackSequence == ackSequence
                && p.acceptedCount == acceptedCount
                && p.flags == flags
                && Arrays.equals(p.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, ackSequence, acceptedCount, flags, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return String.format(
                "SolPacket[seq=%d, ack=%d, accepted=%d, flags=%02x, data=%s]",
                sequence, ackSequence, acceptedCount, flags, Hex.of(data));
    }
}
