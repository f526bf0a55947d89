package io.anvil.ipmi.codec.rmcpplus;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import java.util.Arrays;
import java.util.Objects;

/**
 * RAKP Message 3, payload type 0x14, 8 + digest length (IPMI v2.0 §13.22):
 * {@code tag | status | 00 00 | SIDc | KeyExchangeAuthCode}. A non-zero status aborts the handshake.
 */
public record Rakp3(int tag, int status, int bmcSessionId, byte[] keyExchangeAuthCode) {

    public static final int PAYLOAD_TYPE = PayloadType.RAKP_3;

    public Rakp3 {
        keyExchangeAuthCode = Objects.requireNonNull(keyExchangeAuthCode, "keyExchangeAuthCode")
                .clone();
    }

    public byte[] encode() {
        return new ByteWriter(8 + keyExchangeAuthCode.length)
                .u8(tag)
                .u8(status)
                .u16le(0)
                .u32le(bmcSessionId)
                .bytes(keyExchangeAuthCode)
                .toByteArray();
    }

    public static Rakp3 decode(byte[] payload) throws IpmiDecodeException {
        ByteReader r = new ByteReader(payload);
        int tag = r.u8("tag");
        int status = r.u8("status");
        r.skip(2, "reserved");
        return new Rakp3(tag, status, r.u32le("BMC session id"), r.rest());
    }

    @Override
    public byte[] keyExchangeAuthCode() {
        return keyExchangeAuthCode.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rakp3 x
                && x.tag == tag
                && x.status == status
                && x.bmcSessionId == bmcSessionId
                && Arrays.equals(x.keyExchangeAuthCode, keyExchangeAuthCode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tag, status, bmcSessionId);
    }

    @Override
    public String toString() {
        return String.format(
                "Rakp3[tag=%d, status=%s, SIDc=%08x, authCode=%s]",
                tag, RmcpPlusStatus.describe(status), bmcSessionId, Hex.of(keyExchangeAuthCode));
    }
}
