package io.anvil.ipmi.codec;

import java.util.Arrays;

/**
 * Bounds-checked little-endian reader over a byte array. Every read past the end becomes an
 * {@link IpmiDecodeException} with reason TRUNCATED instead of an unchecked exception, which is what
 * keeps decoders total over arbitrary input.
 */
public final class ByteReader {

    private final byte[] buf;
    private final int end;
    private int pos;

    public ByteReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ByteReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    private void need(int n, String what) throws IpmiDecodeException {
        if (n < 0 || end - pos < n) {
            throw new IpmiDecodeException(
                    IpmiDecodeException.Reason.TRUNCATED, what + ": need " + n + " byte(s), have " + (end - pos));
        }
    }

    public int u8(String what) throws IpmiDecodeException {
        need(1, what);
        return buf[pos++] & 0xFF;
    }

    public int peekU8(int ahead, String what) throws IpmiDecodeException {
        need(ahead + 1, what);
        return buf[pos + ahead] & 0xFF;
    }

    public int u16le(String what) throws IpmiDecodeException {
        need(2, what);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    public int u24le(String what) throws IpmiDecodeException {
        need(3, what);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16;
        pos += 3;
        return v;
    }

    public int u32le(String what) throws IpmiDecodeException {
        need(4, what);
        int v = (buf[pos] & 0xFF)
                | (buf[pos + 1] & 0xFF) << 8
                | (buf[pos + 2] & 0xFF) << 16
                | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    public int u32be(String what) throws IpmiDecodeException {
        need(4, what);
        int v = (buf[pos] & 0xFF) << 24
                | (buf[pos + 1] & 0xFF) << 16
                | (buf[pos + 2] & 0xFF) << 8
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public byte[] bytes(int n, String what) throws IpmiDecodeException {
        need(n, what);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    public byte[] rest() {
        byte[] out = Arrays.copyOfRange(buf, pos, end);
        pos = end;
        return out;
    }

    public void skip(int n, String what) throws IpmiDecodeException {
        need(n, what);
        pos += n;
    }
}
