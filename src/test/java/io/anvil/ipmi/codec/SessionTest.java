package io.anvil.ipmi.codec;

import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_AUTH_CODE;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_CONFIDENTIALITY;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.BAD_INTEGRITY;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.SEQUENCE_REJECTED;
import static io.anvil.ipmi.codec.IpmiDecodeException.Reason.WRONG_SESSION;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.SetSessionPrivilegeLevel;
import io.anvil.ipmi.codec.crypto.AuthAlgorithm;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.crypto.Hmac;
import io.anvil.ipmi.codec.crypto.SessionKeys;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.session.RmcpPlusSession;
import io.anvil.ipmi.codec.session.SequenceWindow;
import io.anvil.ipmi.codec.session.SessionSequence;
import io.anvil.ipmi.codec.session.V15Session;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SessionTest {

    static final int SIDM = 0xA0A2A3A4;
    static final int SIDC_SUITE3 = 0x0202;
    static final SessionKeys SUITE3_KEYS = CryptoVectorsTest.suite3Exchange().deriveKeys(Traces.PASSWORD);

    static RmcpPlusSession suite3Bmc() {
        return RmcpPlusSession.forBmc(CipherSuite.SUITE_3, SUITE3_KEYS, SIDC_SUITE3, SIDM);
    }

    static RmcpPlusSession suite3Console() {
        return RmcpPlusSession.forConsole(CipherSuite.SUITE_3, SUITE3_KEYS, SIDM, SIDC_SUITE3);
    }

    static V20SessionPacket v20(byte[] raw) throws IpmiDecodeException {
        return (V20SessionPacket) RmcpWire.decode(raw);
    }

    static void assertRejected(IpmiDecodeException.Reason reason, Executable e) {
        assertEquals(reason, assertThrows(IpmiDecodeException.class, e).reason());
    }

    @Test
    void bmcSideOpensTheFirstSuite3PacketAndConsoleSideReproducesIt() throws Exception {
        byte[] raw = Traces.session(78);
        IpmiRequest rq = assertInstanceOf(IpmiRequest.class, suite3Bmc().openMessage(v20(raw)));
        assertEquals(
                new SetSessionPrivilegeLevel.Request(Privilege.ADMINISTRATOR),
                SetSessionPrivilegeLevel.Request.decode(rq.data()));
        V20SessionPacket sealed =
                suite3Console().seal(PayloadType.IPMI, rq.encode(), 3, Hex.parse("5edb0a889fe4aad5549379ac60041a8f"));
        assertArrayEquals(raw, RmcpWire.encode(sealed));
    }

    @Test
    void sealWithRandomIvRoundTripsAndCountsSequenceFromOne() throws Exception {
        RmcpPlusSession console = RmcpPlusSession.forConsole(
                CipherSuite.SUITE_17,
                CryptoVectorsTest.suite17Exchange().deriveKeys(Traces.PASSWORD),
                SIDM,
                0x74AC5AA4);
        RmcpPlusSession bmc = RmcpPlusSession.forBmc(
                CipherSuite.SUITE_17,
                CryptoVectorsTest.suite17Exchange().deriveKeys(Traces.PASSWORD),
                0x74AC5AA4,
                SIDM);
        IpmiRequest rq = new SetSessionPrivilegeLevel.Request(Privilege.ADMINISTRATOR).toRequest(1);
        V20SessionPacket first = console.seal(rq);
        V20SessionPacket second = console.seal(rq);
        assertEquals(1, first.sessionSequence());
        assertEquals(2, second.sessionSequence());
        assertEquals(0x74AC5AA4, first.sessionId());
        assertFalse(Arrays.equals(first.payload(), second.payload()), "fresh IV per packet");
        assertEquals(rq, bmc.openMessage((V20SessionPacket) RmcpWire.decode(RmcpWire.encode(first))));
        IpmiResponse rs = rq.respond(0, new byte[] {4});
        V20SessionPacket answer = bmc.seal(rs);
        assertEquals(SIDM, answer.sessionId());
        assertEquals(rs, console.openMessage(answer));
    }

    @Test
    void suite2IntegrityOnlyAndSuite0Plain() throws Exception {
        // more-traces #98: SIK of the suite-2 session; K1 derivation is checked against the trace too
        SessionKeys keys = SessionKeys.fromSik(
                AuthAlgorithm.RAKP_HMAC_SHA1, Hex.parse("cac3b010d633c77e150d1e104f6358d82e3d1d57"));
        assertEquals("93266aafc51ec5fcfb67203bd86c6bcabe0d2c12", Hex.of(keys.k1()));
        RmcpPlusSession console = RmcpPlusSession.forConsole(CipherSuite.SUITE_2, keys, SIDM, 0x0482);
        IpmiResponse rs = assertInstanceOf(IpmiResponse.class, console.openMessage(v20(Traces.more(102))));
        assertEquals(4, rs.data()[0]);

        RmcpPlusSession plain = RmcpPlusSession.forBmc(
                CipherSuite.SUITE_0, SessionKeys.fromSik(AuthAlgorithm.RAKP_NONE, new byte[0]), 0x0382, SIDM);
        V20SessionPacket p = v20(Traces.more(57));
        assertEquals("2018c881043b043c", Hex.of(plain.open(p)));
        RmcpPlusSession plainConsole = RmcpPlusSession.forConsole(
                CipherSuite.SUITE_0, SessionKeys.fromSik(AuthAlgorithm.RAKP_NONE, new byte[0]), SIDM, 0x0382);
        assertArrayEquals(Traces.more(57), RmcpWire.encode(plainConsole.seal(PayloadType.IPMI, p.payload(), 3, null)));
    }

    @Test
    void tamperedIcvCiphertextOrTrailerIsRejected() throws Exception {
        byte[] raw = Traces.session(78);
        for (int i = 4; i < raw.length; i++) { // any flipped bit from the auth type byte on
            byte[] bad = raw.clone();
            bad[i] ^= 0x01;
            try {
                suite3Bmc().open(v20(bad));
                throw new AssertionError("flipped byte " + i + " was accepted");
            } catch (IpmiDecodeException expected) {
                assertTrue(expected.reason() != SEQUENCE_REJECTED, "byte " + i + ": " + expected);
            }
        }
        byte[] badIcv = raw.clone();
        badIcv[raw.length - 1] ^= 0x55;
        assertRejected(BAD_INTEGRITY, () -> suite3Bmc().open(v20(badIcv)));
    }

    @Test
    void wrongConfidentialityPadUnderAValidIcvIsRejected() throws Exception {
        // A peer with the right keys but a PKCS#7-style pad: ICV is fine, the IPMI pad check must fail.
        byte[] plain = Hex.parse("2018c881043b043c0808080808080808");
        javax.crypto.Cipher aes = javax.crypto.Cipher.getInstance("AES/CBC/NoPadding");
        byte[] iv = new byte[16];
        aes.init(
                javax.crypto.Cipher.ENCRYPT_MODE,
                new javax.crypto.spec.SecretKeySpec(SUITE3_KEYS.aesKey(), "AES"),
                new javax.crypto.spec.IvParameterSpec(iv));
        byte[] payload = new ByteWriter().bytes(iv).bytes(aes.doFinal(plain)).toByteArray();
        V20SessionPacket unsigned = new V20SessionPacket(
                PayloadType.IPMI, true, true, 0, 0, SIDC_SUITE3, 5, payload, Hex.parse("ffff"), null);
        byte[] icv = Arrays.copyOf(Hmac.compute("HmacSHA1", SUITE3_KEYS.k1(), unsigned.integrityInput()), 12);
        assertRejected(BAD_CONFIDENTIALITY, () -> suite3Bmc().open(unsigned.withAuthCode(icv)));
    }

    @Test
    void wrongSessionFlagsAndReplaysAreRejected() throws Exception {
        V20SessionPacket p = v20(Traces.session(78));
        assertRejected(WRONG_SESSION, () -> suite3Console().open(p)); // addressed to the BMC
        RmcpPlusSession bmc = suite3Bmc();
        bmc.open(p);
        assertRejected(SEQUENCE_REJECTED, () -> bmc.open(p)); // replay
        V20SessionPacket unauthenticated = V20SessionPacket.plain(PayloadType.IPMI, SIDC_SUITE3, 9, p.payload());
        assertRejected(WRONG_SESSION, () -> bmc.open(unauthenticated)); // suite 3 needs auth + enc
        RmcpPlusSession suite2 = RmcpPlusSession.forBmc(
                CipherSuite.SUITE_2,
                SessionKeys.fromSik(AuthAlgorithm.RAKP_HMAC_SHA1, SUITE3_KEYS.sik()),
                SIDC_SUITE3,
                SIDM);
        assertRejected(WRONG_SESSION, () -> suite2.open(p)); // encrypted, suite 2 is not
        V20SessionPacket shortIcv = p.withAuthCode(Arrays.copyOf(p.authCode(), 11));
        assertRejected(BAD_INTEGRITY, () -> suite3Bmc().open(shortIcv));
    }

    @Test
    void v15Md5SessionFromTheTrace() throws Exception {
        // session-traces #10/#11: Activate Session; the BMC's answer is signed over the temporary id 5
        V15SessionPacket activateRs = (V15SessionPacket) RmcpWire.decode(Traces.session(11));
        assertTrue(V15Session.verify(activateRs, Traces.PASSWORD));
        assertFalse(V15Session.verify(activateRs, "passw0rd".getBytes()));
        V15SessionPacket activateRq = (V15SessionPacket) RmcpWire.decode(Traces.session(10));
        assertEquals(activateRq, V15Session.sign(AuthType.MD5, Traces.PASSWORD, 5, 0, activateRq.message()));

        V15Session console = new V15Session(AuthType.MD5, Traces.PASSWORD, 0x82, 0xE97999DE, true);
        V15SessionPacket setPriv = (V15SessionPacket) RmcpWire.decode(Traces.session(12));
        assertArrayEquals(Traces.session(12), RmcpWire.encode(console.seal(setPriv.message())));
        // ipmi_sim re-uses its sequence number (#11 and #13 both carry e5227de5): tolerated
        V15SessionPacket rs = (V15SessionPacket) RmcpWire.decode(Traces.session(13));
        assertEquals(0xE5227DE5, rs.sessionSequence());
        assertEquals(0x04, ((IpmiResponse) console.openMessage(rs)).data()[0]);
        console.open(rs);

        byte[] forged = Traces.session(13);
        forged[20] ^= 1; // inside the auth code
        assertRejected(BAD_AUTH_CODE, () -> console.open((V15SessionPacket) RmcpWire.decode(forged)));
        V15SessionPacket none = new V15SessionPacket(AuthType.NONE, 0xE5227DE6, 0x82, null, rs.message());
        assertRejected(BAD_AUTH_CODE, () -> console.open(none));
        V15SessionPacket otherSession = new V15SessionPacket(AuthType.NONE, 0xE5227DE6, 0x83, null, rs.message());
        assertRejected(WRONG_SESSION, () -> console.open(otherSession));
        assertFalse(console.toString().contains("7061737377"), console.toString());
    }

    @Test
    void sessionSequenceSkipsZeroOnWrap() {
        SessionSequence s = new SessionSequence(0xFFFFFFFE);
        assertEquals(0xFFFFFFFE, s.next());
        assertEquals(0xFFFFFFFF, s.next());
        assertEquals(1, s.next());
        assertEquals(1, new SessionSequence(0).next());
        assertEquals(1, SessionSequence.startingAtOne().next());
    }

    @Test
    void sequenceWindowAcceptsReorderingWithinItsSizeOnly() {
        SequenceWindow w = SequenceWindow.rmcpPlus();
        assertFalse(w.accept(0), "0 is never a valid in-session sequence");
        assertTrue(w.accept(100));
        assertTrue(w.accept(102));
        assertTrue(w.accept(101), "late but inside the window");
        assertFalse(w.accept(101), "duplicate");
        assertTrue(w.accept(94), "8 behind");
        assertFalse(w.accept(93), "9 behind");
        assertTrue(w.accept(134), "32 ahead");
        assertFalse(w.accept(167), "33 ahead");
        SequenceWindow wrap = SequenceWindow.rmcpPlus();
        assertTrue(wrap.accept(0xFFFFFFFF));
        assertTrue(wrap.accept(1), "wraps past 0");
        assertTrue(wrap.accept(0xFFFFFFFE));
        SequenceWindow v15 = SequenceWindow.v15();
        assertTrue(v15.accept(0xE5227DE5));
        assertTrue(v15.accept(0xE5227DE5), "v1.5 BMCs repeat sequence numbers");
    }

    @Test
    void sessionsNeverPrintKeys() {
        String text = suite3Console().toString();
        assertTrue(text.contains("<masked>"));
        assertFalse(text.contains(Hex.of(SUITE3_KEYS.k1()).substring(0, 8)));
    }
}
