package io.anvil.ipmi.codec.rmcpplus;

import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_FIELD;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.Privilege;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * RAKP Message 1, payload type 0x12, 28 + name length (IPMI v2.0 §13.20):
 * {@code tag | 00 00 00 | SIDc | Rm(16) | role | 00 00 | ulen | username}.
 *
 * @param role the whole role byte; {@link #role(Privilege, boolean)} sets the 0x10 name-only-lookup bit
 * that all mainstream clients send (docs/ipmi.md#interop-pitfalls, pitfall 3). It enters the RAKP HMACs as is.
 */
public record Rakp1(int tag, int bmcSessionId, byte[] consoleRandom, int role, byte[] username) {

    public static final int PAYLOAD_TYPE = PayloadType.RAKP_1;
    public static final int NAME_ONLY_LOOKUP = 0x10;

    public Rakp1 {
        consoleRandom = Objects.requireNonNull(consoleRandom, "consoleRandom").clone();
        username = Objects.requireNonNull(username, "username").clone();
        if (consoleRandom.length != 16) {
            throw new IllegalArgumentException("Rm is 16 bytes");
        }
        if (username.length > 16) {
            throw new IllegalArgumentException("user name is at most 16 bytes");
        }
    }

    public static int role(Privilege privilege, boolean nameOnlyLookup) {
        return privilege.code() | (nameOnlyLookup ? NAME_ONLY_LOOKUP : 0);
    }

    /** Requested privilege, without the lookup bit. */
    public int requestedPrivilege() {
        return role & 0x0F;
    }

    public String usernameString() {
        return new String(username, StandardCharsets.UTF_8);
    }

    public byte[] encode() {
        return new ByteWriter(28 + username.length)
                .u8(tag)
                .u8(0)
                .u16le(0)
                .u32le(bmcSessionId)
                .bytes(consoleRandom)
                .u8(role)
                .u16le(0)
                .u8(username.length)
                .bytes(username)
                .toByteArray();
    }

    public static Rakp1 decode(byte[] payload) throws IpmiDecodeException {
        ByteReader r = new ByteReader(payload);
        int tag = r.u8("tag");
        r.skip(3, "reserved");
        int sidc = r.u32le("BMC session id");
        byte[] rm = r.bytes(16, "Rm");
        int role = r.u8("role");
        r.skip(2, "reserved");
        int ulen = r.u8("user name length");
        if (ulen > 16) {
            throw new IpmiDecodeException(BAD_FIELD, "user name length " + ulen);
        }
        return new Rakp1(tag, sidc, rm, role, r.bytes(ulen, "user name"));
    }

    @Override
    public byte[] consoleRandom() {
        return consoleRandom.clone();
    }

    @Override
    public byte[] username() {
        return username.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rakp1 x
                && x.tag == tag
                && x.bmcSessionId == bmcSessionId
                && x.role == role
                && Arrays.equals(x.consoleRandom, consoleRandom)
                && Arrays.equals(x.username, username);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tag, bmcSessionId, role, Arrays.hashCode(consoleRandom));
    }

    @Override
    public String toString() {
        return String.format(
                "Rakp1[tag=%d, SIDc=%08x, Rm=%s, role=%02x, user=%s]",
                tag, bmcSessionId, Hex.of(consoleRandom), role, usernameString());
    }
}
