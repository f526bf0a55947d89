package io.anvil.ipmi.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.ActivatePayload;
import io.anvil.ipmi.codec.command.DeactivatePayload;
import io.anvil.ipmi.codec.command.GetPayloadActivationStatus;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.crypto.SessionKeys;
import io.anvil.ipmi.codec.session.RmcpPlusSession;
import io.anvil.ipmi.codec.session.SequenceWindow;
import io.anvil.ipmi.codec.session.SessionSequence;
import io.anvil.ipmi.codec.sol.SolPacket;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Serial-over-LAN golden bytes: the payload commands of IPMI v2.0 §24.1, §24.2 and §24.4 as ipmitool sends them, the
 * SOL payload of §15.9, and a SOL packet sealed in a suite-3 session (the captured exchange of
 * {@link CryptoVectorsTest}) through the RMCP datagram codec, re-derived here with plain JCA calls.
 */
class SolCodecTest {

    @Test
    void payloadCommandsAsIpmitoolSendsThem() throws Exception {
        // ipmitool "sol activate": 01 01 c6 00 00 00 (SOL, instance 1, encrypt+authenticate, deferred alerts)
        ActivatePayload.Request activate = ActivatePayload.Request.sol(1);
        assertEquals("0101c6000000", Hex.of(activate.encode()));
        assertEquals(0x48, activate.command());
        assertEquals(activate, ActivatePayload.Request.decode(Hex.parse("0101c6000000")));
        assertEquals(
                "2018c881" + "0448" + "0101c6000000" + "6b",
                Hex.of(activate.toRequest(1).encode()));
        // response: aux 00000000, inbound 0x00ff, outbound 0x00ff, port 623 (0x026f), VLAN ffff
        ActivatePayload.Response rs = new ActivatePayload.Response(0xFF, 0xFF, 623);
        assertEquals("00000000ff00ff006f02ffff", Hex.of(rs.encode()));
        assertEquals(rs, ActivatePayload.Response.decode(Hex.parse("00000000ff00ff006f02ffff")));

        DeactivatePayload.Request deactivate = DeactivatePayload.Request.sol(1);
        assertEquals("010100000000", Hex.of(deactivate.encode()));
        assertEquals(0x49, deactivate.command());
        assertEquals(deactivate, DeactivatePayload.Request.decode(deactivate.encode()));

        GetPayloadActivationStatus.Request status = new GetPayloadActivationStatus.Request(PayloadType.SOL);
        assertEquals("01", Hex.of(status.encode()));
        GetPayloadActivationStatus.Response st = GetPayloadActivationStatus.Response.decode(Hex.parse("010100"));
        assertEquals(1, st.capacity());
        assertTrue(st.active(1));
        assertFalse(st.active(2));
        assertEquals("010100", Hex.of(st.encode()));
    }

    @Test
    void solPayloadLayout() throws Exception {
        assertEquals(
                "0100000068690a", Hex.of(SolPacket.data(1, "hi\n".getBytes()).encode()));
        assertEquals("00010300", Hex.of(SolPacket.ack(1, 3).encode()));
        SolPacket nack = SolPacket.decode(Hex.parse("0002012041"));
        assertEquals(0, nack.sequence());
        assertEquals(2, nack.ackSequence());
        assertEquals(1, nack.acceptedCount());
        assertEquals(SolPacket.TRANSFER_UNAVAILABLE, nack.flags());
        assertEquals("41", Hex.of(nack.data()));
        assertFalse(nack.carriesData());
        assertTrue(nack.isAck());
        assertEquals("03000010", Hex.of(new SolPacket(3, 0, 0, SolPacket.GENERATE_BREAK, null).encode()));
        assertEquals(1, SolPacket.nextSequence(15));
        assertEquals(2, SolPacket.nextSequence(1));
        assertThrows(IpmiDecodeException.class, () -> SolPacket.decode(Hex.parse("010000")));
        assertThrows(IllegalArgumentException.class, () -> SolPacket.data(16, null));
    }

    @Test
    void inboundRetransmitsDeliverOnlyNewCharacters() {
        io.anvil.ipmi.codec.sol.SolInbound in = new io.anvil.ipmi.codec.sol.SolInbound();
        assertEquals("ab", new String(in.fresh(SolPacket.data(1, "ab".getBytes()))));
        assertEquals("", new String(in.fresh(SolPacket.data(1, "ab".getBytes()))), "a plain retransmit");
        assertEquals("c", new String(in.fresh(SolPacket.data(1, "abc".getBytes()))), "a retransmit with more");
        assertEquals("d", new String(in.fresh(SolPacket.data(2, "d".getBytes()))));
        assertEquals(
                "00020100",
                Hex.of(io.anvil.ipmi.codec.sol.SolInbound.ackFor(SolPacket.data(2, "d".getBytes()))
                        .encode()));
    }

    @Test
    void solPacketSealedInSuite3SessionThroughTheDatagramCodec() throws Exception {
        SessionKeys keys = CryptoVectorsTest.suite3Exchange().deriveKeys(CryptoVectorsTest.PW);
        RmcpPlusSession console = new RmcpPlusSession(
                CipherSuite.SUITE_3,
                keys,
                CryptoVectorsTest.SIDM,
                0x00000202,
                SessionSequence.startingAtOne(),
                SequenceWindow.rmcpPlus(),
                new SecureRandom());
        byte[] iv = Hex.parse("000102030405060708090a0b0c0d0e0f");
        byte[] plain = SolPacket.data(1, "ls\r".getBytes()).encode();
        V20SessionPacket sealed = console.seal(PayloadType.SOL, plain, 7, iv);
        byte[] wire = Pipelines.encode(sealed);
        assertEquals(GOLDEN_SUITE3_SOL, Hex.of(wire));

        // the same bytes from first principles: AES-CBC-128 with the 1..N,N pad (§13.29), HMAC-SHA1-96 over
        // auth type .. next header (§13.28.4)
        Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
        aes.init(
                Cipher.ENCRYPT_MODE,
                new SecretKeySpec(Arrays.copyOf(keys.aesKey(), 16), "AES"),
                new IvParameterSpec(iv));
        byte[] padded = Hex.parse(Hex.of(plain) + "0102030405060708" + "08");
        assertEquals(16, padded.length);
        byte[] payload = Hex.parse(Hex.of(iv) + Hex.of(aes.doFinal(padded)));
        String covered = "06c1" + "02020000" + "07000000" + "2000" + Hex.of(payload) + "ffff" + "02" + "07";
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(keys.k1(), "HmacSHA1"));
        String icv = Hex.of(Arrays.copyOf(mac.doFinal(Hex.parse(covered)), 12));
        assertEquals("0600ff07" + covered + icv, GOLDEN_SUITE3_SOL);

        // and back: the BMC end opens it to the same SOL payload
        RmcpMessage decoded = Pipelines.decode(wire);
        V20SessionPacket in = assertInstanceOf(V20SessionPacket.class, decoded);
        assertEquals(PayloadType.SOL, in.payloadType());
        RmcpPlusSession bmc = new RmcpPlusSession(
                CipherSuite.SUITE_3,
                keys,
                0x00000202,
                CryptoVectorsTest.SIDM,
                SessionSequence.startingAtOne(),
                SequenceWindow.rmcpPlus(),
                new SecureRandom());
        assertArrayEquals(plain, bmc.open(in));
        assertEquals(SolPacket.data(1, "ls\r".getBytes()), SolPacket.decode(plain));
    }

    static final String GOLDEN_SUITE3_SOL = "0600ff0706c102020000070000002000"
            + "000102030405060708090a0b0c0d0e0f104e2060ce0c3c967f0407ba8eafec78ffff0207bb035ea109b9fb17085eee55";
}
