package io.anvil.ipmi.codec.crypto;

import java.util.Arrays;

/**
 * RMCP+ integrity algorithms (IPMI v2.0 §13.28, docs/ipmi.md#integrity-and-confidentiality). The ICV is the HMAC under
 * K1 of the bytes from the auth type byte through Next Header, truncated to {@link #icvLength()}. MD5-128 (id 3, a
 * keyed MD5 that is not an HMAC) is listed for decoding Open Session payloads but not implemented.
 */
public enum IntegrityAlgorithm {
    NONE(0, null, 0),
    HMAC_SHA1_96(1, "HmacSHA1", 12),
    HMAC_MD5_128(2, "HmacMD5", 16),
    MD5_128(3, null, 16),
    HMAC_SHA256_128(4, "HmacSHA256", 16);

    private final int id;
    private final String jcaName;
    private final int icvLength;

    IntegrityAlgorithm(int id, String jcaName, int icvLength) {
        this.id = id;
        this.jcaName = jcaName;
        this.icvLength = icvLength;
    }

    public int id() {
        return id;
    }

    public int icvLength() {
        return icvLength;
    }

    /** JCA Mac name, or null for NONE and the unimplemented MD5-128. */
    public String jcaName() {
        return jcaName;
    }

    public boolean implemented() {
        return this == NONE || jcaName != null;
    }

    /** ICV = HMAC_K1(input) truncated (docs/ipmi.md#integrity-and-confidentiality). */
    public byte[] icv(byte[] k1, byte[] input) {
        if (jcaName == null) {
            throw new UnsupportedOperationException("no ICV for " + this);
        }
        return Arrays.copyOf(Hmac.compute(jcaName, k1, input), icvLength);
    }

    public static IntegrityAlgorithm byId(int id) {
        for (IntegrityAlgorithm a : values()) {
            if (a.id == id) {
                return a;
            }
        }
        return null;
    }
}
