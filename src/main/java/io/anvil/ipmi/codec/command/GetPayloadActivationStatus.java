package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;

/**
 * Get Payload Activation Status, App 0x4A (IPMI v2.0 §24.4): for one payload type, how many instances the BMC can
 * run (bits 3:0) and which of instances 1–16 are active (a 16-bit mask, LE, bit 0 = instance 1).
 */
public final class GetPayloadActivationStatus {

    public static final int NET_FN = NetFn.APP;
    public static final int COMMAND = 0x4A;

    private GetPayloadActivationStatus() {}

    public record Request(int payloadType) implements CommandRequest {

        @Override
        public int netFn() {
            return NET_FN;
        }

        @Override
        public int command() {
            return COMMAND;
        }

        @Override
        public byte[] encode() {
            return new byte[] {(byte) payloadType};
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            return new Request(new ByteReader(data).u8("payload type") & 0x3F);
        }
    }

    public record Response(int capacity, int activeMask) {

        public boolean active(int instance) {
            return (activeMask >>> (instance - 1) & 1) != 0;
        }

        public byte[] encode() {
            return new ByteWriter(3).u8(capacity & 0x0F).u16le(activeMask).toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            return new Response(r.u8("instance capacity") & 0x0F, r.u16le("active instances"));
        }
    }
}
