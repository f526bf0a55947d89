package io.anvil.ipmi.codec.lan;

import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.Hex;
import java.util.Arrays;
import java.util.Objects;

/**
 * IPMI request message: {@code rsAddr | netFn<<2|rsLUN | chk1 | rqAddr | rqSeq<<2|rqLUN | cmd | data | chk2}
 * (IPMI v2.0 §13.8).
 */
public record IpmiRequest(int rsAddr, int netFn, int rsLun, int rqAddr, int rqSeq, int rqLun, int command, byte[] data)
        implements IpmiMessage {

    public IpmiRequest {
        checkByte(rsAddr, "rsAddr");
        checkByte(rqAddr, "rqAddr");
        checkByte(command, "command");
        if (netFn < 0 || netFn > 0x3F || NetFn.isResponse(netFn)) {
            throw new IllegalArgumentException("request netFn must be even and 6 bits, got " + netFn);
        }
        if (rsLun < 0 || rsLun > 3 || rqLun < 0 || rqLun > 3) {
            throw new IllegalArgumentException("LUNs are 2 bits");
        }
        if (rqSeq < 0 || rqSeq > 0x3F) {
            throw new IllegalArgumentException("rqSeq is 6 bits, got " + rqSeq);
        }
        data = Objects.requireNonNull(data, "data").clone();
    }

    /** A request from the remote console (0x81) to the BMC (0x20), LUN 0 — what every LAN client sends. */
    public static IpmiRequest toBmc(int netFn, int command, int rqSeq, byte[] data) {
        return new IpmiRequest(BMC_ADDRESS, netFn, 0, REMOTE_CONSOLE_SWID, rqSeq, 0, command, data);
    }

    /** The response to this request, with addresses and LUNs mirrored (what a BMC simulator sends). */
    public IpmiResponse respond(int completionCode, byte[] responseData) {
        return new IpmiResponse(
                rqAddr, NetFn.response(netFn), rqLun, rsAddr, rqSeq, rsLun, command, completionCode, responseData);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(7 + data.length);
        w.u8(rsAddr).u8(netFn << 2 | rsLun);
        w.u8(-(rsAddr + (netFn << 2 | rsLun)) & 0xFF);
        w.u8(rqAddr).u8(rqSeq << 2 | rqLun).u8(command).bytes(data);
        byte[] head = w.toByteArray();
        return w.u8(IpmiChecksum.of(head, 3, head.length - 3)).toByteArray();
    }

    static void checkByte(int v, String name) {
        if (v < 0 || v > 0xFF) {
            throw new IllegalArgumentException(name + " is one byte, got " + v);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpmiRequest r
                && r.rsAddr == rsAddr
                && r.netFn == netFn
                && r.rsLun == rsLun
                && r.rqAddr == rqAddr
                && r.rqSeq == rqSeq
                && r.rqLun == rqLun
                && r.command == command
                && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rsAddr, netFn, rqSeq, command, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return String.format(
                "IpmiRequest[netFn=%02x, cmd=%02x, rqSeq=%d, rs=%02x/%d, rq=%02x/%d, data=%s]",
                netFn, command, rqSeq, rsAddr, rsLun, rqAddr, rqLun, Hex.of(data));
    }
}
