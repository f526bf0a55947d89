package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.AsfPresencePing;
import io.anvil.ipmi.codec.AsfPresencePong;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.RmcpDatagram;
import io.anvil.ipmi.codec.RmcpMessage;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.V20SessionPacket;
import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated BMC: its UDP endpoint and the public face of its parts. A datagram goes
 * {@link #receive} → {@link RmcpPlusHandshake} or {@link V15Handshake} (login and session framing, slots in the
 * {@link SessionTable}) → {@link CommandDispatcher} → {@link BmcCommands} → {@link SimulatedChassis}; the answer
 * leaves through {@link #send}. Fault knobs ({@link BmcFaults}) are read where they act; {@link LiveCounters}
 * count everything.
 *
 * <h2>Threading</h2>
 * Every protocol step, crypto operation and state change runs on the BMC's own Netty event-loop thread
 * (the fleet's private group, never a Vert.x event loop); nothing is locked. Getters may be called from
 * any thread: they read fields that are published with {@code volatile}. Mutators from outside
 * ({@link #power(PowerState)}, {@link #bootFlags(BootFlags)}, {@link #whenPower}) are executed on the
 * event loop and return a {@link Future}. {@link #faults(BmcFaults)} is a plain volatile write.
 *
 * <h2>Memory</h2>
 * An idle BMC holds its channel, this object and its small parts, nothing else: no session map, no listeners,
 * no buffers. Users, options and the random source are shared by the whole fleet.
 */
public final class SimulatedBmc {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedBmc.class);

    private final SimulatedFleet fleet;
    private final int index;
    private final InetSocketAddress requestedAddress;
    private Channel channel;
    private volatile BmcFaults faults;

    final SimulatedChassis chassis;
    final SessionTable sessions = new SessionTable(this);
    final LiveCounters counters = new LiveCounters();
    /** The host's serial port as SOL sees it; created on first use (an idle BMC holds none). Loop only. */
    private volatile SimulatedConsole console;

    SimulatedBmc(SimulatedFleet fleet, int index, InetSocketAddress requestedAddress) {
        this.fleet = fleet;
        this.index = index;
        this.requestedAddress = requestedAddress;
        this.chassis = new SimulatedChassis(this, fleet.opts().initialPower());
        this.faults = fleet.opts().faults();
    }

    SimulatedConsole console() {
        if (console == null) {
            console = new SimulatedConsole(this);
        }
        return console;
    }

    /** A session ended: an SOL payload it had active ends with it. Loop only. */
    void sessionGone(SimSession s) {
        if (console != null) {
            console.sessionGone(s);
        }
    }

    void bound(Channel ch) {
        this.channel = ch;
    }

    Channel channel() {
        return channel;
    }

    SimulatedFleet fleet() {
        return fleet;
    }

    // ================================================================================ public inspection

    /** Position in the fleet, 0-based. */
    public int index() {
        return index;
    }

    /** Where the BMC listens (the real port when the fleet was started with base port 0). */
    public InetSocketAddress address() {
        return channel != null ? (InetSocketAddress) channel.localAddress() : requestedAddress;
    }

    public String host() {
        return address().getAddress().getHostAddress();
    }

    public int port() {
        return address().getPort();
    }

    /** {@code host:port}, the syntax FreeIPMI's {@code -h} takes. */
    public String hostAndPort() {
        return host() + ":" + port();
    }

    public PowerState power() {
        return chassis.power();
    }

    /** True while a delayed power transition (power delays, soft-off delay) has not happened yet. */
    public boolean powerTransitionPending() {
        return chassis.powerTransitionPending();
    }

    /** Boot flags (Get/Set System Boot Options parameter 5) as stored, exactly as a client wrote them. */
    public BootFlags bootFlags() {
        return chassis.bootFlags();
    }

    /** Device selected by the stored boot flags (whether or not the valid bit is still set). */
    public BootDevice bootDevice() {
        return chassis.bootFlags().device().orElse(BootDevice.NO_OVERRIDE);
    }

    public boolean bootFlagsValid() {
        return chassis.bootFlags().valid();
    }

    public boolean bootPersistent() {
        return chassis.bootFlags().persistent();
    }

    public boolean bootEfi() {
        return chassis.bootFlags().efi();
    }

    /**
     * The boot flags in force at the last boot (power on, cycle or hard reset); empty before the first boot.
     * Flags that were not valid at that moment mean "boot from the default device".
     */
    public Optional<BootFlags> lastBoot() {
        return Optional.ofNullable(chassis.lastBootFlags());
    }

    /** Parameter 0: 0 set complete, 1 set in progress, 2 commit write. */
    public int bootOptionsSetInProgress() {
        return chassis.setInProgress();
    }

    /** Parameter 3 (boot-flag valid-bit clearing mask) as last written. */
    public int bootValidBitClearing() {
        return chassis.validBitClearing();
    }

    /** Parameter 4 (boot info acknowledge data) as last written. */
    public int bootInfoAcknowledge() {
        return chassis.bootInfoAcknowledge();
    }

    /** Established sessions. */
    public int activeSessions() {
        return sessions.activeSessions();
    }

    /** Occupied session-table entries: established sessions plus handshakes in progress. */
    public int sessionSlotsInUse() {
        return sessions.slotsInUse();
    }

    public BmcFaults faults() {
        return faults;
    }

    /** Replaces the fault knobs; effective for the next datagram. Callable from any thread. */
    public SimulatedBmc faults(BmcFaults value) {
        faults = Objects.requireNonNull(value, "faults");
        return this;
    }

    public BmcCounters counters() {
        return counters.snapshot();
    }

    /** GUID reported in RAKP2 and Get Device/System GUID. */
    public byte[] guid() {
        byte[] g = fleet.guidPrefix();
        g[12] = (byte) index;
        g[13] = (byte) (index >>> 8);
        g[14] = (byte) (index >>> 16);
        g[15] = (byte) (index >>> 24);
        return g;
    }

    // ================================================================================ public mutators

    /** Sets the power state directly (test setup): no delay, counts as a transition, boots when turned on. */
    public Future<Void> power(PowerState state) {
        return onLoop(() -> chassis.forcePower(state));
    }

    /** Stores boot flags directly (test setup), as if written with Set System Boot Options parameter 5. */
    public Future<Void> bootFlags(BootFlags flags) {
        Objects.requireNonNull(flags, "flags");
        return onLoop(() -> chassis.forceBootFlags(flags));
    }

    /** Completes once the power reads {@code state} (at once when it already does). */
    public Future<Void> whenPower(PowerState state) {
        Promise<Void> promise = Promise.promise();
        execute(() -> chassis.whenPower(state, promise), promise);
        return promise.future();
    }

    /**
     * Completes with the counters once {@code condition} holds for them; checked after every datagram and
     * on every session sweep, so tests can wait for an effect without sleeping.
     */
    public Future<BmcCounters> when(Predicate<BmcCounters> condition) {
        Promise<BmcCounters> promise = Promise.promise();
        execute(() -> counters.whenever(condition, promise), promise);
        return promise.future();
    }

    /**
     * Writes {@code text} to the host's serial port: it reaches the console of the session that has SOL active
     * (IPMI v2.0 §15), and is lost when none has. Callable from any thread.
     */
    public Future<Void> consolePrint(String text) {
        return onLoop(() -> console().print(text));
    }

    /** Whether a session has the SOL payload active now. */
    public boolean solActive() {
        return console != null && console.active();
    }

    /** Drops every session and handshake (as a BMC reset would). */
    public Future<Void> closeAllSessions() {
        return onLoop(sessions::clear);
    }

    private Future<Void> onLoop(Runnable r) {
        Promise<Void> promise = Promise.promise();
        execute(
                () -> {
                    r.run();
                    promise.tryComplete();
                },
                promise);
        return promise.future();
    }

    private void execute(Runnable r, Promise<?> failOnReject) {
        if (channel == null) {
            failOnReject.tryFail("BMC " + index + " is not bound");
            return;
        }
        try {
            channel.eventLoop().execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    failOnReject.tryFail(e);
                }
            });
        } catch (RuntimeException e) {
            failOnReject.tryFail(e);
        }
    }

    @Override
    public String toString() {
        return "SimulatedBmc[" + index + " @ " + hostAndPort() + ", power=" + chassis.power() + ", sessions="
                + sessions.activeSessions() + "]";
    }

    // ================================================================================ the UDP channel

    /** Called on the event loop for every decoded datagram. Never throws. */
    void receive(RmcpDatagram datagram) {
        counters.received++;
        if (faults.dropsDatagram()) {
            counters.droppedByFault++;
            return;
        }
        try {
            RmcpMessage m = datagram.message();
            InetSocketAddress peer = datagram.peer();
            if (m instanceof AsfPresencePing ping) {
                send(AsfPresencePong.ipmiBmcAnswer(ping), peer);
            } else if (m instanceof V20SessionPacket p) {
                RmcpPlusHandshake.onPacket(this, p, peer);
            } else if (m instanceof V15SessionPacket p) {
                V15Handshake.onPacket(this, p, peer);
            }
            // a pong sent to a BMC: ignore
        } catch (IpmiDecodeException e) {
            counters.rejected++;
            fleet.codecStats().record(e);
        } catch (RuntimeException e) {
            internalError(e);
        }
        counters.checkWaiters();
    }

    /** Drops expired sessions; called on the loop by the fleet's sweeper. */
    void purgeExpired(long now) {
        sessions.purgeExpired(now);
    }

    void internalError(Throwable cause) {
        counters.internalErrors++;
        LOG.warn("simulated BMC {}: unexpected error", index, cause);
    }

    /** Sends an answer, as late as the response-delay fault says. */
    void send(RmcpMessage message, InetSocketAddress peer) {
        RmcpDatagram out = new RmcpDatagram(message, peer);
        Duration delay = faults.responseDelay();
        if (delay.isZero()) {
            write(out);
        } else {
            channel.eventLoop().schedule(() -> write(out), delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void write(RmcpDatagram out) {
        counters.answered++;
        channel.writeAndFlush(out).addListener(f -> {
            if (!f.isSuccess() && channel.isActive()) {
                internalError(f.cause());
            }
        });
    }

    /** Tells the fleet's event listener (the CLI's log, tests) what just happened. */
    void event(String what) {
        var listener = fleet.opts().eventListener();
        if (listener != null) {
            try {
                listener.accept(this, what);
            } catch (RuntimeException e) {
                LOG.warn("event listener failed", e);
            }
        }
    }
}
