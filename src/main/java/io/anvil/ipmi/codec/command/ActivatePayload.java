package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;

/**
 * Activate Payload, App 0x48 (IPMI v2.0 §24.1): starts a payload instance (SOL, type 1) on the session that sends
 * it. The request's first auxiliary byte asks for encrypted (bit 7) and authenticated (bit 6) payload packets and
 * sets the serial-sharing behaviour (bits 3:2 deferred alerts, bit 1 "BMC does not assert CTS"); what ipmitool
 * sends is {@code 0xC6}. Completion codes: {@code 0x80} already active on another session, {@code 0x81} payload
 * type disabled, {@code 0x82} activation limit reached, {@code 0x83}/{@code 0x84} cannot activate with/without
 * encryption (§24.1). A BMC may also answer {@code 0x80} when the same session asks twice: callers deactivate
 * first on re-activation.
 */
public final class ActivatePayload {

    public static final int NET_FN = NetFn.APP;
    public static final int COMMAND = 0x48;
    /** Auxiliary byte 1 as ipmitool sends it: encryption, authentication, deferred alerts, CTS not asserted. */
    public static final int AUX_ENCRYPT_AUTHENTICATE = 0xC6;

    public static final int ALREADY_ACTIVE = 0x80;
    public static final int PAYLOAD_DISABLED = 0x81;
    public static final int LIMIT_REACHED = 0x82;

    private ActivatePayload() {}

    public record Request(int payloadType, int instance, int auxiliary) implements CommandRequest {

        public static Request sol(int instance) {
            return new Request(io.anvil.ipmi.codec.PayloadType.SOL, instance, AUX_ENCRYPT_AUTHENTICATE);
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
            return new ByteWriter(6)
                    .u8(payloadType)
                    .u8(instance)
                    .u8(auxiliary)
                    .u8(0)
                    .u8(0)
                    .u8(0)
                    .toByteArray();
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            return new Request(r.u8("payload type") & 0x3F, r.u8("payload instance") & 0x0F, r.u8("auxiliary data"));
        }
    }

    /**
     * The 12 data bytes after the completion code: auxiliary data (4), inbound and outbound payload size (the largest
     * payload each side may send, 2 each, LE), the UDP port payload packets use (2, LE) and the VLAN (2, LE; 0xFFFF
     * none). ipmitool refuses any other length and any port other than the one it talks to.
     */
    public record Response(int inboundPayloadSize, int outboundPayloadSize, int port) {

        public byte[] encode() {
            return new ByteWriter(12)
                    .u32le(0)
                    .u16le(inboundPayloadSize)
                    .u16le(outboundPayloadSize)
                    .u16le(port)
                    .u16le(0xFFFF)
                    .toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            r.u32le("auxiliary data");
            return new Response(r.u16le("inbound payload size"), r.u16le("outbound payload size"), r.u16le("port"));
        }
    }
}
