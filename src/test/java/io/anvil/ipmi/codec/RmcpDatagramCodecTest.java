package io.anvil.ipmi.codec;

import static io.anvil.ipmi.codec.Pipelines.decode;
import static io.anvil.ipmi.codec.Pipelines.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import org.junit.jupiter.api.Test;

class RmcpDatagramCodecTest {

    @Test
    void presencePingAndPongFromIpmiSim() {
        byte[] ping = Traces.session(2);
        byte[] pong = Traces.session(3);
        assertEquals("0600ff06000011be80010000", Hex.of(ping));

        AsfPresencePing decodedPing = assertInstanceOf(AsfPresencePing.class, decode(ping));
        assertEquals(1, decodedPing.tag());
        assertArrayEquals(ping, encode(new AsfPresencePing(1)));

        AsfPresencePong decodedPong = assertInstanceOf(AsfPresencePong.class, decode(pong));
        assertEquals(new AsfPresencePong(1, 4542, 0, 0x81, 0), decodedPong);
        assertTrue(decodedPong.ipmiSupported());
        // a simulator answering the ping produces ipmi_sim's pong byte for byte
        assertArrayEquals(pong, encode(AsfPresencePong.ipmiBmcAnswer(decodedPing)));
    }

    @Test
    void v15PresessionGetChannelAuthCapabilities() {
        V15SessionPacket rq = assertInstanceOf(V15SessionPacket.class, decode(Traces.session(6)));
        assertEquals(AuthType.NONE, rq.authType());
        assertEquals(0, rq.sessionId());
        assertEquals(0, rq.sessionSequence());
        assertEquals(0, rq.authCode().length);
        assertEquals("2018c881043 80e0431".replace(" ", ""), Hex.of(rq.message()));
        assertArrayEquals(Traces.session(6), encode(V15SessionPacket.presession(rq.message())));
    }

    @Test
    void v15Md5ActivateSessionRequestFields() {
        V15SessionPacket p = assertInstanceOf(V15SessionPacket.class, decode(Traces.session(10)));
        assertEquals(AuthType.MD5, p.authType());
        assertEquals(5, p.sessionId());
        assertEquals(0, p.sessionSequence());
        assertEquals("e3f604ee6383e05565c80517ee5b074a", Hex.of(p.authCode()));
        assertEquals(29, p.message().length);
        assertArrayEquals(Traces.session(10), encode(p));
    }

    @Test
    void v15SessionPacketToStringMasksTheAuthCode() {
        V15SessionPacket straight = assertInstanceOf(V15SessionPacket.class, decode(Traces.session(34)));
        assertEquals(AuthType.STRAIGHT_PASSWORD, straight.authType());
        assertEquals("70617373776f72640000000000000000", Hex.of(straight.authCode())); // "password"
        assertFalse(straight.toString().contains("70617373"), straight.toString());
        assertTrue(straight.toString().contains("<masked>"));
    }

    @Test
    void rmcpPlusPresessionOpenSessionRequest() {
        V20SessionPacket p = assertInstanceOf(V20SessionPacket.class, decode(Traces.session(72)));
        assertEquals(PayloadType.OPEN_SESSION_REQUEST, p.payloadType());
        assertFalse(p.encrypted());
        assertFalse(p.authenticated());
        assertEquals(0, p.sessionId());
        assertEquals(0, p.sessionSequence());
        assertEquals(32, p.payloadLength());
        assertArrayEquals(Traces.session(72), encode(V20SessionPacket.presession(p.payloadType(), p.payload())));
    }

    @Test
    void rmcpPlusEncryptedAuthenticatedPacketKeepsTheTrailer() {
        byte[] raw = Traces.session(78); // suite 3, Set Session Privilege Level, first in-session packet
        V20SessionPacket p = assertInstanceOf(V20SessionPacket.class, decode(raw));
        assertEquals(PayloadType.IPMI, p.payloadType());
        assertTrue(p.encrypted());
        assertTrue(p.authenticated());
        assertEquals(0x00000202, p.sessionId());
        assertEquals(3, p.sessionSequence());
        assertEquals("5edb0a889fe4aad5549379ac60041a8f71f7c0f3c51d613b38117692f9fc4196", Hex.of(p.payload()));
        assertEquals("ffff", Hex.of(p.integrityPad()));
        assertEquals("290b14890a606c3c76340d3f", Hex.of(p.authCode()));
        // the ICV input is bytes 4 .. next header of the datagram
        assertEquals(Hex.of(java.util.Arrays.copyOfRange(raw, 4, raw.length - 12)), Hex.of(p.integrityInput()));
        assertArrayEquals(raw, encode(p));
    }

    @Test
    void integrityPadOfOneAndThreeBytes() {
        V20SessionPacket pad1 = assertInstanceOf(V20SessionPacket.class, decode(Traces.more(102)));
        assertEquals(9, pad1.payloadLength());
        assertEquals("ff", Hex.of(pad1.integrityPad()));
        V20SessionPacket pad3 = assertInstanceOf(V20SessionPacket.class, decode(Traces.more(105)));
        assertEquals(7, pad3.payloadLength());
        assertEquals("ffffff", Hex.of(pad3.integrityPad()));
        assertArrayEquals(Traces.more(102), encode(pad1));
        assertArrayEquals(Traces.more(105), encode(pad3));
    }

    @Test
    void misalignedIntegrityPadIsAcceptedOnDecodeButNeverEncoded() {
        // Same packet as more#102 (9-byte payload, spec pad 1) re-framed with no pad: "01 07" → "00 07".
        byte[] raw = Traces.more(102);
        byte[] noPad = new byte[raw.length - 1];
        System.arraycopy(raw, 0, noPad, 0, 25);
        noPad[25] = 0x00;
        System.arraycopy(raw, 27, noPad, 26, raw.length - 27);
        V20SessionPacket p = assertInstanceOf(V20SessionPacket.class, decode(noPad));
        assertEquals(0, p.integrityPad().length);
        assertEquals(12, p.authCode().length);
        EncoderException e = assertThrows(EncoderException.class, () -> encode(p));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    @Test
    void nonRmcpWakeUpDatagramIsDroppedAndCounted() {
        RmcpDatagramCodec codec = new RmcpDatagramCodec();
        EmbeddedChannel ch = Pipelines.channel(codec);
        assertNull(Pipelines.inbound(ch, Traces.session(100))); // pyghmi's 1-byte "01"
        assertEquals(1, codec.stats().malformed());
        assertEquals(1, codec.stats().malformed(IpmiDecodeException.Reason.NOT_RMCP));
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void oneSharableCodecServesManyChannels() {
        RmcpDatagramCodec shared = new RmcpDatagramCodec();
        EmbeddedChannel a = Pipelines.channel(shared);
        EmbeddedChannel b = Pipelines.channel(shared);
        assertInstanceOf(
                AsfPresencePing.class, Pipelines.inbound(a, Traces.session(0)).message());
        assertNull(Pipelines.inbound(b, new byte[] {1, 2, 3}));
        assertEquals(1, shared.stats().malformed());
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void everyCapturedRmcpDatagramDecodesAndReencodesByteForByte() {
        int checked = 0;
        for (Traces.Packet p : Traces.all()) {
            if (p.raw().length == 1) {
                continue; // pyghmi's wake-up byte, covered above
            }
            assertArrayEquals(p.raw(), encode(decode(p.raw())), p.toString());
            checked++;
        }
        assertEquals(266, checked); // 281 captured datagrams minus 15 pyghmi wake-up bytes
    }
}
