package io.anvil.driver.agent;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * The rescue password as Ironic hands it to the agent ({@code conductor/utils.py} {@code hash_password}, with
 * {@code [conductor]rescue_password_hash_algorithm}): a crypt(3) string {@code $5$<salt>$<hash>} (SHA-256) or
 * {@code $6$<salt>$<hash>} (SHA-512) with a random 16-character salt and the default 5000 rounds, which the rescue
 * ramdisk writes to its shadow file as is (ironic-python-agent's {@code extensions/rescue.py}). Written from the
 * public "Unix crypt using SHA-256 and SHA-512" specification (U. Drepper); its test vectors are in the tests.
 *
 * <p>CPU work of a few milliseconds: callers run it on a worker thread, never on an event loop.
 */
public final class RescuePasswordHash {
    private static final String ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int SALT_MAX = 16;
    private static final int ROUNDS = 5000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The digest byte triples of the final encoding (the specification's fixed permutation), per algorithm. */
    private static final int[][] ORDER_SHA256 = {
        {0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
        {15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}
    };

    private static final int[][] ORDER_SHA512 = {
        {0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4}, {47, 5, 26}, {6, 27, 48},
        {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13},
        {56, 14, 35}, {15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}
    };

    /** Ironic's choices for {@code rescue_password_hash_algorithm}. */
    public enum Algorithm {
        SHA256("5", "SHA-256"),
        SHA512("6", "SHA-512");

        private final String id;
        private final String digest;

        Algorithm(String id, String digest) {
            this.id = id;
            this.digest = digest;
        }

        /** {@code sha256} or {@code sha512} (case-insensitive). */
        public static Algorithm fromSetting(String value) {
            String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "sha256" -> SHA256;
                case "sha512" -> SHA512;
                default ->
                    throw new IllegalArgumentException(
                            "conductor.rescue_password_hash_algorithm must be sha256 or sha512, got '" + value + "'");
            };
        }
    }

    private RescuePasswordHash() {}

    /** A new crypt string of {@code password} with a random salt. */
    public static String hash(String password, Algorithm algorithm) {
        StringBuilder salt = new StringBuilder(SALT_MAX);
        for (int i = 0; i < SALT_MAX; i++) {
            salt.append(ITOA64.charAt(RANDOM.nextInt(ITOA64.length())));
        }
        return crypt(password, salt.toString(), algorithm);
    }

    /** Whether {@code value} looks like a SHA-crypt string ({@code $5$...$...} or {@code $6$...$...}). */
    public static boolean isCryptString(String value) {
        return value != null
                && (value.matches("\\$5\\$[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{43}")
                        || value.matches("\\$6\\$[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{86}"));
    }

    /** Whether {@code cryptString} is the hash of {@code password} (what the rescue ramdisk's login checks). */
    public static boolean matches(String password, String cryptString) {
        if (!isCryptString(cryptString)) {
            return false;
        }
        String[] parts = cryptString.split("\\$");
        Algorithm algorithm = parts[1].equals("5") ? Algorithm.SHA256 : Algorithm.SHA512;
        return MessageDigest.isEqual(
                crypt(password, parts[2], algorithm).getBytes(StandardCharsets.UTF_8),
                cryptString.getBytes(StandardCharsets.UTF_8));
    }

    /** crypt(3) of {@code password} with {@code salt} (at most 16 characters are used), default rounds. */
    static String crypt(String password, String salt, Algorithm algorithm) {
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        String saltUsed = salt.length() > SALT_MAX ? salt.substring(0, SALT_MAX) : salt;
        byte[] s = saltUsed.getBytes(StandardCharsets.UTF_8);
        MessageDigest md = digest(algorithm);
        int size = md.getDigestLength();

        // B = H(P S P)
        md.update(p);
        md.update(s);
        md.update(p);
        byte[] b = md.digest();

        // A = H(P S, B repeated over |P| bytes, then B or P for each bit of |P| from the lowest)
        md.update(p);
        md.update(s);
        repeat(md, b, p.length);
        for (int n = p.length; n > 0; n >>= 1) {
            md.update((n & 1) != 0 ? b : p);
        }
        byte[] a = md.digest();

        // P' = H(P repeated |P| times) stretched to |P| bytes; S' = H(S repeated 16 + A[0] times) to |S| bytes
        for (int i = 0; i < p.length; i++) {
            md.update(p);
        }
        byte[] pSeq = stretch(md.digest(), p.length);
        for (int i = 0; i < 16 + (a[0] & 0xff); i++) {
            md.update(s);
        }
        byte[] sSeq = stretch(md.digest(), s.length);

        byte[] c = a;
        for (int round = 0; round < ROUNDS; round++) {
            boolean odd = (round & 1) != 0;
            md.update(odd ? pSeq : c);
            if (round % 3 != 0) {
                md.update(sSeq);
            }
            if (round % 7 != 0) {
                md.update(pSeq);
            }
            md.update(odd ? c : pSeq);
            c = md.digest();
        }

        StringBuilder out = new StringBuilder("$")
                .append(algorithm.id)
                .append('$')
                .append(saltUsed)
                .append('$');
        int[][] order = size == 32 ? ORDER_SHA256 : ORDER_SHA512;
        for (int[] t : order) {
            encode(out, c[t[0]], c[t[1]], c[t[2]], 4);
        }
        if (size == 32) {
            encode(out, (byte) 0, c[31], c[30], 3);
        } else {
            encode(out, (byte) 0, (byte) 0, c[63], 2);
        }
        return out.toString();
    }

    private static MessageDigest digest(Algorithm algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm.digest + " is part of every Java runtime", e);
        }
    }

    /** Feeds {@code block} into {@code md} until {@code length} bytes went in (the last copy cut short). */
    private static void repeat(MessageDigest md, byte[] block, int length) {
        int left = length;
        for (; left > block.length; left -= block.length) {
            md.update(block);
        }
        md.update(block, 0, left);
    }

    private static byte[] stretch(byte[] block, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        int left = length;
        for (; left > block.length; left -= block.length) {
            out.writeBytes(block);
        }
        out.write(block, 0, left);
        return out.toByteArray();
    }

    /** Three bytes as {@code n} characters of the crypt alphabet, lowest six bits first. */
    private static void encode(StringBuilder out, byte b2, byte b1, byte b0, int n) {
        int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < n; i++) {
            out.append(ITOA64.charAt(w & 0x3f));
            w >>>= 6;
        }
    }
}
