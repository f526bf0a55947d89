package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.lan.NetFn;
import java.util.Arrays;
import java.util.Objects;

/**
 * Activate Session, App 0x3A (IPMI v2.0 §22.17). IPMI v1.5 only. The request travels in a packet already
 * authenticated over the temporary session id with sequence 0.
 */
public final class ActivateSession {

    public static final int NET_FN = NetFn.APP;
    public static final int COMMAND = 0x3A;

    private ActivateSession() {}

    /**
     * @param initialOutboundSequence the sequence number the BMC shall start with towards us; never 0
     */
    public record Request(AuthType authType, Privilege maxPrivilege, byte[] challenge, int initialOutboundSequence)
            implements CommandRequest {

        public Request {
            Objects.requireNonNull(authType, "authType");
            Objects.requireNonNull(maxPrivilege, "maxPrivilege");
            if (challenge.length != 16) {
                throw new IllegalArgumentException("challenge is 16 bytes");
            }
            challenge = challenge.clone();
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
        public byte[] challenge() {
            return challenge.clone();
        }

        @Override
        public byte[] encode() {
            return new ByteWriter(22)
                    .u8(authType.code())
                    .u8(maxPrivilege.code())
                    .bytes(challenge)
                    .u32le(initialOutboundSequence)
                    .toByteArray();
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            return new Request(
                    AuthType.fromCode(r.u8("auth type") & 0x0F),
                    Privilege.fromCode(r.u8("max privilege") & 0x0F),
                    r.bytes(16, "challenge"),
                    r.u32le("initial outbound sequence"));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Request x
                    && x.authType == authType
                    && x.maxPrivilege == maxPrivilege
                    && Arrays.equals(x.challenge, challenge)
                    && x.initialOutboundSequence == initialOutboundSequence;
        }

        @Override
        public int hashCode() {
            return Objects.hash(authType, maxPrivilege, initialOutboundSequence);
        }

        @Override
        public String toString() {
            return String.format(
                    "ActivateSession.Request[%s, %s, challenge=%s, outboundSeq=%08x]",
                    authType, maxPrivilege, Hex.of(challenge), initialOutboundSequence);
        }
    }

    /** @param initialInboundSequence the sequence number we must use for our first in-session packet */
    public record Response(AuthType authType, int sessionId, int initialInboundSequence, Privilege maxPrivilege)
            implements CommandResponse {

        @Override
        public byte[] encode() {
            return new ByteWriter(10)
                    .u8(authType.code())
                    .u32le(sessionId)
                    .u32le(initialInboundSequence)
                    .u8(maxPrivilege.code())
                    .toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            return new Response(
                    AuthType.fromCode(r.u8("auth type") & 0x0F),
                    r.u32le("session id"),
                    r.u32le("initial inbound sequence"),
                    Privilege.fromCode(r.u8("max privilege") & 0x0F));
        }
    }
}
