package io.anvil.ipmi.codec.crypto;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.ByteWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * IPMI v1.5 auth codes (IPMI v2.0 §13.6). pw16 is the password zero-padded to 16 bytes; the padding matters
 * because this is plain concatenation, not HMAC.
 * <ul>
 *   <li>straight password: pw16</li>
 *   <li>MD5: MD5(pw16 ‖ sessionId(4 LE) ‖ message ‖ sessionSeq(4 LE) ‖ pw16)</li>
 *   <li>MD2: the same with MD2 (in the JDK's SUN provider)</li>
 * </ul>
 */
public final class V15AuthCode {

    private V15AuthCode() {}

    public static byte[] pw16(byte[] password) {
        if (password.length > 16) {
            throw new IllegalArgumentException("IPMI v1.5 passwords are at most 16 bytes");
        }
        return Arrays.copyOf(password, 16);
    }

    public static byte[] compute(AuthType type, byte[] password, int sessionId, int sessionSeq, byte[] message) {
        byte[] pw16 = pw16(password);
        return switch (type) {
            case STRAIGHT_PASSWORD -> pw16;
            case MD5 -> digest("MD5", pw16, sessionId, sessionSeq, message);
            case MD2 -> digest("MD2", pw16, sessionId, sessionSeq, message);
            case NONE -> new byte[0];
            default -> throw new UnsupportedOperationException("no v1.5 auth code for " + type);
        };
    }

    private static byte[] digest(String algorithm, byte[] pw16, int sessionId, int sessionSeq, byte[] message) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            md.update(pw16);
            md.update(ByteWriter.le32(sessionId));
            md.update(message);
            md.update(ByteWriter.le32(sessionSeq));
            md.update(pw16);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is in the JDK's SUN provider", e);
        }
    }
}
