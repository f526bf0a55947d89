package io.anvil.util;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;

/**
 * The Netty transport of Anvil's own UDP sockets (the IPMI client's, the simulated BMCs'): Linux's native epoll when
 * it loads, NIO otherwise (docs/architecture.md#threads). Vert.x makes the same choice for its sockets
 * ({@code VertxOptions.preferNativeTransport}); docs/benchmarks.md#native-transport has what it saves.
 */
public final class DatagramTransport {
    /** Set {@code -Danvil.transport.nio=true} to force NIO (to compare, or to rule the native transport out). */
    private static final boolean NATIVE = !Boolean.getBoolean("anvil.transport.nio") && Epoll.isAvailable();

    private DatagramTransport() {}

    /** The I/O handler of an event loop group that hosts these sockets. */
    public static IoHandlerFactory ioHandlerFactory() {
        return NATIVE ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The datagram channel class matching {@link #ioHandlerFactory()}. */
    public static Class<? extends DatagramChannel> channelClass() {
        return NATIVE ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** "epoll" or "NIO", for logs and benchmark tables. */
    public static String name() {
        return NATIVE ? "epoll" : "NIO";
    }
}
