package io.anvil.ipmi.codec.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
            Mac mac = newMac(jcaName);
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, jcaName));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(jcaName + " is part of every Java 17 runtime", e);
        }
    }

    /** One uninitialised Mac per algorithm, cloned for each use. */
    private static final Map<String, Mac> PROTOTYPES = new ConcurrentHashMap<>();

    /**
     * A clone of the algorithm's prototype: a session handshake needs about ten HMACs, and {@link Mac#getInstance}
     * looks the provider up (a synchronized check of its signature) every time.
     */
    private static Mac newMac(String jcaName) throws GeneralSecurityException {
        Mac prototype = PROTOTYPES.get(jcaName);
        if (prototype == null) {
            prototype = Mac.getInstance(jcaName);
            PROTOTYPES.putIfAbsent(jcaName, prototype);
        }
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return Mac.getInstance(jcaName); // a provider whose Mac cannot be cloned
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
