package io.anvil.ipmi.codec.lan;

import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import java.util.Arrays;
import java.util.Objects;

/**
 * IPMI response message: {@code rqAddr | netFn<<2|rqLUN | chk1 | rsAddr | rqSeq<<2|rsLUN | cmd | cc | data |
 * chk2} (IPMI v2.0 §13.8). {@code data} excludes the completion code.
 */
public record IpmiResponse(
        int rqAddr,
        int netFn,
        int rqLun,
        int rsAddr,
        int rqSeq,
        int rsLun,
        int command,
        int completionCode,
        byte[] data)
        implements IpmiMessage {

    public IpmiResponse {
        IpmiRequest.checkByte(rqAddr, "rqAddr");
        IpmiRequest.checkByte(rsAddr, "rsAddr");
        IpmiRequest.checkByte(command, "command");
        IpmiRequest.checkByte(completionCode, "completionCode");
        if (netFn < 0 || netFn > 0x3F || !NetFn.isResponse(netFn)) {
            throw new IllegalArgumentException("response netFn must be odd and 6 bits, got " + netFn);
        }
        if (rsLun < 0 || rsLun > 3 || rqLun < 0 || rqLun > 3) {
            throw new IllegalArgumentException("LUNs are 2 bits");
        }
        if (rqSeq < 0 || rqSeq > 0x3F) {
            throw new IllegalArgumentException("rqSeq is 6 bits, got " + rqSeq);
        }
        data = Objects.requireNonNull(data, "data").clone();
    }

    public boolean isSuccess() {
        return completionCode == CompletionCode.OK;
    }

    /** Human-readable completion code, including the command-specific meanings (docs/ipmi.md#completion-codes). */
    public String completionCodeDescription() {
        return CompletionCode.describe(netFn & ~1, command, completionCode);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(8 + data.length);
        w.u8(rqAddr).u8(netFn << 2 | rqLun);
        w.u8(-(rqAddr + (netFn << 2 | rqLun)) & 0xFF);
        w.u8(rsAddr).u8(rqSeq << 2 | rsLun).u8(command).u8(completionCode).bytes(data);
        byte[] head = w.toByteArray();
        return w.u8(IpmiChecksum.of(head, 3, head.length - 3)).toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpmiResponse r
                && r.rqAddr == rqAddr
                && r.netFn == netFn
                && r.rqLun == rqLun
                && r.rsAddr == rsAddr
                && r.rqSeq == rqSeq
                && r.rsLun == rsLun
                && r.command == command
                && r.completionCode == completionCode
                && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(netFn, rqSeq, command, completionCode, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return String.format(
                "IpmiResponse[netFn=%02x, cmd=%02x, rqSeq=%d, cc=%02x, rq=%02x/%d, rs=%02x/%d, data=%s]",
                netFn, command, rqSeq, completionCode, rqAddr, rqLun, rsAddr, rsLun, Hex.of(data));
    }
}
