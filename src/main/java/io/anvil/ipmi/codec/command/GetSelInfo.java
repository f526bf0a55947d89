package io.anvil.ipmi.codec.command;

import io.anvil.ipmi.codec.ByteReader;
import io.anvil.ipmi.codec.ByteWriter;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.lan.NetFn;

/** Get SEL Info, Storage 0x40 (IPMI v2.0 §31.2). */
public final class GetSelInfo {

    public static final int NET_FN = NetFn.STORAGE;
    public static final int COMMAND = 0x40;

    /** The request: this command carries no data. */
    public static final EmptyRequest REQUEST = new EmptyRequest(NET_FN, COMMAND);

    private GetSelInfo() {}

    /**
     * @param version            SEL version, BCD (0x51 = 1.5)
     * @param lastAddTimestamp   seconds since 1970 (unsigned 32-bit, LE on the wire)
     * @param operationSupport   b7 overflow, b3 delete, b2 partial add, b1 reserve, b0 get allocation info
     */
    public record Response(
            int version, int entries, int freeBytes, int lastAddTimestamp, int lastEraseTimestamp, int operationSupport)
            implements CommandResponse {

        public boolean overflow() {
            return (operationSupport & 0x80) != 0;
        }

        @Override
        public byte[] encode() {
            return new ByteWriter(14)
                    .u8(version)
                    .u16le(entries)
                    .u16le(freeBytes)
                    .u32le(lastAddTimestamp)
                    .u32le(lastEraseTimestamp)
                    .u8(operationSupport)
                    .toByteArray();
        }

        public static Response decode(byte[] data) throws IpmiDecodeException {
            ByteReader r = new ByteReader(data);
            return new Response(
                    r.u8("SEL version"),
                    r.u16le("entries"),
                    r.u16le("free space"),
                    r.u32le("last add timestamp"),
                    r.u32le("last erase timestamp"),
                    r.u8("operation support"));
        }
    }
}
