package io.anvil.ipmi.codec.lan;

/** IPMI message checksum: two's complement of the byte sum, so that sum + checksum ≡ 0 (mod 256), IPMI v2.0 §13.8. */
public final class IpmiChecksum {

    private IpmiChecksum() {}

    public static int of(byte[] bytes, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += bytes[i];
        }
        return -sum & 0xFF;
    }

    /** True when {@code bytes[offset .. offset+length)} followed by its checksum sums to zero. */
    public static boolean valid(byte[] bytes, int offset, int lengthWithChecksum) {
        int sum = 0;
        for (int i = offset; i < offset + lengthWithChecksum; i++) {
            sum += bytes[i];
        }
        return (sum & 0xFF) == 0;
    }
}
