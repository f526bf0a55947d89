package io.anvil.ipmi.codec.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC over concatenated parts, plus a constant-time compare. Pure functions, safe from any thread. */
public final class Hmac {

    private Hmac() {}

    /**
     * Returns a Mac initialised with {@code key}. HMAC zero-pads keys to the block size, so an empty key
     * (an empty IPMI password) is the same as a single zero byte — which {@link SecretKeySpec} accepts.
     */
    public static Mac init(String jcaName, byte[] key) {
        try {
            Mac mac = Mac.getInstance(jcaName);
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, jcaName));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(jcaName + " is part of every Java 17 runtime", e);
        }
    }

    public static byte[] compute(String jcaName, byte[] key, byte[]... parts) {
        Mac mac = init(jcaName, key);
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /** Compares without leaking the position of the first difference through timing. */
    public static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
