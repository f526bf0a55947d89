package io.anvil.ipmi.codec.lan;

import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_CHECKSUM;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_FIELD;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.TRUNCATED;

import io.anvil.ipmi.codec.IpmiDecodeException;
import java.util.Arrays;

/** Decoder for IPMI LAN messages (IPMI v2.0 §13.8); encoding is {@link IpmiMessage#encode()}. */
public final class IpmiMessages {

    /** Smallest request: 6 header bytes + checksum; a response adds the completion code. */
    public static final int MIN_REQUEST = 7;

    public static final int MIN_RESPONSE = 8;

    private IpmiMessages() {}

    /** Decodes a request or a response, told apart by the netFn parity; both checksums must be right. */
    public static IpmiMessage decode(byte[] m) throws IpmiDecodeException {
        return decode(m, true);
    }

    /**
     * @param verifyChecksums false only for targets with a "no checksum check" workaround (Supermicro X9,
     *                        docs/ipmi.md#interop-pitfalls, pitfall 6); the length rules still apply.
     */
    public static IpmiMessage decode(byte[] m, boolean verifyChecksums) throws IpmiDecodeException {
        if (m.length < MIN_REQUEST) {
            throw new IpmiDecodeException(TRUNCATED, "IPMI message of " + m.length + " bytes");
        }
        if (verifyChecksums && !IpmiChecksum.valid(m, 0, 3)) {
            throw new IpmiDecodeException(BAD_CHECKSUM, "header checksum");
        }
        if (verifyChecksums && !IpmiChecksum.valid(m, 3, m.length - 3)) {
            throw new IpmiDecodeException(BAD_CHECKSUM, "body checksum");
        }
        int addr1 = m[0] & 0xFF;
        int netFn = (m[1] & 0xFF) >>> 2;
        int lun1 = m[1] & 3;
        int addr2 = m[3] & 0xFF;
        int rqSeq = (m[4] & 0xFF) >>> 2;
        int lun2 = m[4] & 3;
        int cmd = m[5] & 0xFF;
        if (!NetFn.isResponse(netFn)) {
            return new IpmiRequest(addr1, netFn, lun1, addr2, rqSeq, lun2, cmd, Arrays.copyOfRange(m, 6, m.length - 1));
        }
        if (m.length < MIN_RESPONSE) {
            throw new IpmiDecodeException(BAD_FIELD, "response without completion code");
        }
        return new IpmiResponse(
                addr1, netFn, lun1, addr2, rqSeq, lun2, cmd, m[6] & 0xFF, Arrays.copyOfRange(m, 7, m.length - 1));
    }

    public static IpmiRequest decodeRequest(byte[] m) throws IpmiDecodeException {
        if (decode(m) instanceof IpmiRequest r) {
            return r;
        }
        throw new IpmiDecodeException(BAD_FIELD, "expected a request, got a response netFn");
    }

    public static IpmiResponse decodeResponse(byte[] m) throws IpmiDecodeException {
        if (decode(m) instanceof IpmiResponse r) {
            return r;
        }
        throw new IpmiDecodeException(BAD_FIELD, "expected a response, got a request netFn");
    }
}
