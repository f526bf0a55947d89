package io.anvil.ipmi.codec.crypto;

import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_CONFIDENTIALITY;

import io.anvil.ipmi.codec.IpmiDecodeException;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-CBC-128 confidentiality (IPMI v2.0 §13.29): payload = IV(16) ‖ AES-CBC(K2[0..15], IV, plaintext ‖ 01 02 … N ‖ N),
 * N ∈ 0..15 so the total is a multiple of 16. Not PKCS#7; the JCA cipher runs with NoPadding.
 * Decoding accepts N = 16 (a whole extra block, seen on some BMCs, gebn/bmc PR #63) but checks the pad bytes.
 *
 * <p>One instance per session: it keeps a {@link Cipher}, which is not thread-safe.
 */
public final class AesCbc128 {

    public static final int KEY_LENGTH = 16;
    public static final int BLOCK = 16;

    private final SecretKeySpec key;
    private final Cipher cipher;

    public AesCbc128(byte[] key16) {
        if (key16.length != KEY_LENGTH) {
            throw new IllegalArgumentException("AES-128 key must be 16 bytes");
        }
        this.key = new SecretKeySpec(key16, "AES");
        try {
            this.cipher = Cipher.getInstance("AES/CBC/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CBC/NoPadding is part of every Java runtime", e);
        }
    }

    /** Plaintext followed by the IPMI confidentiality trailer 01 02 … N ‖ N. */
    public static byte[] pad(byte[] plaintext) {
        int n = (BLOCK - (plaintext.length + 1) % BLOCK) % BLOCK;
        byte[] out = Arrays.copyOf(plaintext, plaintext.length + n + 1);
        for (int i = 1; i <= n; i++) {
            out[plaintext.length + i - 1] = (byte) i;
        }
        out[out.length - 1] = (byte) n;
        return out;
    }

    /** Strips and checks the confidentiality trailer (N ≤ 16, pad bytes exactly 1..N). */
    public static byte[] unpad(byte[] padded) throws IpmiDecodeException {
        if (padded.length == 0) {
            throw new IpmiDecodeException(BAD_CONFIDENTIALITY, "empty plaintext");
        }
        int n = padded[padded.length - 1] & 0xFF;
        if (n > BLOCK || n + 1 > padded.length) {
            throw new IpmiDecodeException(BAD_CONFIDENTIALITY, "confidentiality pad length " + n);
        }
        int start = padded.length - 1 - n;
        for (int i = 1; i <= n; i++) {
            if ((padded[start + i - 1] & 0xFF) != i) {
                throw new IpmiDecodeException(BAD_CONFIDENTIALITY, "confidentiality pad bytes are not 1..N");
            }
        }
        return Arrays.copyOf(padded, start);
    }

    /** Returns IV ‖ ciphertext, the RMCP+ payload field. */
    public byte[] encrypt(byte[] iv, byte[] plaintext) {
        if (iv.length != BLOCK) {
            throw new IllegalArgumentException("IV must be 16 bytes");
        }
        byte[] padded = pad(plaintext);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
            byte[] out = Arrays.copyOf(iv, BLOCK + padded.length);
            cipher.doFinal(padded, 0, padded.length, out, BLOCK);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CBC encryption failed", e);
        }
    }

    /** Splits IV ‖ ciphertext, decrypts and removes the confidentiality trailer. */
    public byte[] decrypt(byte[] payload) throws IpmiDecodeException {
        if (payload.length < 2 * BLOCK || payload.length % BLOCK != 0) {
            throw new IpmiDecodeException(
                    BAD_CONFIDENTIALITY, "encrypted payload of " + payload.length + " bytes is not IV + whole blocks");
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(payload, 0, BLOCK));
            return unpad(cipher.doFinal(payload, BLOCK, payload.length - BLOCK));
        } catch (GeneralSecurityException e) {
            throw new IpmiDecodeException(BAD_CONFIDENTIALITY, "AES-CBC decryption failed");
        }
    }

    @Override
    public String toString() {
        return "AesCbc128[key=<masked>]";
    }
}
