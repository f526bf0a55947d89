package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.codec.RmcpDatagram;
import io.anvil.ipmi.codec.RmcpDatagramCodec;
import io.anvil.ipmi.codec.RmcpMessage;
import io.anvil.util.DatagramTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets: a private one-thread Netty event loop and {@code n} datagram channels on ephemeral ports
 * (docs/architecture.md#threads). A BMC always talks through the same channel (chosen by its address), so
 * replies come back where they are expected. The pipeline is only {@link RmcpDatagramCodec} (which copies
 * every datagram into byte arrays and releases it, counting malformed ones) and a bridge that hands each
 * decoded datagram to the client's worker context. No session state and no crypto on the Netty thread.
 */
final class UdpTransport {

    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);

    private final Context context;
    private final Counters counters;
    private final BiConsumer<InetSocketAddress, RmcpMessage> sink;
    private final RmcpDatagramCodec codec;
    private EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();

    UdpTransport(Context context, Counters counters, BiConsumer<InetSocketAddress, RmcpMessage> sink) {
        this.context = context;
        this.counters = counters;
        this.sink = sink;
        this.codec = new RmcpDatagramCodec(counters.codec);
    }

    Future<Void> start(String bindHost, int count, int receiveBufferSize) {
        group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("anvil-ipmi-udp", true), DatagramTransport.ioHandlerFactory());
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(DatagramTransport.channelClass())
                .option(ChannelOption.SO_RCVBUF, receiveBufferSize)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline()
                                .addLast("count", new Count())
                                .addLast("rmcp", codec)
                                .addLast("toVertx", new Bridge());
                    }
                });
        List<Future<Void>> binds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            binds.add(
                    toVertx(bootstrap.bind(new InetSocketAddress(bindHost, 0))).map(ch -> {
                        channels.add(ch);
                        return null;
                    }));
        }
        return Future.all(binds).mapEmpty();
    }

    /** Local addresses of the sockets (tests aim datagrams at them). */
    List<InetSocketAddress> localAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Channel ch : channels) {
            out.add((InetSocketAddress) ch.localAddress());
        }
        return out;
    }

    /** Thread-safe; encoding (no crypto, already sealed) happens on the Netty thread. */
    void send(InetSocketAddress peer, RmcpMessage message) {
        Channel ch = channels.get(Math.floorMod(peer.hashCode(), channels.size()));
        counters.datagramsSent.incrementAndGet();
        ch.writeAndFlush(new RmcpDatagram(message, peer)).addListener(f -> {
            if (!f.isSuccess()) {
                counters.sendFailures.incrementAndGet();
                LOG.debug("send to {} failed: {}", peer, f.cause().toString());
            }
        });
    }

    Future<Void> close() {
        List<Future<Void>> closes = new ArrayList<>();
        for (Channel ch : channels) {
            closes.add(toVertx(ch.close()).mapEmpty());
        }
        return Future.join(closes).transform(ar -> {
            Promise<Void> done = Promise.promise();
            if (group == null) {
                return Future.succeededFuture();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
                    .addListener(f -> context.runOnContext(v -> done.complete()));
            return done.future();
        });
    }

    private Future<Channel> toVertx(ChannelFuture cf) {
        Promise<Channel> p = Promise.promise();
        cf.addListener(f -> context.runOnContext(v -> {
            if (f.isSuccess()) {
                p.complete(cf.channel());
            } else {
                p.fail(f.cause());
            }
        }));
        return p.future();
    }

    /** Counts every datagram, well-formed or not, before the codec sees it. */
    private final class Count extends io.netty.channel.ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            counters.datagramsReceived.incrementAndGet();
            ctx.fireChannelRead(msg);
        }
    }

    /** Netty thread → worker context. Never closes the channel: garbage on a UDP port is expected. */
    private final class Bridge extends SimpleChannelInboundHandler<RmcpDatagram> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RmcpDatagram datagram) {
            context.runOnContext(v -> sink.accept(datagram.peer(), datagram.message()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("IPMI socket error (ignored): {}", cause.toString());
        }
    }
}
