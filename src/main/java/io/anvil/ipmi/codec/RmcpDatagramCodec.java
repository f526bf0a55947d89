package io.anvil.ipmi.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;

/**
 * Netty codec {@code DatagramPacket ↔ RmcpDatagram}: the outer RMCP/ASF/session layer only (see
 * {@link RmcpWire}). Stateless and {@link ChannelHandler.Sharable}: crypto state lives in
 * {@link io.anvil.ipmi.codec.session.RmcpPlusSession}/{@link io.anvil.ipmi.codec.session.V15Session}
 * objects owned by whoever handles the decoded datagrams.
 *
 * <p>Inbound, every datagram is copied into a byte array and the packet is released by
 * {@link MessageToMessageCodec} as soon as {@code decode} returns; nothing downstream holds a ByteBuf.
 * A datagram that does not decode is dropped and counted in {@link #stats()}; no exception ever leaves
 * {@code decode}.
 */
@ChannelHandler.Sharable
public final class RmcpDatagramCodec extends MessageToMessageCodec<DatagramPacket, RmcpDatagram> {

    private final CodecStats stats;

    public RmcpDatagramCodec() {
        this(new CodecStats());
    }

    public RmcpDatagramCodec(CodecStats stats) {
        this.stats = stats;
    }

    public CodecStats stats() {
        return stats;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, DatagramPacket packet, List<Object> out) {
        try {
            ByteBuf content = packet.content();
            byte[] bytes = ByteBufUtil.getBytes(content, content.readerIndex(), content.readableBytes(), false);
            out.add(new RmcpDatagram(RmcpWire.decode(bytes), packet.sender()));
        } catch (IpmiDecodeException e) {
            stats.record(e);
        } catch (RuntimeException e) {
            // Lenient decode is a promise: a decoder bug must cost one dropped datagram, not the pipeline.
            stats.record(IpmiDecodeException.Reason.INTERNAL);
        }
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RmcpDatagram datagram, List<Object> out) {
        byte[] bytes = RmcpWire.encode(datagram.message()); // strict: throws before anything is allocated
        ByteBuf buf = ctx.alloc().buffer(bytes.length).writeBytes(bytes);
        out.add(new DatagramPacket(buf, datagram.peer()));
    }
}
