package io.anvil.ipmi.codec.rmcpplus;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import java.util.Arrays;
import java.util.Objects;

/**
 * RAKP Message 2, payload type 0x13, 40 + digest length (IPMI v2.0 §13.21):
 * {@code tag | status | 00 00 | SIDm | Rc(16) | GUIDc(16) | KeyExchangeAuthCode}. On error a BMC may send
 * only the first 8 bytes; then Rc and GUIDc are empty. Match on session ids, not tags (OpenBMC sends tag 0).
 */
public record Rakp2(
        int tag, int status, int consoleSessionId, byte[] bmcRandom, byte[] bmcGuid, byte[] keyExchangeAuthCode) {

    public static final int PAYLOAD_TYPE = PayloadType.RAKP_2;

    public Rakp2 {
        bmcRandom = Objects.requireNonNull(bmcRandom, "bmcRandom").clone();
        bmcGuid = Objects.requireNonNull(bmcGuid, "bmcGuid").clone();
        keyExchangeAuthCode = Objects.requireNonNull(keyExchangeAuthCode, "keyExchangeAuthCode")
                .clone();
        boolean shortError = status != RmcpPlusStatus.NO_ERRORS && bmcRandom.length == 0 && bmcGuid.length == 0;
        if (!shortError && (bmcRandom.length != 16 || bmcGuid.length != 16)) {
            throw new IllegalArgumentException("Rc and GUIDc are 16 bytes");
        }
    }

    public boolean isSuccess() {
        return status == RmcpPlusStatus.NO_ERRORS;
    }

    public byte[] encode() {
        return new ByteWriter(40 + keyExchangeAuthCode.length)
                .u8(tag)
                .u8(status)
                .u16le(0)
                .u32le(consoleSessionId)
                .bytes(bmcRandom)
                .bytes(bmcGuid)
                .bytes(keyExchangeAuthCode)
                .toByteArray();
    }

    public static Rakp2 decode(byte[] payload) throws IpmiDecodeException {
        ByteReader r = new ByteReader(payload);
        int tag = r.u8("tag");
        int status = r.u8("status");
        if (status != RmcpPlusStatus.NO_ERRORS && r.remaining() < 6) {
            return new Rakp2(tag, status, 0, new byte[0], new byte[0], new byte[0]); // "tag, status" only
        }
        r.skip(2, "reserved");
        int sidm = r.u32le("console session id");
        if (status != RmcpPlusStatus.NO_ERRORS && r.remaining() < 32) {
            return new Rakp2(tag, status, sidm, new byte[0], new byte[0], new byte[0]);
        }
        return new Rakp2(tag, status, sidm, r.bytes(16, "Rc"), r.bytes(16, "GUIDc"), r.rest());
    }

    @Override
    public byte[] bmcRandom() {
        return bmcRandom.clone();
    }

    @Override
    public byte[] bmcGuid() {
        return bmcGuid.clone();
    }

    @Override
    public byte[] keyExchangeAuthCode() {
        return keyExchangeAuthCode.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rakp2 x
                && x.tag == tag
                && x.status == status
                && x.consoleSessionId == consoleSessionId
                && Arrays.equals(x.bmcRandom, bmcRandom)
                && Arrays.equals(x.bmcGuid, bmcGuid)
                && Arrays.equals(x.keyExchangeAuthCode, keyExchangeAuthCode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tag, status, consoleSessionId, Arrays.hashCode(bmcRandom));
    }

    @Override
    public String toString() {
        return String.format(
                "Rakp2[tag=%d, status=%s, SIDm=%08x, Rc=%s, GUIDc=%s, authCode=%s]",
                tag,
                RmcpPlusStatus.describe(status),
                consoleSessionId,
                Hex.of(bmcRandom),
                Hex.of(bmcGuid),
                Hex.of(keyExchangeAuthCode));
    }
}
