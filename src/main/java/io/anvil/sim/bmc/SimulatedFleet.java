package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.CodecStats;
import io.anvil.ipmi.codec.RmcpDatagramCodec;
import io.anvil.ipmi.codec.command.GetChannelCipherSuites;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.util.DatagramTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fleet of simulated BMCs in one process: the server side of Anvil's IPMI codecs, for interop tests,
 * the IPMI client's negative tests and benchmarks.
 *
 * <pre>{@code
 * SimulatedFleet fleet = SimulatedFleet.start(vertx, new FleetOptions().count(1000)).await...;
 * SimulatedBmc bmc = fleet.bmc(0);           // bmc.port(), bmc.power(), bmc.bootFlags(), bmc.counters()
 * bmc.faults(BmcFaults.NONE.withDropRate(0.3));
 * fleet.close();
 * }</pre>
 *
 * <p>One Netty datagram channel per BMC, all on a private {@link MultiThreadIoEventLoopGroup} owned by the
 * fleet (never on Vert.x event loops): every BMC's protocol work, crypto and state live on its channel's
 * event-loop thread. Vert.x is only used to hand results back: {@link #start} and {@link #close} complete
 * on the caller's context.
 */
public final class SimulatedFleet {

    private final FleetOptions options;
    private final Map<Integer, CipherSuite> suites;
    private final Set<AuthType> v15Types;
    private final byte[] cipherSuiteRecords;
    private final CodecStats codecStats = new CodecStats();
    private final SecureRandom random = new SecureRandom();
    private final byte[] guidPrefix = new byte[16];
    private final List<SimulatedBmc> bmcs;
    private final EventLoopGroup group;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long startNanos;
    private volatile long startupNanos;

    private SimulatedFleet(FleetOptions options) {
        this.options = options;
        Map<Integer, CipherSuite> s = new LinkedHashMap<>();
        List<GetChannelCipherSuites.SuiteRecord> records = new ArrayList<>();
        for (int id : new java.util.TreeSet<>(options.cipherSuites())) {
            CipherSuite c = CipherSuite.byId(id).orElseThrow();
            s.put(id, c);
            records.add(GetChannelCipherSuites.SuiteRecord.standard(
                    id,
                    c.authentication().id(),
                    c.integrity().id(),
                    c.confidentiality().id()));
        }
        this.suites = Collections.unmodifiableMap(s);
        this.v15Types = Collections.unmodifiableSet(options.v15AuthTypes());
        this.cipherSuiteRecords = GetChannelCipherSuites.encodeRecords(records);
        random.nextBytes(guidPrefix);
        this.bmcs = new ArrayList<>(options.count());
        this.group = new MultiThreadIoEventLoopGroup(
                options.eventLoopThreads(),
                new DefaultThreadFactory("anvil-sim", true),
                DatagramTransport.ioHandlerFactory());
        this.startNanos = System.nanoTime();
    }

    /**
     * Binds {@code options.count()} BMCs and completes (on the caller's Vert.x context) when all listen, or
     * fails — with every socket already closed — when one cannot bind.
     */
    public static Future<SimulatedFleet> start(Vertx vertx, FleetOptions options) {
        FleetOptions o = new FleetOptions(options);
        Context context = vertx.getOrCreateContext();
        Promise<SimulatedFleet> promise = Promise.promise();
        SimulatedFleet fleet;
        try {
            o.validate();
            fleet = new SimulatedFleet(o);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        fleet.bindAll(context, promise);
        return promise.future();
    }

    private void bindAll(Context context, Promise<SimulatedFleet> promise) {
        List<InetSocketAddress> addresses;
        try {
            addresses = addresses();
        } catch (UnknownHostException | IllegalArgumentException e) {
            shutdownGroup().onComplete(x -> context.runOnContext(v -> promise.fail(e)));
            return;
        }
        RmcpDatagramCodec codec = new RmcpDatagramCodec(codecStats);
        Bootstrap base = new Bootstrap()
                .group(group)
                .channel(DatagramTransport.channelClass())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RmcpMaxDatagram.SIZE))
                .option(ChannelOption.SO_REUSEADDR, false);
        AtomicInteger pending = new AtomicInteger(addresses.size());
        AtomicBoolean failed = new AtomicBoolean();
        for (int i = 0; i < addresses.size(); i++) {
            SimulatedBmc bmc = new SimulatedBmc(this, i, addresses.get(i));
            bmcs.add(bmc);
        }
        for (SimulatedBmc bmc : bmcs) {
            ChannelFuture f = base.clone()
                    .handler(new ChannelInitializer<DatagramChannel>() {
                        @Override
                        protected void initChannel(DatagramChannel ch) {
                            ch.pipeline().addLast(codec, new BmcChannelHandler(bmc));
                        }
                    })
                    .bind(bmc.address());
            f.addListener(r -> {
                if (r.isSuccess()) {
                    bmc.bound(f.channel());
                } else if (failed.compareAndSet(false, true)) {
                    Throwable cause = new IllegalStateException(
                            "cannot bind simulated BMC " + bmc.index() + " on " + bmc.address() + ": "
                                    + r.cause().getMessage(),
                            r.cause());
                    closeChannels()
                            .compose(v -> shutdownGroup())
                            .onComplete(x -> context.runOnContext(v -> promise.fail(cause)));
                }
                if (pending.decrementAndGet() == 0 && !failed.get()) {
                    startupNanos = System.nanoTime() - startNanos;
                    startSweepers();
                    context.runOnContext(v -> promise.complete(this));
                }
            });
        }
    }

    private List<InetSocketAddress> addresses() throws UnknownHostException {
        List<InetSocketAddress> out = new ArrayList<>(options.count());
        InetAddress base = InetAddress.getByName(options.host());
        if (options.addressMode() == FleetOptions.AddressMode.PORTS) {
            for (int i = 0; i < options.count(); i++) {
                out.add(new InetSocketAddress(base, options.basePort() == 0 ? 0 : options.basePort() + i));
            }
            return out;
        }
        if (!(base instanceof Inet4Address)) {
            throw new IllegalArgumentException("ADDRESSES mode needs an IPv4 base address, got " + options.host());
        }
        byte[] b = base.getAddress();
        long first = (b[0] & 0xFFL) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        if (first + options.count() - 1 > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("address range overflows");
        }
        for (int i = 0; i < options.count(); i++) {
            long a = first + i;
            out.add(new InetSocketAddress(
                    InetAddress.getByAddress(
                            new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a}),
                    options.basePort()));
        }
        return out;
    }

    /** One periodic task per event loop drops expired sessions of the BMCs that loop owns. */
    private void startSweepers() {
        Map<EventLoop, List<SimulatedBmc>> byLoop = new IdentityHashMap<>();
        for (SimulatedBmc bmc : bmcs) {
            byLoop.computeIfAbsent(bmc.channel().eventLoop(), k -> new ArrayList<>())
                    .add(bmc);
        }
        long period = Math.max(
                50,
                Math.min(
                        1000,
                        Math.min(
                                        options.idleTimeout().toMillis(),
                                        options.handshakeTimeout().toMillis())
                                / 2));
        byLoop.forEach((loop, owned) -> loop.scheduleAtFixedRate(
                () -> {
                    long now = System.nanoTime();
                    for (SimulatedBmc bmc : owned) {
                        try {
                            bmc.purgeExpired(now);
                        } catch (RuntimeException e) {
                            bmc.internalError(e);
                        }
                    }
                },
                period,
                period,
                TimeUnit.MILLISECONDS));
    }

    /** Closes every socket and stops the fleet's event loops; completes on the caller's context. */
    public Future<Void> close() {
        Context context = io.vertx.core.Vertx.currentContext();
        if (!closed.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        Promise<Void> promise = Promise.promise();
        closeChannels().compose(v -> shutdownGroup()).onComplete(ar -> {
            if (context != null) {
                context.runOnContext(v -> promise.handle(ar));
            } else {
                promise.handle(ar);
            }
        });
        return promise.future();
    }

    private Future<Void> closeChannels() {
        List<Channel> channels = new ArrayList<>();
        for (SimulatedBmc bmc : bmcs) {
            if (bmc.channel() != null) {
                channels.add(bmc.channel());
            }
        }
        if (channels.isEmpty()) {
            return Future.succeededFuture();
        }
        Promise<Void> promise = Promise.promise();
        AtomicInteger left = new AtomicInteger(channels.size());
        for (Channel ch : channels) {
            ch.close().addListener(f -> {
                if (left.decrementAndGet() == 0) {
                    promise.complete();
                }
            });
        }
        return promise.future();
    }

    private Future<Void> shutdownGroup() {
        Promise<Void> promise = Promise.promise();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(f -> promise.complete());
        return promise.future();
    }

    // ================================================================================ public API

    public int size() {
        return bmcs.size();
    }

    public SimulatedBmc bmc(int index) {
        return bmcs.get(index);
    }

    public List<SimulatedBmc> bmcs() {
        return Collections.unmodifiableList(bmcs);
    }

    /** A copy of the options the fleet was started with. */
    public FleetOptions options() {
        return new FleetOptions(options);
    }

    /** Datagrams that did not decode at all (shared by every BMC) and session-layer rejects by reason. */
    public CodecStats codecStats() {
        return codecStats;
    }

    /** Sets the same faults on every BMC. */
    public void faults(BmcFaults faults) {
        bmcs.forEach(b -> b.faults(faults));
    }

    /** Sum of every BMC's counters. */
    public BmcCounters totals() {
        long[] t = new long[25];
        for (SimulatedBmc b : bmcs) {
            BmcCounters c = b.counters();
            long[] v = {
                c.received(),
                c.answered(),
                c.droppedByFault(),
                c.rejected(),
                c.commands(),
                c.sessionsOpened(),
                c.sessionsClosed(),
                c.sessionsExpired(),
                c.sessionsRefused(),
                c.authFailures(),
                c.handshakesAbandoned(),
                c.unknownUsers(),
                c.privilegeDenied(),
                c.chassisControls(),
                c.powerOns(),
                c.powerOffs(),
                c.boots(),
                c.internalErrors(),
                c.diagnosticInterrupts(),
                c.bmcResets(),
                c.solActivations(),
                c.solCharsIn(),
                c.solCharsOut(),
                c.solBreaks(),
                c.solRetransmits()
            };
            for (int i = 0; i < t.length; i++) {
                t[i] += v[i];
            }
        }
        return new BmcCounters(
                t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11], t[12], t[13], t[14], t[15],
                t[16], t[17], t[18], t[19], t[20], t[21], t[22], t[23], t[24]);
    }

    /** Time from {@link #start} to the last socket bound. */
    public java.time.Duration startupTime() {
        return java.time.Duration.ofNanos(startupNanos);
    }

    /** Human-readable listen range, e.g. {@code 127.0.0.1:9001-9100} or {@code 127.0.0.1-127.0.0.100:623}. */
    public String describe() {
        SimulatedBmc first = bmcs.get(0);
        SimulatedBmc last = bmcs.get(bmcs.size() - 1);
        if (bmcs.size() == 1) {
            return first.hostAndPort();
        }
        if (options.addressMode() == FleetOptions.AddressMode.ADDRESSES) {
            return first.host() + "-" + last.host() + ":" + first.port();
        }
        if (options.basePort() == 0) {
            return first.host() + ":<" + bmcs.size() + " ephemeral ports>";
        }
        return first.host() + ":" + first.port() + "-" + last.port();
    }

    @Override
    public String toString() {
        return "SimulatedFleet[" + bmcs.size() + " BMCs @ " + describe() + "]";
    }

    // ================================================================================ shared by the BMCs

    Map<Integer, CipherSuite> suites() {
        return suites;
    }

    /** The live options (no copy): hot paths read them on every datagram. */
    FleetOptions opts() {
        return options;
    }

    Set<AuthType> v15Types() {
        return v15Types;
    }

    byte[] cipherSuiteRecords() {
        return cipherSuiteRecords;
    }

    SimUser user(byte[] name) {
        for (SimUser u : options.users()) {
            if (u.hasName(name)) {
                return u;
            }
        }
        return null;
    }

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    byte[] guidPrefix() {
        return guidPrefix.clone();
    }

    /** Largest datagram a BMC reads (RmcpWire rejects anything above 1024 bytes anyway). */
    static final class RmcpMaxDatagram {
        static final int SIZE = 2048;

        private RmcpMaxDatagram() {}
    }
}
