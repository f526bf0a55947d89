package io.anvil.sim.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The SHA-256 crypt(3) scheme ({@code $5$salt$hash}, 5000 rounds; Ulrich Drepper's "Unix crypt using SHA-256 and
 * SHA-512" specification), which ironic-python-agent's rescue extension uses to hash a plain rescue password
 * (oslo_utils.secretutils.crypt_password with crypt_mksalt('SHA-256')).
 */
final class Sha256Crypt {
    private static final String ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int ROUNDS = 5000;
    private static final int[][] ORDER = {
        {0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
        {15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}
    };

    private Sha256Crypt() {}

    static String randomSalt() {
        SecureRandom r = new SecureRandom();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            s.append(ITOA64.charAt(r.nextInt(64)));
        }
        return s.toString();
    }

    static String hash(String password, String salt) {
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        byte[] s = salt.substring(0, Math.min(16, salt.length())).getBytes(StandardCharsets.UTF_8);
        MessageDigest b = sha256();
        b.update(p);
        b.update(s);
        b.update(p);
        byte[] bDigest = b.digest();

        MessageDigest a = sha256();
        a.update(p);
        a.update(s);
        addRepeated(a, bDigest, p.length);
        for (int n = p.length; n > 0; n >>= 1) {
            if ((n & 1) != 0) {
                a.update(bDigest);
            } else {
                a.update(p);
            }
        }
        byte[] c = a.digest();

        MessageDigest dp = sha256();
        for (int i = 0; i < p.length; i++) {
            dp.update(p);
        }
        byte[] pSeq = repeated(dp.digest(), p.length);

        MessageDigest ds = sha256();
        for (int i = 0; i < 16 + (c[0] & 0xff); i++) {
            ds.update(s);
        }
        byte[] sSeq = repeated(ds.digest(), s.length);

        for (int i = 0; i < ROUNDS; i++) {
            MessageDigest r = sha256();
            r.update((i & 1) != 0 ? pSeq : c);
            if (i % 3 != 0) {
                r.update(sSeq);
            }
            if (i % 7 != 0) {
                r.update(pSeq);
            }
            r.update((i & 1) != 0 ? c : pSeq);
            c = r.digest();
        }

        StringBuilder out = new StringBuilder("$5$")
                .append(new String(s, StandardCharsets.UTF_8))
                .append('$');
        for (int[] o : ORDER) {
            b64(out, c[o[0]], c[o[1]], c[o[2]], 4);
        }
        b64(out, (byte) 0, c[31], c[30], 3);
        return out.toString();
    }

    private static void b64(StringBuilder out, byte b2, byte b1, byte b0, int n) {
        int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < n; i++) {
            out.append(ITOA64.charAt(w & 0x3f));
            w >>>= 6;
        }
    }

    private static void addRepeated(MessageDigest md, byte[] block, int length) {
        md.update(repeated(block, length));
    }

    private static byte[] repeated(byte[] block, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = block[i % block.length];
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
