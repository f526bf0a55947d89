package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.lan.NetFn;

/**
 * Deactivate Payload, App 0x49 (IPMI v2.0 §24.2): payload type, instance and four zero auxiliary bytes; no response
 * data. Completion code {@code 0x80} means "already deactivated" and is harmless on a clean-up path. Sent from any
 * session with the privilege, so a console can also end an instance a lost session left active.
 */
public final class DeactivatePayload {

    public static final int NET_FN = NetFn.APP;
    public static final int COMMAND = 0x49;
    public static final int ALREADY_DEACTIVATED = 0x80;

    private DeactivatePayload() {}

    public record Request(int payloadType, int instance) implements CommandRequest {

        public static Request sol(int instance) {
            return new Request(PayloadType.SOL, instance);
        }

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
            return new ByteWriter(6).u8(payloadType).u8(instance).u32le(0).toByteArray();
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            return new Request(r.u8("payload type") & 0x3F, r.u8("payload instance") & 0x0F);
        }
    }
}
