package io.anvil.ipmi.codec;

import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_FIELD;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_INTEGRITY;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.NOT_RMCP;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.UNSUPPORTED;

/**
 * Byte-level encoder/decoder for whole RMCP datagrams (IPMI v2.0 §13.1, §13.2.3–§13.2.4, §13.6,
 * docs/ipmi.md#integrity-and-confidentiality), with no Netty types so it can be reused and tested directly.
 * {@link RmcpDatagramCodec} is the Netty adapter.
 *
 * <p>Decoding is lenient where real peers differ (legacy v1.5 pad, misaligned integrity pad, trailing
 * bytes) and total: any input either yields a message or an {@link IpmiDecodeException}.
 * Encoding is strict and always emits RMCP sequence 0xFF ("no RMCP ACK"), as every IPMI peer does.
 */
public final class RmcpWire {

    public static final int RMCP_VERSION_1_0 = 0x06;
    public static final int RMCP_SEQ_NO_ACK = 0xFF;
    public static final int CLASS_ASF = 0x06;
    public static final int CLASS_IPMI = 0x07;
    public static final int ASF_PRESENCE_PING = 0x80;
    public static final int ASF_PRESENCE_PONG = 0x40;
    /** Datagrams above this size cannot be IPMI-over-LAN (one message per datagram, docs/ipmi.md). */
    public static final int MAX_DATAGRAM = 1024;

    private RmcpWire() {}

    // ------------------------------------------------------------------------------------------ decode

    public static RmcpMessage decode(byte[] datagram) throws IpmiDecodeException {
        if (datagram.length < 4 || (datagram[0] & 0xFF) != RMCP_VERSION_1_0) {
            throw new IpmiDecodeException(NOT_RMCP, "not an RMCP 1.0 datagram (" + datagram.length + " bytes)");
        }
        if (datagram.length > MAX_DATAGRAM) {
            throw new IpmiDecodeException(BAD_FIELD, "datagram of " + datagram.length + " bytes");
        }
        ByteReader r = new ByteReader(datagram);
        r.skip(3, "RMCP header"); // version, reserved, RMCP sequence (ignored: IPMI never ACKs)
        int rmcpClass = r.u8("RMCP class");
        if ((rmcpClass & 0x80) != 0) {
            throw new IpmiDecodeException(UNSUPPORTED, "RMCP ACK");
        }
        return switch (rmcpClass & 0x1F) {
            case CLASS_ASF -> decodeAsf(r);
            case CLASS_IPMI -> r.peekU8(0, "auth type") == AuthType.RMCP_PLUS.code() ? decodeV20(r) : decodeV15(r);
            default -> throw new IpmiDecodeException(UNSUPPORTED, "RMCP class " + (rmcpClass & 0x1F));
        };
    }

    private static RmcpMessage decodeAsf(ByteReader r) throws IpmiDecodeException {
        int iana = r.u32be("ASF IANA");
        if (iana != AsfPresencePong.ASF_IANA) {
            throw new IpmiDecodeException(UNSUPPORTED, "ASF IANA " + iana);
        }
        int type = r.u8("ASF message type");
        int tag = r.u8("ASF tag");
        r.skip(1, "ASF reserved");
        int length = r.u8("ASF data length");
        ByteReader data = new ByteReader(r.bytes(length, "ASF data"));
        switch (type) {
            case ASF_PRESENCE_PING:
                return new AsfPresencePing(tag);
            case ASF_PRESENCE_PONG:
                int oemIana = data.u32be("pong OEM IANA");
                int oemDefined = data.u32be("pong OEM defined");
                int entities = data.u8("pong supported entities");
                int interactions = data.u8("pong supported interactions");
                return new AsfPresencePong(tag, oemIana, oemDefined, entities, interactions);
            default:
                throw new IpmiDecodeException(UNSUPPORTED, "ASF message type " + type);
        }
    }

    private static V15SessionPacket decodeV15(ByteReader r) throws IpmiDecodeException {
        AuthType authType = AuthType.fromCode(r.u8("auth type"));
        int seq = r.u32le("session sequence");
        int sessionId = r.u32le("session id");
        byte[] authCode = authType == AuthType.NONE ? null : r.bytes(V15SessionPacket.AUTH_CODE_LENGTH, "auth code");
        int length = r.u8("message length");
        byte[] message = r.bytes(length, "IPMI message");
        // Anything after the message is the optional legacy pad byte (IPMI v2.0 §13.6): accepted and ignored.
        return new V15SessionPacket(authType, seq, sessionId, authCode, message);
    }

    private static V20SessionPacket decodeV20(ByteReader r) throws IpmiDecodeException {
        r.skip(1, "auth type");
        int typeByte = r.u8("payload type");
        int payloadType = typeByte & 0x3F;
        boolean encrypted = (typeByte & 0x80) != 0;
        boolean authenticated = (typeByte & 0x40) != 0;
        int oemIana = 0;
        int oemPayloadId = 0;
        if (payloadType == PayloadType.OEM_EXPLICIT) {
            oemIana = r.u32le("OEM IANA");
            oemPayloadId = r.u16le("OEM payload id");
        }
        int sessionId = r.u32le("session id");
        int seq = r.u32le("session sequence");
        int length = r.u16le("payload length");
        byte[] payload = r.bytes(length, "payload");
        if (!authenticated) {
            return new V20SessionPacket(
                    payloadType, encrypted, false, oemIana, oemPayloadId, sessionId, seq, payload, null, null);
        }
        byte[] trailer = r.rest();
        int headerLength = payloadType == PayloadType.OEM_EXPLICIT ? 18 : 12;
        int padLength = findIntegrityPad(trailer, V20SessionPacket.requiredIntegrityPad(headerLength, length));
        byte[] pad = java.util.Arrays.copyOfRange(trailer, 0, padLength);
        byte[] authCode = java.util.Arrays.copyOfRange(trailer, padLength + 2, trailer.length);
        if (authCode.length == 0) {
            throw new IpmiDecodeException(BAD_INTEGRITY, "authenticated packet without auth code");
        }
        return new V20SessionPacket(
                payloadType, encrypted, true, oemIana, oemPayloadId, sessionId, seq, payload, pad, authCode);
    }

    /**
     * Finds the integrity pad length in {@code pad… ‖ padLength ‖ 0x07 ‖ ICV}. The ICV length depends on the
     * session's integrity algorithm, which a stateless codec does not know, so the pad is located by its
     * self-describing length byte: first at the spec position (4-byte alignment,
     * docs/ipmi.md#integrity-and-confidentiality), then, leniently, at any 0..3 for peers that align differently. The
     * ICV check later covers whatever was chosen.
     */
    private static int findIntegrityPad(byte[] trailer, int expected) throws IpmiDecodeException {
        if (isPadAt(trailer, expected)) {
            return expected;
        }
        for (int p = 0; p <= 3; p++) {
            if (isPadAt(trailer, p)) {
                return p;
            }
        }
        throw new IpmiDecodeException(BAD_INTEGRITY, "no integrity pad length / next header 0x07 in trailer");
    }

    private static boolean isPadAt(byte[] t, int p) {
        return t.length >= p + 2 && (t[p] & 0xFF) == p && (t[p + 1] & 0xFF) == V20SessionPacket.NEXT_HEADER;
    }

    // ------------------------------------------------------------------------------------------ encode

    public static byte[] encode(RmcpMessage message) {
        ByteWriter w = new ByteWriter(96);
        if (message instanceof AsfPresencePing ping) {
            rmcpHeader(w, CLASS_ASF)
                    .u32be(AsfPresencePong.ASF_IANA)
                    .u8(ASF_PRESENCE_PING)
                    .u8(ping.tag())
                    .u8(0)
                    .u8(0);
        } else if (message instanceof AsfPresencePong pong) {
            rmcpHeader(w, CLASS_ASF)
                    .u32be(AsfPresencePong.ASF_IANA)
                    .u8(ASF_PRESENCE_PONG)
                    .u8(pong.tag())
                    .u8(0)
                    .u8(16)
                    .u32be(pong.oemIana())
                    .u32be(pong.oemDefined())
                    .u8(pong.supportedEntities())
                    .u8(pong.supportedInteractions())
                    .bytes(new byte[6]);
        } else if (message instanceof V15SessionPacket p) {
            byte[] msg = p.message();
            rmcpHeader(w, CLASS_IPMI)
                    .u8(p.authType().code())
                    .u32le(p.sessionSequence())
                    .u32le(p.sessionId())
                    .bytes(p.authCode())
                    .u8(msg.length)
                    .bytes(msg);
        } else if (message instanceof V20SessionPacket p) {
            checkEncodable(p);
            rmcpHeader(w, CLASS_IPMI);
            p.writeIntegrityCovered(w);
            w.bytes(p.authCode());
        }
        return w.toByteArray();
    }

    /**
     * Strict encode: an authenticated packet must be signed and padded exactly as
     * docs/ipmi.md#integrity-and-confidentiality says.
     */
    private static void checkEncodable(V20SessionPacket p) {
        if (!p.authenticated()) {
            return;
        }
        byte[] pad = p.integrityPad();
        if (pad.length != V20SessionPacket.requiredIntegrityPad(p.headerLength(), p.payloadLength())) {
            throw new IllegalArgumentException("integrity pad length " + pad.length + " breaks 4-byte alignment");
        }
        for (byte b : pad) {
            if (b != (byte) 0xFF) {
                throw new IllegalArgumentException("integrity pad bytes must be 0xFF");
            }
        }
        if (p.authCode().length == 0) {
            throw new IllegalArgumentException("authenticated packet has no auth code: sign it first");
        }
    }

    private static ByteWriter rmcpHeader(ByteWriter w, int rmcpClass) {
        return w.u8(RMCP_VERSION_1_0).u8(0).u8(RMCP_SEQ_NO_ACK).u8(rmcpClass);
    }
}
