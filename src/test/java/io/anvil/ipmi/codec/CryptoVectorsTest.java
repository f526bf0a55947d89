package io.anvil.ipmi.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.crypto.AesCbc128;
import io.anvil.ipmi.codec.crypto.AuthAlgorithm;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.crypto.IntegrityAlgorithm;
import io.anvil.ipmi.codec.crypto.RakpExchange;
import io.anvil.ipmi.codec.crypto.SessionKeys;
import io.anvil.ipmi.codec.crypto.V15AuthCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The worked vectors of docs/ipmi.md#test-vectors, asserted 1:1. */
class CryptoVectorsTest {

    static final byte[] PW = Traces.PASSWORD;
    static final int ROLE = 0x14; // ADMIN | name-only lookup
    static final int SIDM = 0xA0A2A3A4;

    static RakpExchange suite3Exchange() {
        return new RakpExchange(
                AuthAlgorithm.RAKP_HMAC_SHA1,
                SIDM,
                0x00000202,
                Hex.parse("9f317a5c8f4f21e02fea6959d1aabdbe"),
                Hex.parse("ca2f0336887502342a6956abf2a06944"),
                Hex.parse("a123456789abcdefa123456789abcdef"),
                ROLE,
                Traces.USER);
    }

    static RakpExchange suite17Exchange() {
        return new RakpExchange(
                AuthAlgorithm.RAKP_HMAC_SHA256,
                SIDM,
                0x74AC5AA4,
                Hex.parse("3e83a47ec83d7383bc7dcd8bb22ee367"),
                Hex.parse("e03fcf6ea07eaf872cf887efc5cf71c0"),
                Hex.parse("f9466c8e7e1f460889079af167c5d2c9"),
                ROLE,
                Traces.USER);
    }

    @Test
    void suite3RakpHmacsAndKeys() {
        RakpExchange x = suite3Exchange();
        assertEquals("b89d7fac1846c587a9357cdf7cb8320f7efed3b0", Hex.of(x.rakp2AuthCode(PW)));
        assertEquals("b5bc1b8d9eb9970ba10e6e9225f45c3956a2de16", Hex.of(x.rakp3AuthCode(PW)));
        byte[] sik = x.sessionIntegrityKey(PW);
        assertEquals("03a35c3d5a8c14eaace2782e02bbbd353d12eea4", Hex.of(sik));
        SessionKeys keys = x.deriveKeys(PW);
        assertEquals("cf2576c31131a344edbf320539a7f7b8f017c1d5", Hex.of(keys.k1()));
        assertEquals("d3366a223772e8e3a0bfa4f6cb0fa452a71cff25", Hex.of(keys.k2()));
        assertEquals("d3366a223772e8e3a0bfa4f6cb0fa452", Hex.of(keys.aesKey()));
        assertEquals("37ff57f72f22a563d0a75346", Hex.of(x.rakp4Icv(sik)));
        assertTrue(x.verifyRakp2(PW, Hex.parse("b89d7fac1846c587a9357cdf7cb8320f7efed3b0")));
        assertTrue(x.verifyRakp3(PW, Hex.parse("b5bc1b8d9eb9970ba10e6e9225f45c3956a2de16")));
        assertTrue(x.verifyRakp4(sik, Hex.parse("37ff57f72f22a563d0a75346")));
    }

    @Test
    void suite17RakpHmacsAndKeysUseTwentyByteConstants() {
        RakpExchange x = suite17Exchange();
        assertEquals("8b4032eb87bb5b0682ce72187eeb45f7fddec2d1750764e299b0ebac1ceb5cfc", Hex.of(x.rakp2AuthCode(PW)));
        assertEquals("95c7c39b265c43478b75ea4fd939e9934eb23aa0b1c1f2c34ff706bb772cf446", Hex.of(x.rakp3AuthCode(PW)));
        byte[] sik = x.sessionIntegrityKey(PW);
        assertEquals("aad018d3629e1bfce9fc388e1dd28aa7a80c0f67b6345ed22efb3983706af143", Hex.of(sik));
        SessionKeys keys = SessionKeys.fromSik(AuthAlgorithm.RAKP_HMAC_SHA256, sik);
        assertEquals("c85b2dc3cb087aef2760b7ff36459f316a2dccda910a14ad3f37392cfc623cc9", Hex.of(keys.k1()));
        assertEquals("d096f5fbe018b513d80f4ded749a5badbae8f0a753d280b1385890e17839b82f", Hex.of(keys.k2()));
        assertEquals("254968a1c0d760c23966bd9cf3bf2076", Hex.of(x.rakp4Icv(sik)));
    }

    @Test
    void wrongPasswordFailsRakp2BeforeAnythingSecretIsSent() {
        assertFalse(suite3Exchange()
                .verifyRakp2(
                        "passw0rd".getBytes(StandardCharsets.US_ASCII),
                        Hex.parse("b89d7fac1846c587a9357cdf7cb8320f7efed3b0")));
    }

    @Test
    void firstSessionPacketIcvAndAesDecryption() throws Exception {
        checkFirstPacket(Traces.session(78), suite3Exchange().deriveKeys(PW), IntegrityAlgorithm.HMAC_SHA1_96);
        checkFirstPacket(Traces.session(104), suite17Exchange().deriveKeys(PW), IntegrityAlgorithm.HMAC_SHA256_128);
    }

    private static void checkFirstPacket(byte[] pkt, SessionKeys keys, IntegrityAlgorithm integrity) throws Exception {
        int n = integrity.icvLength();
        assertArrayEquals(
                Arrays.copyOfRange(pkt, pkt.length - n, pkt.length),
                integrity.icv(keys.k1(), Arrays.copyOfRange(pkt, 4, pkt.length - n)));
        int len = (pkt[14] & 0xFF) | (pkt[15] & 0xFF) << 8;
        byte[] payload = Arrays.copyOfRange(pkt, 16, 16 + len);
        byte[] plain = new AesCbc128(keys.aesKey()).decrypt(payload);
        assertEquals("2018c881043b043c", Hex.of(plain));
        // and back: same IV and key give the captured ciphertext
        byte[] iv = Arrays.copyOf(payload, 16);
        assertArrayEquals(payload, new AesCbc128(keys.aesKey()).encrypt(iv, plain));
    }

    @Test
    void confidentialityPadIsOneTwoThreeThenLength() throws Exception {
        assertEquals("2018c881043b043c0102030405060707", Hex.of(AesCbc128.pad(Hex.parse("2018c881043b043c"))));
        assertEquals(16, AesCbc128.pad(new byte[15]).length); // N = 0
        assertEquals("00", Hex.of(Arrays.copyOfRange(AesCbc128.pad(new byte[15]), 15, 16)));
        assertEquals(32, AesCbc128.pad(new byte[16]).length); // N = 15
        // lenient: a whole extra block (N = 16) is accepted
        byte[] n16 = new byte[32];
        n16[0] = 0x42;
        for (int i = 1; i <= 16; i++) {
            n16[14 + i] = (byte) i;
        }
        n16[31] = 16;
        assertEquals("42" + "00".repeat(14), Hex.of(AesCbc128.unpad(n16)));
        // strict about the pad bytes themselves and about N > 16
        byte[] bad = AesCbc128.pad(Hex.parse("2018c881043b043c"));
        bad[10] = 9;
        assertEquals(
                IpmiDecodeException.Reason.BAD_CONFIDENTIALITY,
                assertThrows(IpmiDecodeException.class, () -> AesCbc128.unpad(bad))
                        .reason());
        byte[] tooLong = new byte[48];
        tooLong[47] = 17;
        assertThrows(IpmiDecodeException.class, () -> AesCbc128.unpad(tooLong));
    }

    @Test
    void v15Md5AuthCodeOfActivateSession() {
        byte[] msg = Hex.parse("2018c8810c3a0204dc51079d212103b04c165b88cea82020e57d22e509");
        assertEquals("e3f604ee6383e05565c80517ee5b074a", Hex.of(V15AuthCode.compute(AuthType.MD5, PW, 5, 0, msg)));
        assertEquals(
                "70617373776f72640000000000000000",
                Hex.of(V15AuthCode.compute(AuthType.STRAIGHT_PASSWORD, PW, 5, 0, msg)));
    }

    @Test
    void md2MatchesRfc1319AndTheFreeIpmiCapture() throws Exception {
        assertEquals(
                "8350e5a3e24c153df2275c9f80692773",
                Hex.of(MessageDigest.getInstance("MD2").digest(new byte[0])));
        assertEquals(
                "da853b0d3f88d99b30283a69e6ded6bb",
                Hex.of(MessageDigest.getInstance("MD2").digest("abc".getBytes(StandardCharsets.US_ASCII))));
        // more-traces #4: FreeIPMI -a MD2 Activate Session, temporary session id 0x185, seq 0
        V15SessionPacket p = (V15SessionPacket) RmcpWire.decode(Traces.more(4));
        assertEquals(
                "77ee51b1f63060040fc31ece93b723f6",
                Hex.of(V15AuthCode.compute(AuthType.MD2, PW, 0x185, 0, p.message())));
    }

    @Test
    void cipherSuitesDescribeTheirAlgorithms() {
        assertEquals(CipherSuite.SUITE_3, CipherSuite.byId(3).orElseThrow());
        assertEquals(AuthAlgorithm.RAKP_HMAC_SHA256, CipherSuite.SUITE_17.authentication());
        assertEquals(16, CipherSuite.SUITE_17.integrity().icvLength());
        assertEquals(12, CipherSuite.SUITE_3.integrity().icvLength());
        assertEquals(12, CipherSuite.SUITE_1.authentication().rakp4IcvLength());
        assertFalse(CipherSuite.SUITE_1.hasIntegrity());
        assertTrue(CipherSuite.SUITE_2.hasIntegrity());
        assertFalse(CipherSuite.SUITE_2.hasConfidentiality());
        assertEquals(CipherSuite.SUITE_17, CipherSuite.byAlgorithms(3, 4, 1).orElseThrow());
        assertTrue(CipherSuite.byId(8).isEmpty());
    }

    @Test
    void keysNeverAppearInToString() {
        SessionKeys keys = suite3Exchange().deriveKeys(PW);
        String text = keys + " " + new AesCbc128(keys.aesKey());
        assertFalse(text.contains("cf2576"), text);
        assertFalse(text.contains("d3366a"), text);
        assertFalse(text.contains("03a35c"), text);
    }

    /** Sessions with different keys, interleaved on one thread and used from another, stay apart. */
    @Test
    void aesSessionsInterleavedOnOneThreadAndAcrossThreads() throws Exception {
        AesCbc128 a = new AesCbc128(Hex.parse("000102030405060708090a0b0c0d0e0f"));
        AesCbc128 b = new AesCbc128(Hex.parse("f0e0d0c0b0a090807060504030201000"));
        byte[] iv = Hex.parse("0f0e0d0c0b0a09080706050403020100");
        byte[] plain = "Get Chassis Status".getBytes(StandardCharsets.US_ASCII);
        byte[] sealedA = a.encrypt(iv, plain);
        byte[] sealedB = b.encrypt(iv, plain);
        assertFalse(Arrays.equals(sealedA, sealedB));
        // the reference: a cipher of its own, as the JCA documents it
        javax.crypto.Cipher reference = javax.crypto.Cipher.getInstance("AES/CBC/NoPadding");
        reference.init(
                javax.crypto.Cipher.ENCRYPT_MODE,
                new javax.crypto.spec.SecretKeySpec(Hex.parse("000102030405060708090a0b0c0d0e0f"), "AES"),
                new javax.crypto.spec.IvParameterSpec(iv));
        assertArrayEquals(Arrays.copyOfRange(sealedA, 16, sealedA.length), reference.doFinal(AesCbc128.pad(plain)));
        assertArrayEquals(plain, b.decrypt(sealedB));
        assertArrayEquals(plain, a.decrypt(sealedA));
        byte[][] other = new byte[2][];
        Thread t = new Thread(() -> {
            try {
                other[0] = a.decrypt(sealedA);
                other[1] = b.encrypt(iv, plain);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        t.start();
        t.join();
        assertArrayEquals(plain, other[0]);
        assertArrayEquals(sealedB, other[1]);
        assertThrows(io.anvil.ipmi.codec.IpmiDecodeException.class, () -> a.decrypt(sealedB));
    }
}
