package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.RmcpDatagram;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

/**
 * Last handler of a simulated BMC's channel: hands every decoded datagram to its BMC, on the channel's
 * event-loop thread (the BMC's state is confined to that thread, so there is no hop and no lock).
 */
final class BmcChannelHandler extends SimpleChannelInboundHandler<RmcpDatagram> {

    private final SimulatedBmc bmc;

    BmcChannelHandler(SimulatedBmc bmc) {
        this.bmc = bmc;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RmcpDatagram datagram) {
        bmc.receive(datagram);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        bmc.internalError(cause);
    }
}
