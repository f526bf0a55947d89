package io.anvil.ipmi.codec.session;

import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_AUTH_CODE;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.SEQUENCE_REJECTED;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.WRONG_SESSION;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.crypto.Hmac;
import io.anvil.ipmi.codec.crypto.V15AuthCode;
import io.anvil.ipmi.codec.lan.IpmiMessage;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import java.util.Objects;

/**
 * State of one activated IPMI v1.5 session (IPMI v2.0 §13.6, docs/ipmi.md#v15-sessions), usable by either end: the
 * session id (the same in both directions), the auth type and password, our outbound sequence counter and the receive
 * window (repeats tolerated, docs/ipmi.md#v15-sessions). Not thread-safe; confine to the owning context.
 *
 * <p>With {@code perMessageAuthentication = false} (Get Channel Auth Caps status bit 4) we send auth type
 * NONE and accept either NONE or authenticated packets (Dell PE2850 authenticates anyway, IPMI v2.0 §13.6).
 */
public final class V15Session {

    private final AuthType authType;
    private final byte[] password;
    private final int sessionId;
    private final boolean perMessageAuthentication;
    private final SessionSequence outbound;
    private final SequenceWindow inbound;

    public V15Session(
            AuthType authType,
            byte[] password,
            int sessionId,
            int firstOutboundSequence,
            boolean perMessageAuthentication) {
        this.authType = Objects.requireNonNull(authType, "authType");
        if (authType == AuthType.RMCP_PLUS || authType == AuthType.OEM) {
            throw new IllegalArgumentException("not a v1.5 auth type: " + authType);
        }
        this.password = V15AuthCode.pw16(password);
        this.sessionId = sessionId;
        this.perMessageAuthentication = perMessageAuthentication;
        this.outbound = new SessionSequence(firstOutboundSequence);
        this.inbound = SequenceWindow.v15();
    }

    /**
     * Builds one authenticated packet outside a running session — the Activate Session request, which is
     * signed over the temporary session id with sequence 0 (IPMI v2.0 §22.17).
     */
    public static V15SessionPacket sign(
            AuthType authType, byte[] password, int sessionId, int sequence, byte[] message) {
        return new V15SessionPacket(
                authType,
                sequence,
                sessionId,
                V15AuthCode.compute(authType, password, sessionId, sequence, message),
                message);
    }

    /**
     * Checks the auth code of one packet against {@code password} (e.g. the Activate Session response).
     * Total over decoded input: false for OEM, true for NONE (there is nothing to check).
     */
    public static boolean verify(V15SessionPacket packet, byte[] password) {
        if (packet.authType() == AuthType.OEM) {
            return false; // OEM auth codes are proprietary: never "verified" (and never thrown on)
        }
        byte[] expected = V15AuthCode.compute(
                packet.authType(), password, packet.sessionId(), packet.sessionSequence(), packet.message());
        return Hmac.equal(expected, packet.authCode());
    }

    public int sessionId() {
        return sessionId;
    }

    public AuthType authType() {
        return authType;
    }

    /** Wraps an encoded IPMI message with the next sequence number and its auth code. */
    public V15SessionPacket seal(byte[] message) {
        AuthType type = perMessageAuthentication ? authType : AuthType.NONE;
        return sign(type, password, sessionId, outbound.next(), message);
    }

    public V15SessionPacket seal(IpmiMessage message) {
        return seal(message.encode());
    }

    /** Verifies session id, auth type and auth code, then the receive window; returns the message bytes. */
    public byte[] open(V15SessionPacket packet) throws IpmiDecodeException {
        if (packet.sessionId() != sessionId) {
            throw new IpmiDecodeException(
                    WRONG_SESSION, String.format("session id %08x, expected %08x", packet.sessionId(), sessionId));
        }
        boolean unauthenticatedAllowed = !perMessageAuthentication || authType == AuthType.NONE;
        if (packet.authType() == AuthType.NONE) {
            if (!unauthenticatedAllowed) {
                throw new IpmiDecodeException(BAD_AUTH_CODE, "unauthenticated packet in an authenticated session");
            }
        } else if (packet.authType() != authType) {
            throw new IpmiDecodeException(
                    WRONG_SESSION, "auth type " + packet.authType() + ", session uses " + authType);
        } else if (!verify(packet, password)) {
            throw new IpmiDecodeException(BAD_AUTH_CODE, "v1.5 auth code mismatch");
        }
        if (!inbound.accept(packet.sessionSequence())) {
            throw new IpmiDecodeException(
                    SEQUENCE_REJECTED, String.format("sequence %08x outside window", packet.sessionSequence()));
        }
        return packet.message();
    }

    public IpmiMessage openMessage(V15SessionPacket packet) throws IpmiDecodeException {
        return IpmiMessages.decode(open(packet));
    }

    @Override
    public String toString() {
        return String.format(
                "V15Session[%s, sessionId=%08x, nextSeq=%08x, password=<masked>]",
                authType, sessionId, outbound.peek());
    }
}
