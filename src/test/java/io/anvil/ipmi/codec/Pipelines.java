package io.anvil.ipmi.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/** EmbeddedChannel plumbing shared by the tests; every helper checks that buffers are released. */
public final class Pipelines {

    public static final InetSocketAddress BMC = new InetSocketAddress("127.0.0.1", 9001);
    public static final InetSocketAddress CONSOLE = new InetSocketAddress("127.0.0.1", 52513);

    private Pipelines() {}

    public static EmbeddedChannel channel(RmcpDatagramCodec codec) {
        return new EmbeddedChannel(codec);
    }

    /** Writes one datagram inbound; returns the decoded message or null when it was dropped. */
    public static RmcpDatagram inbound(EmbeddedChannel ch, byte[] datagram) {
        ByteBuf content =
                Unpooled.buffer(datagram.length).writeBytes(datagram); // not EMPTY_BUFFER: its refCnt never drops
        ch.writeInbound(new DatagramPacket(content, CONSOLE, BMC));
        ch.checkException();
        assertEquals(0, content.refCnt(), "inbound datagram must be released by the codec");
        RmcpDatagram decoded = ch.readInbound();
        assertNull(ch.readInbound(), "one datagram decodes to at most one message");
        return decoded;
    }

    public static RmcpMessage decode(byte[] datagram) {
        EmbeddedChannel ch = channel(new RmcpDatagramCodec());
        RmcpDatagram d = inbound(ch, datagram);
        assertNotNull(d, "golden datagram must decode");
        assertEquals(BMC, d.peer(), "peer of an inbound datagram is its sender");
        ch.finishAndReleaseAll();
        return d.message();
    }

    /** Encodes one message outbound and returns the datagram bytes (the packet is released here). */
    public static byte[] encode(RmcpMessage message) {
        EmbeddedChannel ch = channel(new RmcpDatagramCodec());
        ch.writeOutbound(new RmcpDatagram(message, BMC));
        DatagramPacket out = ch.readOutbound();
        try {
            assertEquals(BMC, out.recipient());
            return ByteBufUtil.getBytes(out.content());
        } finally {
            out.release();
            ch.finishAndReleaseAll();
        }
    }
}
