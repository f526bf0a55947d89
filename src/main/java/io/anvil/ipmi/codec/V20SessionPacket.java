package io.anvil.ipmi.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * IPMI v2.0 / RMCP+ session packet (auth type 6, IPMI v2.0 §13.6) as it is on the wire: header fields, the
 * payload (for encrypted packets: IV ‖ ciphertext, still encrypted) and, when the authenticated bit is set,
 * the integrity trailer (docs/ipmi.md#integrity-and-confidentiality): integrity pad, next header 0x07 and the auth code
 * (ICV).
 *
 * <p>The codec only checks structure. Verifying the ICV, decrypting, and checking session id and sequence
 * is the job of {@link io.anvil.ipmi.codec.session.RmcpPlusSession}, which owns the keys. That object
 * recomputes the ICV over {@link #integrityInput()}, which re-serialises the same bytes that were received
 * (every header field, including the raw integrity pad, is kept), so decode → verify is exact.
 */
public record V20SessionPacket(
        int payloadType,
        boolean encrypted,
        boolean authenticated,
        int oemIana,
        int oemPayloadId,
        int sessionId,
        int sessionSequence,
        byte[] payload,
        byte[] integrityPad,
        byte[] authCode)
        implements RmcpMessage {

    /** Next Header value that ends the integrity trailer (docs/ipmi.md#integrity-and-confidentiality). */
    public static final int NEXT_HEADER = 0x07;

    public V20SessionPacket {
        if (payloadType < 0 || payloadType > 0x3F) {
            throw new IllegalArgumentException("payload type is 6 bits, got " + payloadType);
        }
        Objects.requireNonNull(payload, "payload");
        if (payload.length > 0xFFFF) {
            throw new IllegalArgumentException("payload length is 16 bits");
        }
        integrityPad = integrityPad == null ? new byte[0] : integrityPad.clone();
        authCode = authCode == null ? new byte[0] : authCode.clone();
        if (!authenticated && (integrityPad.length != 0 || authCode.length != 0)) {
            throw new IllegalArgumentException("integrity trailer on an unauthenticated packet");
        }
        if (integrityPad.length > 3) {
            throw new IllegalArgumentException("integrity pad is 0..3 bytes");
        }
        if (payloadType != PayloadType.OEM_EXPLICIT && (oemIana != 0 || oemPayloadId != 0)) {
            throw new IllegalArgumentException("OEM IANA/payload id only exist for payload type 0x02");
        }
        payload = payload.clone();
    }

    /**
     * Pre-session packet (session id 0, sequence 0, no trailer): Open Session and RAKP 1–4
     * (docs/ipmi.md#sequence-numbers).
     */
    public static V20SessionPacket presession(int payloadType, byte[] payload) {
        return new V20SessionPacket(payloadType, false, false, 0, 0, 0, 0, payload, null, null);
    }

    /** In-session packet without integrity or confidentiality (cipher suites 0 and 1). */
    public static V20SessionPacket plain(int payloadType, int sessionId, int sessionSequence, byte[] payload) {
        return new V20SessionPacket(payloadType, false, false, 0, 0, sessionId, sessionSequence, payload, null, null);
    }

    /** Bytes between the auth type byte and the payload: 12, or 18 with the OEM IANA and payload id. */
    public int headerLength() {
        return payloadType == PayloadType.OEM_EXPLICIT ? 18 : 12;
    }

    /**
     * Integrity pad length the spec asks for: it makes the bytes from the auth type through Next Header a
     * multiple of 4 (docs/ipmi.md#integrity-and-confidentiality). Example: 32-byte payload → 12 + 32 + 2 = 46 → pad 2.
     */
    public static int requiredIntegrityPad(int headerLength, int payloadLength) {
        return (4 - (headerLength + payloadLength + 2) % 4) % 4;
    }

    /** Payload type byte: b7 encrypted, b6 authenticated, b5:0 type. */
    public int payloadTypeByte() {
        return (encrypted ? 0x80 : 0) | (authenticated ? 0x40 : 0) | payloadType;
    }

    /** Writes everything from the auth type byte (offset 4) up to, not including, the auth code. */
    public void writeIntegrityCovered(ByteWriter w) {
        w.u8(AuthType.RMCP_PLUS.code()).u8(payloadTypeByte());
        if (payloadType == PayloadType.OEM_EXPLICIT) {
            w.u32le(oemIana).u16le(oemPayloadId);
        }
        w.u32le(sessionId).u32le(sessionSequence).u16le(payload.length).bytes(payload);
        if (authenticated) {
            w.bytes(integrityPad).u8(integrityPad.length).u8(NEXT_HEADER);
        }
    }

    /** The bytes the ICV covers: auth type byte through Next Header (the RMCP header is not covered). */
    public byte[] integrityInput() {
        ByteWriter w = new ByteWriter(headerLength() + payload.length + 6);
        writeIntegrityCovered(w);
        return w.toByteArray();
    }

    /** A copy of this packet with the given auth code (used when signing). */
    public V20SessionPacket withAuthCode(byte[] code) {
        return new V20SessionPacket(
                payloadType,
                encrypted,
                authenticated,
                oemIana,
                oemPayloadId,
                sessionId,
                sessionSequence,
                payload,
                integrityPad,
                code);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public byte[] integrityPad() {
        return integrityPad.clone();
    }

    @Override
    public byte[] authCode() {
        return authCode.clone();
    }

    /** Payload length without copying. */
    public int payloadLength() {
        return payload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof V20SessionPacket p
                && p.payloadType == payloadType
                && p.encrypted == encrypted
                && p.authenticated == authenticated
                && p.oemIana == oemIana
                && p.oemPayloadId == oemPayloadId
                && p.sessionId == sessionId
                && p.sessionSequence == sessionSequence
                && Arrays.equals(p.payload, payload)
                && Arrays.equals(p.integrityPad, integrityPad)
                && Arrays.equals(p.authCode, authCode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(payloadType, sessionId, sessionSequence, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return String.format(
                "V20SessionPacket[%s%s%s, sessionId=%08x, seq=%08x, payload(%d)=%s%s]",
                PayloadType.name(payloadType),
                encrypted ? ", encrypted" : "",
                authenticated ? ", authenticated" : "",
                sessionId,
                sessionSequence,
                payload.length,
                encrypted ? "<ciphertext>" : Hex.of(payload),
                authenticated ? ", icv=" + Hex.of(authCode) : "");
    }
}
