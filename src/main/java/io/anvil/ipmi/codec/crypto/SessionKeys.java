package io.anvil.ipmi.codec.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * Keys derived at the end of RAKP (IPMI v2.0 §13.31–§13.32): SIK = H_Kg(Rm ‖ Rc ‖ ROLEm ‖ ULENm ‖ UNAMEm),
 * K1 = H_SIK(0x01 × 20), K2 = H_SIK(0x02 × 20). The constants are 20 bytes even for SHA-256 (a 32-byte
 * constant does not interoperate). {@link #toString()} never shows key material.
 */
public final class SessionKeys {

    /** Length of the K1/K2 derivation constants for every algorithm (ipmitool CONST_1[20], FreeIPMI, pyghmi). */
    public static final int KEY_CONSTANT_LENGTH = 20;

    private final AuthAlgorithm algorithm;
    private final byte[] sik;
    private final byte[] k1;
    private final byte[] k2;

    private SessionKeys(AuthAlgorithm algorithm, byte[] sik, byte[] k1, byte[] k2) {
        this.algorithm = algorithm;
        this.sik = sik;
        this.k1 = k1;
        this.k2 = k2;
    }

    /** Derives K1 and K2 from a SIK with the suite's authentication HMAC. */
    public static SessionKeys fromSik(AuthAlgorithm algorithm, byte[] sik) {
        Objects.requireNonNull(algorithm, "algorithm");
        if (algorithm == AuthAlgorithm.RAKP_NONE) {
            return new SessionKeys(algorithm, new byte[0], new byte[0], new byte[0]);
        }
        byte[] one = new byte[KEY_CONSTANT_LENGTH];
        byte[] two = new byte[KEY_CONSTANT_LENGTH];
        Arrays.fill(one, (byte) 0x01);
        Arrays.fill(two, (byte) 0x02);
        return new SessionKeys(algorithm, sik.clone(), algorithm.hmac(sik, one), algorithm.hmac(sik, two));
    }

    public AuthAlgorithm algorithm() {
        return algorithm;
    }

    public byte[] sik() {
        return sik.clone();
    }

    /** Integrity key. */
    public byte[] k1() {
        return k1.clone();
    }

    /** Cipher key source; AES-CBC-128 uses its first 16 bytes. */
    public byte[] k2() {
        return k2.clone();
    }

    /** AES-CBC-128 key = K2[0..15] (IPMI v2.0 §13.31–§13.32). */
    public byte[] aesKey() {
        return Arrays.copyOf(k2, AesCbc128.KEY_LENGTH);
    }

    @Override
    public String toString() {
        return "SessionKeys[" + algorithm + ", sik/k1/k2=<masked>]";
    }
}
