package io.anvil.ipmi.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionRequest;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionResponse;
import io.anvil.ipmi.codec.rmcpplus.Rakp1;
import io.anvil.ipmi.codec.rmcpplus.Rakp2;
import io.anvil.ipmi.codec.rmcpplus.Rakp3;
import io.anvil.ipmi.codec.rmcpplus.Rakp4;
import io.anvil.ipmi.codec.session.RmcpPlusSession;
import io.anvil.ipmi.codec.session.V15Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Lenient decode: truncated, corrupted and random datagrams go through the full inbound path (codec, then
 * session and message decoding as a worker verticle would do it); none may throw out of the pipeline or
 * leak a buffer, and every rejected one is counted exactly once in the shared {@link CodecStats}.
 */
class MalformedInputTest {

    /** Golden datagrams of every shape: ASF, v1.5 pre-session and MD5, RMCP+ setup, suite 3 both ways. */
    static final List<byte[]> GOLDEN = List.of(
            Traces.session(0),
            Traces.session(1),
            Traces.session(6),
            Traces.session(9),
            Traces.session(10),
            Traces.session(12),
            Traces.session(13),
            Traces.session(72),
            Traces.session(73),
            Traces.session(74),
            Traces.session(75),
            Traces.session(76),
            Traces.session(77),
            Traces.session(78),
            Traces.session(79),
            Traces.session(83));

    /** Stands in for the per-BMC state machine: fully processes what the codec hands up. */
    static final class Receiver extends SimpleChannelInboundHandler<RmcpDatagram> {
        final CodecStats stats;
        int accepted;

        Receiver(CodecStats stats) {
            this.stats = stats;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RmcpDatagram datagram) {
            try {
                process(datagram.message());
                accepted++;
            } catch (IpmiDecodeException e) {
                stats.record(e);
            }
        }

        static void process(RmcpMessage m) throws IpmiDecodeException {
            if (m instanceof V15SessionPacket p) {
                byte[] msg = p.message();
                if (p.authType() != AuthType.NONE) {
                    if (p.sessionId() == 0x82) {
                        msg = new V15Session(AuthType.MD5, Traces.PASSWORD, 0x82, 1, true).open(p);
                    } else if (!V15Session.verify(p, Traces.PASSWORD)) {
                        throw new IpmiDecodeException(IpmiDecodeException.Reason.BAD_AUTH_CODE, "auth code");
                    }
                }
                IpmiMessages.decode(msg);
            } else if (m instanceof V20SessionPacket p) {
                byte[] payload = p.payload();
                switch (p.payloadType()) {
                    case PayloadType.OPEN_SESSION_REQUEST -> OpenSessionRequest.decode(payload);
                    case PayloadType.OPEN_SESSION_RESPONSE -> OpenSessionResponse.decode(payload);
                    case PayloadType.RAKP_1 -> Rakp1.decode(payload);
                    case PayloadType.RAKP_2 -> Rakp2.decode(payload);
                    case PayloadType.RAKP_3 -> Rakp3.decode(payload);
                    case PayloadType.RAKP_4 -> Rakp4.decode(payload);
                    default -> {
                        RmcpPlusSession session = p.sessionId() == SessionTest.SIDM
                                ? SessionTest.suite3Console()
                                : SessionTest.suite3Bmc();
                        session.openMessage(p);
                    }
                }
            }
        }
    }

    static final class Harness {
        final CodecStats stats = new CodecStats();
        final Receiver receiver = new Receiver(stats);
        final EmbeddedChannel channel = new EmbeddedChannel(new RmcpDatagramCodec(stats), receiver);
        int sent;

        void send(byte[] datagram) {
            ByteBuf content =
                    Unpooled.buffer(datagram.length).writeBytes(datagram); // not EMPTY_BUFFER: its refCnt never drops
            channel.writeInbound(new DatagramPacket(content, Pipelines.CONSOLE, Pipelines.BMC));
            channel.checkException();
            assertEquals(0, content.refCnt(), "leaked datagram " + Hex.of(datagram));
            sent++;
        }

        void assertEveryDatagramAccountedFor() {
            assertEquals(sent, receiver.accepted + stats.malformed(), stats.toString());
        }
    }

    @Test
    void goldenDatagramsAreAllAccepted() {
        Harness h = new Harness();
        GOLDEN.forEach(h::send);
        assertEquals(GOLDEN.size(), h.receiver.accepted, h.stats.toString());
        assertEquals(0, h.stats.malformed());
    }

    @Test
    void everyTruncationOfEveryGoldenDatagramIsCountedAsMalformed() {
        Harness h = new Harness();
        for (byte[] golden : GOLDEN) {
            for (int length = 0; length < golden.length; length++) {
                long before = h.stats.malformed();
                h.send(Arrays.copyOf(golden, length));
                assertEquals(
                        before + 1,
                        h.stats.malformed(),
                        "truncated to " + length + " of " + Hex.of(golden) + " was accepted");
            }
        }
        assertEquals(0, h.receiver.accepted);
        h.assertEveryDatagramAccountedFor();
        assertTrue(h.stats.malformed(IpmiDecodeException.Reason.TRUNCATED) > 0);
        assertTrue(h.stats.malformed(IpmiDecodeException.Reason.NOT_RMCP) > 0);
    }

    @Test
    void wrongChecksumsAreCounted() {
        Harness h = new Harness();
        byte[] rq = Traces.session(6); // Get Channel Auth Caps, 1.5 pre-session
        for (int i = 14; i < rq.length; i++) { // every byte of the IPMI message
            byte[] bad = rq.clone();
            bad[i] += 1;
            h.send(bad);
        }
        assertEquals(rq.length - 14, h.stats.malformed(IpmiDecodeException.Reason.BAD_CHECKSUM));
        h.assertEveryDatagramAccountedFor();
    }

    @Test
    void anyCorruptionOfAnAuthenticatedPacketIsRejected() {
        Harness h = new Harness();
        for (byte[] golden : List.of(Traces.session(10), Traces.session(12), Traces.session(78), Traces.session(83))) {
            for (int i = 4; i < golden.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] bad = golden.clone();
                    bad[i] ^= (byte) (1 << bit);
                    h.send(bad);
                }
            }
        }
        assertEquals(0, h.receiver.accepted, h.stats.toString());
        h.assertEveryDatagramAccountedFor();
    }

    @Test
    void seededFuzzOfRandomAndMutatedDatagrams() {
        Random random = new Random(0x1F2E3D4CL);
        Harness randomInput = new Harness();
        Harness mutatedInput = new Harness();
        for (int i = 0; i < 5_000; i++) {
            randomInput.send(randomDatagram(random));
            mutatedInput.send(mutate(random, GOLDEN.get(random.nextInt(GOLDEN.size()))));
        }
        randomInput.assertEveryDatagramAccountedFor();
        mutatedInput.assertEveryDatagramAccountedFor();
        // random bytes never pass checksums, IANA, auth codes or ICVs
        assertEquals(0, randomInput.receiver.accepted, randomInput.stats.toString());
        // mutations may legitimately survive (trailing bytes after a v1.5 message, a changed RAKP tag, ...)
        assertTrue(mutatedInput.stats.malformed() > 2_500, mutatedInput.stats.toString());
        for (Harness h : List.of(randomInput, mutatedInput)) {
            assertEquals(0, h.stats.malformed(IpmiDecodeException.Reason.INTERNAL), "no decoder bug surfaced");
            assertEquals(false, h.channel.finishAndReleaseAll());
        }
    }

    private static byte[] randomDatagram(Random random) {
        byte[] b = new byte[random.nextInt(120)];
        random.nextBytes(b);
        if (b.length >= 5 && random.nextBoolean()) { // get past the RMCP header half the time
            b[0] = 0x06;
            b[3] = (byte) (random.nextBoolean() ? 0x07 : 0x06);
            b[4] = (byte) (random.nextBoolean() ? 0x06 : random.nextInt(6));
        }
        return b;
    }

    private static byte[] mutate(Random random, byte[] golden) {
        byte[] b = golden.clone();
        switch (random.nextInt(4)) {
            case 0 -> b = Arrays.copyOf(b, random.nextInt(b.length));
            case 1 -> b = Arrays.copyOf(b, b.length + 1 + random.nextInt(40)); // trailing garbage (zeros)
            default -> {
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    b[4 + random.nextInt(b.length - 4)] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }
}
