package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Get Session Challenge, App 0x39 (IPMI v2.0 §22.16). IPMI v1.5 only, sent pre-session. */
public final class GetSessionChallenge {

    public static final int NET_FN = NetFn.APP;
    public static final int COMMAND = 0x39;

    private GetSessionChallenge() {}

    /** @param username up to 16 bytes; sent zero-padded to 16, kept without the padding */
    public record Request(AuthType authType, byte[] username) implements CommandRequest {

        public Request {
            username = Arrays.copyOf(username, username.length);
            if (username.length > 16) {
                throw new IllegalArgumentException("user name is at most 16 bytes");
            }
        }

        public static Request of(AuthType authType, String username) {
            return new Request(authType, username.getBytes(StandardCharsets.UTF_8));
        }

        public String usernameString() {
            return new String(username, StandardCharsets.UTF_8);
        }

        @Override
        public byte[] username() {
            return username.clone();
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
            return new ByteWriter(17)
                    .u8(authType.code())
                    .bytes(Arrays.copyOf(username, 16))
                    .toByteArray();
        }

        public static Request decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            AuthType type = AuthType.fromCode(r.u8("auth type") & 0x0F);
            byte[] field = r.bytes(16, "user name");
            int end = 0;
            while (end < field.length && field[end] != 0) {
                end++;
            }
            return new Request(type, Arrays.copyOf(field, end));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Request x && x.authType == authType && Arrays.equals(x.username, username);
        }

        @Override
        public int hashCode() {
            return authType.hashCode() * 31 + Arrays.hashCode(username);
        }

        @Override
        public String toString() {
            return "GetSessionChallenge.Request[" + authType + ", user=" + usernameString() + "]";
        }
    }

    public record Response(int temporarySessionId, byte[] challenge) implements CommandResponse {

        public Response {
            if (challenge.length != 16) {
                throw new IllegalArgumentException("challenge is 16 bytes");
            }
            challenge = challenge.clone();
        }

        @Override
        public byte[] challenge() {
            return challenge.clone();
        }

        @Override
        public byte[] encode() {
            return new ByteWriter(20).u32le(temporarySessionId).bytes(challenge).toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            return new Response(r.u32le("temporary session id"), r.bytes(16, "challenge"));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response x
                    && x.temporarySessionId == temporarySessionId
                    && Arrays.equals(x.challenge, challenge);
        }

        @Override
        public int hashCode() {
            return temporarySessionId * 31 + Arrays.hashCode(challenge);
        }

        @Override
        public String toString() {
            return String.format(
                    "GetSessionChallenge.Response[tempSessionId=%08x, challenge=%s]",
                    temporarySessionId, Hex.of(challenge));
        }
    }
}
