package io.anvil.ipmi.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * IPMI v1.5 session packet (IPMI v2.0 §13.6): auth type, session sequence, session id, 16-byte auth code
 * (absent for auth type NONE) and one IPMI LAN message (still raw bytes: checksums are checked by
 * {@link io.anvil.ipmi.codec.lan.IpmiMessages}). The auth code is computed and verified by
 * {@link io.anvil.ipmi.codec.session.V15Session}, not by the codec.
 *
 * <p>{@link #toString()} never prints the auth code: for STRAIGHT_PASSWORD it is the password itself.
 */
public record V15SessionPacket(AuthType authType, int sessionSequence, int sessionId, byte[] authCode, byte[] message)
        implements RmcpMessage {

    public static final int AUTH_CODE_LENGTH = 16;

    public V15SessionPacket {
        Objects.requireNonNull(authType, "authType");
        Objects.requireNonNull(message, "message");
        if (authType == AuthType.RMCP_PLUS) {
            throw new IllegalArgumentException("auth type 6 is the RMCP+ format, use V20SessionPacket");
        }
        authCode = authCode == null ? new byte[0] : authCode.clone();
        int expected = authType == AuthType.NONE ? 0 : AUTH_CODE_LENGTH;
        if (authCode.length != expected) {
            throw new IllegalArgumentException("auth code for " + authType + " must be " + expected + " bytes");
        }
        if (message.length > 0xFF) {
            throw new IllegalArgumentException("v1.5 message length is one byte, got " + message.length);
        }
        message = message.clone();
    }

    /** Pre-session packet (auth type NONE, sequence 0, session id 0), e.g. Get Channel Auth Capabilities. */
    public static V15SessionPacket presession(byte[] message) {
        return new V15SessionPacket(AuthType.NONE, 0, 0, null, message);
    }

    @Override
    public byte[] authCode() {
        return authCode.clone();
    }

    @Override
    public byte[] message() {
        return message.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof V15SessionPacket p
                && p.authType == authType
                && p.sessionSequence == sessionSequence
                && p.sessionId == sessionId
                && Arrays.equals(p.authCode, authCode)
                && Arrays.equals(p.message, message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(authType, sessionSequence, sessionId, Arrays.hashCode(message));
    }

    @Override
    public String toString() {
        return String.format(
                "V15SessionPacket[authType=%s, seq=%08x, sessionId=%08x, authCode=%s, message=%s]",
                authType, sessionSequence, sessionId, authCode.length == 0 ? "none" : "<masked>", Hex.of(message));
    }
}
