package io.anvil.ipmi.codec.crypto;

import java.util.Arrays;

/**
 * RMCP+ authentication algorithms (IPMI v2.0 §13.28). The algorithm's HMAC is used for the RAKP2/RAKP3 auth
 * codes, the SIK, K1/K2 (full digest) and the RAKP4 ICV (truncated, IPMI v2.0 §13.31–§13.32).
 */
public enum AuthAlgorithm {
    RAKP_NONE(0, null, 0, 0),
    RAKP_HMAC_SHA1(1, "HmacSHA1", 20, 12),
    RAKP_HMAC_MD5(2, "HmacMD5", 16, 16),
    RAKP_HMAC_SHA256(3, "HmacSHA256", 32, 16);

    private final int id;
    private final String jcaName;
    private final int digestLength;
    private final int rakp4IcvLength;

    AuthAlgorithm(int id, String jcaName, int digestLength, int rakp4IcvLength) {
        this.id = id;
        this.jcaName = jcaName;
        this.digestLength = digestLength;
        this.rakp4IcvLength = rakp4IcvLength;
    }

    public int id() {
        return id;
    }

    /** Length of RAKP2/RAKP3 KeyExchangeAuthCode, SIK, K1 and K2. */
    public int digestLength() {
        return digestLength;
    }

    /** RAKP4 Integrity Check Value length: SHA1→12, MD5→16, SHA256→16, none→0. */
    public int rakp4IcvLength() {
        return rakp4IcvLength;
    }

    /** Full HMAC of the concatenated parts; empty for RAKP-none. */
    public byte[] hmac(byte[] key, byte[]... parts) {
        return jcaName == null ? new byte[0] : Hmac.compute(jcaName, key, parts);
    }

    /** HMAC truncated to {@code length} bytes. */
    public byte[] hmac(int length, byte[] key, byte[]... parts) {
        return Arrays.copyOf(hmac(key, parts), length);
    }

    public static AuthAlgorithm byId(int id) {
        for (AuthAlgorithm a : values()) {
            if (a.id == id) {
                return a;
            }
        }
        return null;
    }
}
