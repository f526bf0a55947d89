package io.anvil.ipmi.codec.rmcpplus;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import java.util.Arrays;
import java.util.Objects;

/**
 * RAKP Message 4, payload type 0x15, 8 + ICV length (IPMI v2.0 §13.23):
 * {@code tag | status | 00 00 | SIDm | Integrity Check Value}.
 */
public record Rakp4(int tag, int status, int consoleSessionId, byte[] integrityCheckValue) {

    public static final int PAYLOAD_TYPE = PayloadType.RAKP_4;

    public Rakp4 {
        integrityCheckValue = Objects.requireNonNull(integrityCheckValue, "integrityCheckValue")
                .clone();
    }

    public boolean isSuccess() {
        return status == RmcpPlusStatus.NO_ERRORS;
    }

    public byte[] encode() {
        return new ByteWriter(8 + integrityCheckValue.length)
                .u8(tag)
                .u8(status)
                .u16le(0)
                .u32le(consoleSessionId)
                .bytes(integrityCheckValue)
                .toByteArray();
    }

    public static Rakp4 decode(byte[] payload) throws IpmiDecodeException {
        ByteReader r = new ByteReader(payload);
        int tag = r.u8("tag");
        int status = r.u8("status");
        if (status != RmcpPlusStatus.NO_ERRORS && r.remaining() < 6) {
            return new Rakp4(tag, status, 0, new byte[0]); // "tag, status" only
        }
        r.skip(2, "reserved");
        return new Rakp4(tag, status, r.u32le("console session id"), r.rest());
    }

    @Override
    public byte[] integrityCheckValue() {
        return integrityCheckValue.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rakp4 x
                && x.tag == tag
                && x.status == status
                && x.consoleSessionId == consoleSessionId
                && Arrays.equals(x.integrityCheckValue, integrityCheckValue);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tag, status, consoleSessionId);
    }

    @Override
    public String toString() {
        return String.format(
                "Rakp4[tag=%d, status=%s, SIDm=%08x, icv=%s]",
                tag, RmcpPlusStatus.describe(status), consoleSessionId, Hex.of(integrityCheckValue));
    }
}
