package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.AsfPresencePing;
import io.anvil.ipmi.codec.AsfPresencePong;
import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.RmcpDatagram;
import io.anvil.ipmi.codec.RmcpMessage;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.V20SessionPacket;
import io.anvil.ipmi.codec.command.ActivateSession;
import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.crypto.RakpExchange;
import io.anvil.ipmi.codec.crypto.SessionKeys;
import io.anvil.ipmi.codec.lan.IpmiMessage;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.lan.NetFn;
import io.anvil.ipmi.codec.rmcpplus.AlgorithmProposal;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionRequest;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionResponse;
import io.anvil.ipmi.codec.rmcpplus.Rakp1;
import io.anvil.ipmi.codec.rmcpplus.Rakp2;
import io.anvil.ipmi.codec.rmcpplus.Rakp3;
import io.anvil.ipmi.codec.rmcpplus.Rakp4;
import io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus;
import io.anvil.ipmi.codec.session.RmcpPlusSession;
import io.anvil.ipmi.codec.session.V15Session;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated BMC: its UDP endpoint, chassis (power and boot options), users, session table, counters
 * and fault knobs.
 *
 * <h2>Threading</h2>
 * Every protocol step, crypto operation and state change runs on the BMC's own Netty event-loop thread
 * (the fleet's private group, never a Vert.x event loop); nothing is locked. Getters may be called from
 * any thread: they read fields that are published with {@code volatile}. Mutators from outside
 * ({@link #power(PowerState)}, {@link #bootFlags(BootFlags)}, {@link #whenPower}) are executed on the
 * event loop and return a {@link Future}. {@link #faults(BmcFaults)} is a plain volatile write.
 *
 * <h2>Memory</h2>
 * An idle BMC holds its channel, this object and nothing else: no session map, no listeners, no buffers.
 * Users, options and the random source are shared by the whole fleet.
 */
public final class SimulatedBmc {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedBmc.class);

    /** Suites in the order an Open Session Request with "any" records gets them. */
    private static final int[] SUITE_PREFERENCE = {17, 3, 2, 1, 0};

    private final SimulatedFleet fleet;
    private final int index;
    private final InetSocketAddress requestedAddress;
    private Channel channel;

    // ---------------------------------------------------------------- chassis (written on the loop only)
    private volatile PowerState power;
    private volatile boolean lastPowerOnByCommand;
    private volatile BootFlags bootFlags = new BootFlags(false, false, false, 0, 0, 0, 0);
    private volatile BootFlags lastBootFlags;
    private volatile int setInProgress;
    private volatile int validBitClearing;
    private volatile int bootInfoAcknowledge;
    private ScheduledFuture<?> pendingPower;
    private List<Object[]> powerWaiters;
    private List<Object[]> counterWaiters;

    // ---------------------------------------------------------------- sessions (loop only, lazy)
    private Map<Integer, SimSession> sessions;
    private int activeCount;
    private volatile int publishedActive;
    private volatile int publishedSlots;
    private int closeAfterReply;

    private volatile BmcFaults faults;

    // ---------------------------------------------------------------- counters (single writer: the loop)
    private volatile long received;
    private volatile long answered;
    private volatile long droppedByFault;
    private volatile long rejected;
    private volatile long commands;
    private volatile long sessionsOpened;
    private volatile long sessionsClosed;
    private volatile long sessionsExpired;
    private volatile long sessionsRefused;
    private volatile long authFailures;
    private volatile long handshakesAbandoned;
    private volatile long unknownUsers;
    private volatile long privilegeDenied;
    private volatile long chassisControls;
    private volatile long powerOns;
    private volatile long powerOffs;
    private volatile long boots;
    private volatile long internalErrors;

    SimulatedBmc(SimulatedFleet fleet, int index, InetSocketAddress requestedAddress) {
        this.fleet = fleet;
        this.index = index;
        this.requestedAddress = requestedAddress;
        this.power = fleet.opts().initialPower();
        this.faults = fleet.opts().faults();
    }

    void bound(Channel ch) {
        this.channel = ch;
    }

    Channel channel() {
        return channel;
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
        return power;
    }

    /** True while a delayed power transition (power delays, soft-off delay) has not happened yet. */
    public boolean powerTransitionPending() {
        ScheduledFuture<?> p = pendingPower;
        return p != null && !p.isDone();
    }

    /** Boot flags (Get/Set System Boot Options parameter 5) as stored, exactly as a client wrote them. */
    public BootFlags bootFlags() {
        return bootFlags;
    }

    /** Device selected by the stored boot flags (whether or not the valid bit is still set). */
    public BootDevice bootDevice() {
        return bootFlags.device().orElse(BootDevice.NO_OVERRIDE);
    }

    public boolean bootFlagsValid() {
        return bootFlags.valid();
    }

    public boolean bootPersistent() {
        return bootFlags.persistent();
    }

    public boolean bootEfi() {
        return bootFlags.efi();
    }

    /**
     * The boot flags in force at the last boot (power on, cycle or hard reset); empty before the first boot.
     * Flags that were not valid at that moment mean "boot from the default device".
     */
    public Optional<BootFlags> lastBoot() {
        return Optional.ofNullable(lastBootFlags);
    }

    /** Parameter 0: 0 set complete, 1 set in progress, 2 commit write. */
    public int bootOptionsSetInProgress() {
        return setInProgress;
    }

    /** Parameter 3 (boot-flag valid-bit clearing mask) as last written. */
    public int bootValidBitClearing() {
        return validBitClearing;
    }

    /** Parameter 4 (boot info acknowledge data) as last written. */
    public int bootInfoAcknowledge() {
        return bootInfoAcknowledge;
    }

    /** Established sessions. */
    public int activeSessions() {
        return publishedActive;
    }

    /** Occupied session-table entries: established sessions plus handshakes in progress. */
    public int sessionSlotsInUse() {
        return publishedSlots;
    }

    public BmcFaults faults() {
        return faults;
    }

    /** Replaces the fault knobs; effective for the next datagram. Callable from any thread. */
    public SimulatedBmc faults(BmcFaults value) {
        faults = java.util.Objects.requireNonNull(value, "faults");
        return this;
    }

    public BmcCounters counters() {
        return new BmcCounters(
                received,
                answered,
                droppedByFault,
                rejected,
                commands,
                sessionsOpened,
                sessionsClosed,
                sessionsExpired,
                sessionsRefused,
                authFailures,
                handshakesAbandoned,
                unknownUsers,
                privilegeDenied,
                chassisControls,
                powerOns,
                powerOffs,
                boots,
                internalErrors);
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
        return onLoop(() -> {
            cancelPendingPower();
            if (state == PowerState.ON) {
                powerOn("set by test", false);
            } else {
                powerOff("set by test");
            }
        });
    }

    /** Stores boot flags directly (test setup), as if written with Set System Boot Options parameter 5. */
    public Future<Void> bootFlags(BootFlags flags) {
        java.util.Objects.requireNonNull(flags, "flags");
        return onLoop(() -> bootFlags = flags);
    }

    /** Completes once the power reads {@code state} (at once when it already does). */
    public Future<Void> whenPower(PowerState state) {
        Promise<Void> promise = Promise.promise();
        execute(
                () -> {
                    if (power == state) {
                        promise.tryComplete();
                    } else {
                        if (powerWaiters == null) {
                            powerWaiters = new ArrayList<>(2);
                        }
                        powerWaiters.add(new Object[] {state, promise});
                    }
                },
                promise);
        return promise.future();
    }

    /**
     * Completes with the counters once {@code condition} holds for them; checked after every datagram and
     * on every session sweep, so tests can wait for an effect without sleeping.
     */
    public Future<BmcCounters> when(java.util.function.Predicate<BmcCounters> condition) {
        Promise<BmcCounters> promise = Promise.promise();
        execute(
                () -> {
                    BmcCounters now = counters();
                    if (condition.test(now)) {
                        promise.tryComplete(now);
                    } else {
                        if (counterWaiters == null) {
                            counterWaiters = new ArrayList<>(2);
                        }
                        counterWaiters.add(new Object[] {condition, promise});
                    }
                },
                promise);
        return promise.future();
    }

    @SuppressWarnings("unchecked")
    private void checkWaiters() {
        if (counterWaiters == null) {
            return;
        }
        BmcCounters now = counters();
        counterWaiters.removeIf(w -> {
            try {
                if (((java.util.function.Predicate<BmcCounters>) w[0]).test(now)) {
                    ((Promise<BmcCounters>) w[1]).tryComplete(now);
                    return true;
                }
                return false;
            } catch (RuntimeException e) {
                ((Promise<BmcCounters>) w[1]).tryFail(e);
                return true;
            }
        });
        if (counterWaiters.isEmpty()) {
            counterWaiters = null;
        }
    }

    /** Drops every session and handshake (as a BMC reset would). */
    public Future<Void> closeAllSessions() {
        return onLoop(() -> {
            sessions = null;
            activeCount = 0;
            publishSessions();
        });
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
        return "SimulatedBmc[" + index + " @ " + hostAndPort() + ", power=" + power + ", sessions=" + publishedActive
                + "]";
    }

    // ================================================================================ datagram entry point

    /** Called on the event loop for every decoded datagram. Never throws. */
    void receive(RmcpDatagram datagram) {
        received++;
        BmcFaults f = faults;
        if (f.silent() || (f.dropRate() > 0 && ThreadLocalRandom.current().nextDouble() < f.dropRate())) {
            droppedByFault++;
            return;
        }
        try {
            RmcpMessage m = datagram.message();
            InetSocketAddress peer = datagram.peer();
            if (m instanceof AsfPresencePing ping) {
                send(AsfPresencePong.ipmiBmcAnswer(ping), peer);
            } else if (m instanceof V20SessionPacket p) {
                onV20(p, peer);
            } else if (m instanceof V15SessionPacket p) {
                onV15(p, peer);
            }
            // a pong sent to a BMC: ignore
        } catch (IpmiDecodeException e) {
            rejected++;
            fleet.codecStats().record(e);
        } catch (RuntimeException e) {
            internalError(e);
        }
        checkWaiters();
    }

    void internalError(Throwable cause) {
        internalErrors++;
        LOG.warn("simulated BMC {}: unexpected error", index, cause);
    }

    private void send(RmcpMessage message, InetSocketAddress peer) {
        RmcpDatagram out = new RmcpDatagram(message, peer);
        Duration delay = faults.responseDelay();
        if (delay.isZero()) {
            write(out);
        } else {
            channel.eventLoop().schedule(() -> write(out), delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void write(RmcpDatagram out) {
        answered++;
        channel.writeAndFlush(out).addListener(f -> {
            if (!f.isSuccess() && channel.isActive()) {
                internalError(f.cause());
            }
        });
    }

    private void event(String what) {
        var listener = fleet.opts().eventListener();
        if (listener != null) {
            try {
                listener.accept(this, what);
            } catch (RuntimeException e) {
                LOG.warn("event listener failed", e);
            }
        }
    }

    // ================================================================================ RMCP+ (v2.0)

    private void onV20(V20SessionPacket p, InetSocketAddress peer) throws IpmiDecodeException {
        int type = p.payloadType();
        if (PayloadType.isSessionSetup(type)) {
            if (p.authenticated() || p.encrypted() || fleet.suites().isEmpty()) {
                rejected++;
                return;
            }
            switch (type) {
                case PayloadType.OPEN_SESSION_REQUEST -> openSession(OpenSessionRequest.decode(p.payload()), peer);
                case PayloadType.RAKP_1 -> rakp1(Rakp1.decode(p.payload()), peer);
                case PayloadType.RAKP_3 -> rakp3(Rakp3.decode(p.payload()), peer);
                default -> rejected++; // responses (0x11, 0x13, 0x15) are not for a BMC
            }
            return;
        }
        if (p.sessionId() == 0) {
            // pre-session IPMI message in RMCP+ framing (ipmitool sends Get Channel Cipher Suites this way)
            if (type != PayloadType.IPMI || p.authenticated() || p.encrypted()) {
                rejected++;
                return;
            }
            IpmiResponse response = presession(IpmiMessages.decodeRequest(p.payload()), false);
            if (response == null) {
                rejected++;
                return;
            }
            send(V20SessionPacket.presession(PayloadType.IPMI, response.encode()), peer);
            return;
        }
        SimSession s = session(p.sessionId());
        if (s == null || !s.rmcpPlus || !s.active() || expired(s, System.nanoTime())) {
            rejected++;
            return;
        }
        IpmiMessage message = s.plus.openMessage(p);
        if (!(message instanceof IpmiRequest request)) {
            rejected++;
            return;
        }
        s.lastActivityNanos = System.nanoTime();
        IpmiResponse response = command(s, request);
        V20SessionPacket out = s.plus.seal(response);
        finishClose(); // before sending: whoever reads the answer sees the session gone
        send(out, peer);
    }

    private void openSession(OpenSessionRequest req, InetSocketAddress peer) {
        int forced = faults.openSessionStatus();
        if (forced != 0) {
            sendSetup(
                    PayloadType.OPEN_SESSION_RESPONSE,
                    OpenSessionResponse.error(req, forced).encode(),
                    peer);
            return;
        }
        AlgorithmProposal a = req.algorithms();
        CipherSuite suite = null;
        for (int id : SUITE_PREFERENCE) {
            CipherSuite c = fleet.suites().get(id);
            if (c != null
                    && matches(a.authentication(), c.authentication().id())
                    && matches(a.integrity(), c.integrity().id())
                    && matches(a.confidentiality(), c.confidentiality().id())) {
                suite = c;
                break;
            }
        }
        int status = RmcpPlusStatus.NO_ERRORS;
        if (suite == null) {
            status = fleet.suites().values().stream()
                            .noneMatch(c -> matches(
                                    a.authentication(), c.authentication().id()))
                    ? RmcpPlusStatus.INVALID_AUTHENTICATION_ALGORITHM
                    : fleet.suites().values().stream()
                                    .noneMatch(c ->
                                            matches(a.integrity(), c.integrity().id()))
                            ? RmcpPlusStatus.INVALID_INTEGRITY_ALGORITHM
                            : fleet.suites().values().stream()
                                            .noneMatch(c -> matches(
                                                    a.confidentiality(),
                                                    c.confidentiality().id()))
                                    ? RmcpPlusStatus.INVALID_CONFIDENTIALITY_ALGORITHM
                                    : RmcpPlusStatus.NO_CIPHER_SUITE_MATCH;
        } else if (req.requestedMaxPrivilege() > Privilege.OEM.code()) {
            status = RmcpPlusStatus.INVALID_ROLE;
        } else if (req.consoleSessionId() == 0) {
            status = RmcpPlusStatus.INVALID_SESSION_ID;
        }
        if (status != RmcpPlusStatus.NO_ERRORS) {
            sendSetup(
                    PayloadType.OPEN_SESSION_RESPONSE,
                    OpenSessionResponse.error(req, status).encode(),
                    peer);
            return;
        }
        long now = System.nanoTime();
        if (!makeRoom(fleet.opts().maxSessions(), now)) {
            sessionsRefused++;
            event("open session refused: no session slot (" + activeCount + " active)");
            sendSetup(
                    PayloadType.OPEN_SESSION_RESPONSE,
                    OpenSessionResponse.error(req, RmcpPlusStatus.INSUFFICIENT_RESOURCES)
                            .encode(),
                    peer);
            return;
        }
        SimSession s = new SimSession(newSessionId(), true, peer, SimSession.State.OPENED, now);
        s.consoleSessionId = req.consoleSessionId();
        s.suite = suite;
        // "0 = highest level matching": answer what the channel allows, not 0 (FreeIPMI refuses 0, ipmi.md §3.2 #5)
        s.openSessionMaxPrivilege = req.requestedMaxPrivilege() == 0
                ? Privilege.ADMINISTRATOR.code()
                : Math.min(req.requestedMaxPrivilege(), Privilege.ADMINISTRATOR.code());
        put(s);
        sendSetup(
                PayloadType.OPEN_SESSION_RESPONSE,
                OpenSessionResponse.accepted(req, s.openSessionMaxPrivilege, s.id, suite)
                        .encode(),
                peer);
    }

    private static boolean matches(int proposed, int algorithm) {
        return proposed == AlgorithmProposal.ANY || proposed == algorithm;
    }

    private void rakp1(Rakp1 r1, InetSocketAddress peer) {
        SimSession s = session(r1.bmcSessionId());
        long now = System.nanoTime();
        if (s == null || !s.rmcpPlus || s.active() || s.state == SimSession.State.CHALLENGED || expired(s, now)) {
            rakp2Error(r1.tag(), RmcpPlusStatus.INVALID_SESSION_ID, s == null ? 0 : s.consoleSessionId, peer);
            return;
        }
        s.lastActivityNanos = now;
        int forced = faults.rakp2Status();
        int priv = r1.requestedPrivilege();
        SimUser user = fleet.user(r1.username());
        int status = forced != 0
                ? forced
                : priv < Privilege.CALLBACK.code() || priv > Privilege.OEM.code()
                        ? RmcpPlusStatus.INVALID_ROLE
                        : user == null
                                ? RmcpPlusStatus.UNAUTHORIZED_NAME
                                : priv > user.maxPrivilege().code()
                                        ? RmcpPlusStatus.UNAUTHORIZED_ROLE
                                        : RmcpPlusStatus.NO_ERRORS;
        if (status != RmcpPlusStatus.NO_ERRORS) {
            if (user == null && forced == 0 && status == RmcpPlusStatus.UNAUTHORIZED_NAME) {
                unknownUsers++;
                event("RAKP1 unknown user '" + r1.usernameString() + "'");
            }
            remove(s);
            rakp2Error(r1.tag(), status, s.consoleSessionId, peer);
            return;
        }
        byte[] rc = fleet.randomBytes(16);
        RakpExchange exchange = new RakpExchange(
                s.suite.authentication(),
                s.consoleSessionId,
                s.id,
                r1.consoleRandom(),
                rc,
                guid(),
                r1.role(),
                r1.username());
        byte[] code = exchange.rakp2AuthCode(user.passwordBytes());
        if (faults.corruptRakp2() && code.length > 0) {
            code[0] ^= 0x5A;
        }
        s.exchange = exchange;
        s.user = user;
        s.maxPrivilege = privilegeOf(priv);
        s.state = SimSession.State.RAKP2_SENT;
        sendSetup(
                PayloadType.RAKP_2,
                new Rakp2(r1.tag(), RmcpPlusStatus.NO_ERRORS, s.consoleSessionId, rc, guid(), code).encode(),
                peer);
    }

    private void rakp2Error(int tag, int status, int consoleSessionId, InetSocketAddress peer) {
        sendSetup(
                PayloadType.RAKP_2,
                new Rakp2(tag, status, consoleSessionId, new byte[0], new byte[0], new byte[0]).encode(),
                peer);
    }

    private void rakp3(Rakp3 r3, InetSocketAddress peer) {
        SimSession s = session(r3.bmcSessionId());
        long now = System.nanoTime();
        if (s == null || !s.rmcpPlus || s.state != SimSession.State.RAKP2_SENT || expired(s, now)) {
            sendSetup(
                    PayloadType.RAKP_4,
                    new Rakp4(
                                    r3.tag(),
                                    RmcpPlusStatus.INVALID_SESSION_ID,
                                    s == null ? 0 : s.consoleSessionId,
                                    new byte[0])
                            .encode(),
                    peer);
            return;
        }
        if (r3.status() != RmcpPlusStatus.NO_ERRORS) {
            // The console rejected our RAKP2 auth code: a wrong password on its side (ipmi.md §1.8).
            authFailures++;
            event("RAKP3 from " + peer + " aborted with " + RmcpPlusStatus.describe(r3.status()) + " (user '"
                    + s.user.name() + "', wrong password?)");
            remove(s);
            return;
        }
        byte[] kuid = s.user.passwordBytes();
        if (!s.exchange.verifyRakp3(kuid, r3.keyExchangeAuthCode())) {
            authFailures++;
            event("RAKP3 auth code invalid for user '" + s.user.name() + "' (wrong password)");
            remove(s);
            sendSetup(
                    PayloadType.RAKP_4,
                    new Rakp4(r3.tag(), RmcpPlusStatus.INVALID_INTEGRITY_CHECK_VALUE, s.consoleSessionId, new byte[0])
                            .encode(),
                    peer);
            return;
        }
        byte[] kg = fleet.opts().bmcKey();
        SessionKeys keys = s.exchange.deriveKeys(kg != null ? kg : kuid); // no BMC key: K_g = K_uid
        byte[] icv = s.exchange.rakp4Icv(keys.sik());
        if (faults.corruptRakp4() && icv.length > 0) {
            icv[0] ^= 0x5A;
        }
        s.plus = RmcpPlusSession.forBmc(s.suite, keys, s.id, s.consoleSessionId);
        s.exchange = null;
        s.lastActivityNanos = now;
        activate(s);
        event(String.format(
                "session %08x opened (RMCP+ suite %d, user '%s', max %s)",
                s.id, s.suite.id(), s.user.name(), s.maxPrivilege));
        sendSetup(
                PayloadType.RAKP_4,
                new Rakp4(r3.tag(), RmcpPlusStatus.NO_ERRORS, s.consoleSessionId, icv).encode(),
                peer);
    }

    private void sendSetup(int payloadType, byte[] payload, InetSocketAddress peer) {
        send(V20SessionPacket.presession(payloadType, payload), peer);
    }

    // ================================================================================ IPMI v1.5

    private void onV15(V15SessionPacket p, InetSocketAddress peer) throws IpmiDecodeException {
        if (p.sessionId() == 0) {
            if (p.authType() != AuthType.NONE) {
                rejected++;
                return;
            }
            IpmiResponse response = presession(IpmiMessages.decodeRequest(p.message()), true, peer);
            if (response == null) {
                rejected++;
                return;
            }
            send(V15SessionPacket.presession(response.encode()), peer);
            return;
        }
        SimSession s = session(p.sessionId());
        long now = System.nanoTime();
        if (s == null || s.rmcpPlus || expired(s, now)) {
            rejected++;
            return;
        }
        if (s.state == SimSession.State.CHALLENGED) {
            activateSession(s, p, peer);
            return;
        }
        IpmiMessage message = s.v15.openMessage(p);
        if (!(message instanceof IpmiRequest request)) {
            rejected++;
            return;
        }
        s.lastActivityNanos = now;
        IpmiResponse response = command(s, request);
        V15SessionPacket out = s.v15.seal(response);
        finishClose();
        send(out, peer);
    }

    private IpmiResponse getSessionChallenge(IpmiRequest req, InetSocketAddress peer) {
        io.anvil.ipmi.codec.command.GetSessionChallenge.Request r;
        try {
            r = io.anvil.ipmi.codec.command.GetSessionChallenge.Request.decode(req.data());
        } catch (IpmiDecodeException e) {
            return req.respond(0xCC, new byte[0]);
        }
        if (!fleet.v15Types().contains(r.authType())) {
            return req.respond(0xCC, new byte[0]);
        }
        if (r.username().length == 0) {
            return req.respond(0x82, new byte[0]); // null user name not enabled
        }
        SimUser user = fleet.user(r.username());
        if (user == null) {
            unknownUsers++;
            event("Get Session Challenge: unknown user '" + r.usernameString() + "'");
            return req.respond(0x81, new byte[0]); // invalid user name
        }
        long now = System.nanoTime();
        if (!makeRoom(2 * fleet.opts().maxSessions(), now)) {
            return req.respond(0xC0, new byte[0]); // node busy
        }
        SimSession s = new SimSession(newSessionId(), false, peer, SimSession.State.CHALLENGED, now);
        s.user = user;
        s.authType = r.authType();
        s.challenge = fleet.randomBytes(16);
        put(s);
        return req.respond(
                0x00, new io.anvil.ipmi.codec.command.GetSessionChallenge.Response(s.id, s.challenge).encode());
    }

    private void activateSession(SimSession s, V15SessionPacket p, InetSocketAddress peer) throws IpmiDecodeException {
        IpmiRequest req = IpmiMessages.decodeRequest(p.message());
        if (req.netFn() != NetFn.APP || req.command() != ActivateSession.COMMAND) {
            rejected++;
            return;
        }
        byte[] password = s.user.passwordBytes();
        if (p.authType() != s.authType || !V15Session.verify(p, password)) {
            authFailures++;
            event("Activate Session: bad auth code for user '" + s.user.name() + "' (wrong password)");
            remove(s);
            return;
        }
        ActivateSession.Request a;
        try {
            a = ActivateSession.Request.decode(req.data());
        } catch (IpmiDecodeException e) {
            sendSigned(s, p, req.respond(0xCC, new byte[0]), peer);
            return;
        }
        if (!Arrays.equals(a.challenge(), s.challenge)) {
            authFailures++;
            remove(s);
            return;
        }
        int cc = a.authType() != s.authType
                ? 0xCC
                : a.maxPrivilege() == Privilege.UNSPECIFIED
                        ? 0xCC
                        : a.maxPrivilege().code() > s.user.maxPrivilege().code()
                                ? 0x86
                                : activeCount >= fleet.opts().maxSessions() ? 0x81 : 0;
        if (cc != 0) {
            if (cc == 0x81) {
                sessionsRefused++;
            }
            remove(s);
            sendSigned(s, p, req.respond(cc, new byte[0]), peer);
            return;
        }
        int inbound = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        s.v15 = new V15Session(s.authType, password, s.id, a.initialOutboundSequence(), true);
        s.maxPrivilege = a.maxPrivilege();
        s.challenge = null;
        s.lastActivityNanos = System.nanoTime();
        activate(s);
        event(String.format(
                "session %08x opened (IPMI v1.5 %s, user '%s', max %s)",
                s.id, s.authType, s.user.name(), s.maxPrivilege));
        IpmiResponse response =
                req.respond(0x00, new ActivateSession.Response(s.authType, s.id, inbound, a.maxPrivilege()).encode());
        send(s.v15.seal(response), peer);
    }

    private void sendSigned(SimSession s, V15SessionPacket request, IpmiResponse response, InetSocketAddress peer) {
        send(V15Session.sign(s.authType, s.user.passwordBytes(), s.id, 0, response.encode()), peer);
    }

    // ================================================================================ session table

    private SimSession session(int id) {
        return sessions == null ? null : sessions.get(id);
    }

    private void put(SimSession s) {
        if (sessions == null) {
            sessions = new HashMap<>(8);
        }
        sessions.put(s.id, s);
        publishSessions();
    }

    private void activate(SimSession s) {
        s.state = SimSession.State.ACTIVE;
        s.privilege = s.maxPrivilege.code() < Privilege.USER.code() ? s.maxPrivilege : Privilege.USER;
        activeCount++;
        sessionsOpened++;
        publishSessions();
    }

    private void remove(SimSession s) {
        if (sessions != null && sessions.remove(s.id) != null) {
            if (s.active()) {
                activeCount--;
            }
            if (sessions.isEmpty()) {
                sessions = null;
            }
            publishSessions();
        }
    }

    private void publishSessions() {
        publishedActive = activeCount;
        publishedSlots = sessions == null ? 0 : sessions.size();
    }

    private int newSessionId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (true) {
            int id = r.nextInt();
            if (id != 0 && (sessions == null || !sessions.containsKey(id))) {
                return id;
            }
        }
    }

    private boolean expired(SimSession s, long now) {
        long limit = (s.active() ? fleet.opts().idleTimeout() : fleet.opts().handshakeTimeout()).toNanos();
        if (now - s.lastActivityNanos <= limit) {
            return false;
        }
        remove(s);
        sessionsExpired++;
        if (s.state == SimSession.State.RAKP2_SENT) {
            handshakesAbandoned++;
        }
        checkWaiters();
        return true;
    }

    /** Drops expired sessions; called on the loop by the fleet's sweeper and before allocations. */
    void purgeExpired(long now) {
        if (sessions == null) {
            return;
        }
        for (SimSession s : new ArrayList<>(sessions.values())) {
            if (expired(s, now)) {
                event(String.format("session %08x expired", s.id));
            }
        }
    }

    /**
     * True when a new entry fits under {@code limit}; when the table is full, the oldest unfinished handshake
     * is evicted to make room (established sessions are never evicted: that is session exhaustion).
     */
    private boolean makeRoom(int limit, long now) {
        purgeExpired(now);
        if (sessions == null || sessions.size() < limit) {
            return true;
        }
        SimSession oldest = null;
        for (Iterator<SimSession> it = sessions.values().iterator(); it.hasNext(); ) {
            SimSession s = it.next();
            if (!s.active() && (oldest == null || s.lastActivityNanos < oldest.lastActivityNanos)) {
                oldest = s;
            }
        }
        if (oldest == null) {
            return false;
        }
        remove(oldest);
        if (oldest.state == SimSession.State.RAKP2_SENT) {
            handshakesAbandoned++;
        }
        return true;
    }

    private void finishClose() {
        if (closeAfterReply != 0) {
            SimSession s = session(closeAfterReply);
            closeAfterReply = 0;
            if (s != null) {
                remove(s);
                sessionsClosed++;
                event(String.format("session %08x closed", s.id));
            }
        }
    }

    // ================================================================================ commands

    private IpmiResponse presession(IpmiRequest req, boolean v15Framing) {
        return presession(req, v15Framing, null);
    }

    /** Commands allowed outside a session; null = drop silently. */
    private IpmiResponse presession(IpmiRequest req, boolean v15Framing, InetSocketAddress peer) {
        if (req.netFn() != NetFn.APP) {
            return null;
        }
        return switch (req.command()) {
            case 0x38 -> BmcCommands.channelAuthCapabilities(fleet, req);
            case 0x54 -> BmcCommands.channelCipherSuites(fleet, req);
            case 0x39 -> v15Framing && !fleet.v15Types().isEmpty() ? getSessionChallenge(req, peer) : null;
            default -> null;
        };
    }

    private IpmiResponse command(SimSession s, IpmiRequest req) {
        commands++;
        int netFn = req.netFn();
        int cmd = req.command();
        if (netFn == NetFn.APP) {
            switch (cmd) {
                case 0x38:
                    return BmcCommands.channelAuthCapabilities(fleet, req);
                case 0x54:
                    return BmcCommands.channelCipherSuites(fleet, req);
                case 0x3B:
                    return setSessionPrivilege(s, req);
                case 0x3C:
                    return closeSession(s, req);
                default:
                    break;
            }
        }
        Privilege required = BmcCommands.requiredPrivilege(netFn, cmd);
        if (required == null) {
            return req.respond(0xC1, new byte[0]); // invalid command
        }
        if (s.privilege.code() < required.code()) {
            privilegeDenied++;
            event(String.format(
                    "netFn %02x cmd %02x denied: session at %s, needs %s", netFn, cmd, s.privilege, required));
            return req.respond(0xD4, new byte[0]);
        }
        int forced = faults.completionCode();
        if (forced != 0) {
            return req.respond(forced, new byte[0]);
        }
        return BmcCommands.execute(this, req);
    }

    private IpmiResponse setSessionPrivilege(SimSession s, IpmiRequest req) {
        Privilege p;
        try {
            p = io.anvil.ipmi.codec.command.SetSessionPrivilegeLevel.Request.decode(req.data())
                    .privilege();
        } catch (IpmiDecodeException e) {
            return req.respond(0xCC, new byte[0]);
        }
        if (p != Privilege.UNSPECIFIED) {
            if (p.code() > s.maxPrivilege.code()
                    || p.code() > s.user.maxPrivilege().code()) {
                privilegeDenied++;
                return req.respond(0x81, new byte[0]); // exceeds channel/user limit
            }
            s.privilege = p;
        }
        return req.respond(0x00, new byte[] {(byte) s.privilege.code()});
    }

    private IpmiResponse closeSession(SimSession s, IpmiRequest req) {
        int id;
        try {
            id = io.anvil.ipmi.codec.command.CloseSession.Request.decode(req.data())
                    .sessionId();
        } catch (IpmiDecodeException e) {
            return req.respond(0xC7, new byte[0]);
        }
        if (id == 0) {
            return req.respond(0x88, new byte[0]); // session handles are not supported
        }
        SimSession target = session(id);
        if (target == null || !target.active()) {
            return req.respond(0x87, new byte[0]);
        }
        if (target != s && s.privilege.code() < Privilege.ADMINISTRATOR.code()) {
            privilegeDenied++;
            return req.respond(0xD4, new byte[0]);
        }
        closeAfterReply = id;
        return req.respond(0x00, new byte[0]);
    }

    private static Privilege privilegeOf(int code) {
        for (Privilege p : Privilege.values()) {
            if (p.code() == code) {
                return p;
            }
        }
        return Privilege.USER;
    }

    // ================================================================================ chassis model

    /** Chassis Control; returns the completion code. */
    int chassisControl(ChassisControl.Action action) {
        boolean on = power == PowerState.ON;
        FleetOptions o = fleet.opts();
        switch (action) {
            case POWER_UP -> {
                if (on && !powerTransitionPending()) {
                    break;
                }
                schedulePower(o.powerOnDelay(), () -> powerOn("power up", true));
            }
            case POWER_DOWN -> schedulePower(o.powerOffDelay(), () -> powerOff("power down"));
            case POWER_CYCLE -> {
                if (!on) {
                    return 0xD5; // not supported in present state: a cycle needs the power on
                }
                schedulePower(o.powerOffDelay(), () -> {
                    powerOff("power cycle");
                    schedulePower(o.powerOnDelay(), () -> powerOn("power cycle", true));
                });
            }
            case HARD_RESET -> {
                if (!on) {
                    return 0xD5;
                }
                cancelPendingPower();
                boot("hard reset");
            }
            case DIAGNOSTIC_INTERRUPT -> {
                if (!on) {
                    return 0xD5;
                }
                event("diagnostic interrupt (NMI)");
            }
            case SOFT_SHUTDOWN -> {
                if (!on) {
                    return 0xD5;
                }
                if (faults.ignoreSoftOff()) {
                    event("soft off requested, ignored by the OS (fault)");
                } else {
                    event("soft off requested");
                    schedulePower(o.softOffDelay(), () -> powerOff("soft off"));
                }
            }
            default -> {
                return 0xCC;
            }
        }
        chassisControls++;
        return 0;
    }

    private void schedulePower(Duration delay, Runnable transition) {
        cancelPendingPower();
        if (delay.isZero()) {
            transition.run();
        } else {
            pendingPower = channel.eventLoop()
                    .schedule(
                            () -> {
                                pendingPower = null;
                                transition.run();
                            },
                            delay.toNanos(),
                            TimeUnit.NANOSECONDS);
        }
    }

    private void cancelPendingPower() {
        if (pendingPower != null) {
            pendingPower.cancel(false);
            pendingPower = null;
        }
    }

    private void powerOn(String reason, boolean byCommand) {
        if (power == PowerState.ON) {
            return;
        }
        power = PowerState.ON;
        lastPowerOnByCommand = byCommand;
        powerOns++;
        event("power on (" + reason + ")");
        boot(reason);
        notifyPower();
    }

    private void powerOff(String reason) {
        if (power == PowerState.OFF) {
            return;
        }
        power = PowerState.OFF;
        powerOffs++;
        event("power off (" + reason + ")");
        notifyPower();
    }

    /** The system boots: the boot flags in force are consumed; one-time (non-persistent) flags clear. */
    private void boot(String reason) {
        BootFlags flags = bootFlags;
        lastBootFlags = flags;
        boots++;
        if (flags.valid()) {
            event("boot (" + reason + ") from "
                    + flags.device().map(Enum::name).orElse("selector " + flags.deviceSelector())
                    + (flags.efi() ? " EFI" : " legacy")
                    + (flags.persistent() ? " persistent" : " one-time"));
            if (!flags.persistent()) {
                bootFlags = new BootFlags(
                        false, false, flags.efi(), flags.data2(), flags.data3(), flags.data4(), flags.data5());
            }
        } else {
            event("boot (" + reason + ") from the default device");
        }
    }

    private void notifyPower() {
        if (powerWaiters == null) {
            return;
        }
        List<Object[]> waiting = powerWaiters;
        powerWaiters = null;
        for (Object[] w : waiting) {
            if (w[0] == power) {
                @SuppressWarnings("unchecked")
                Promise<Void> p = (Promise<Void>) w[1];
                p.tryComplete();
            } else {
                if (powerWaiters == null) {
                    powerWaiters = new ArrayList<>(2);
                }
                powerWaiters.add(w);
            }
        }
    }

    boolean lastPowerOnByCommand() {
        return lastPowerOnByCommand;
    }

    /** Set System Boot Options; returns the completion code. */
    int setBootOption(int parameter, byte[] data) {
        switch (parameter) {
            case 0 -> {
                if (data.length < 1) {
                    return 0xC7;
                }
                int v = data[0] & 0x03;
                if (v == 3) {
                    return 0xCC;
                }
                if (v == 1 && setInProgress == 1) {
                    return 0x81; // set in progress already
                }
                setInProgress = v;
            }
            case 3 -> {
                if (data.length < 1) {
                    return 0xC7;
                }
                validBitClearing = data[0] & 0x1F;
            }
            case 4 -> {
                if (data.length < 2) {
                    return 0xC7;
                }
                int mask = data[0] & 0xFF;
                bootInfoAcknowledge = (bootInfoAcknowledge & ~mask | data[1] & mask) & 0xFF;
            }
            case 5 -> {
                if (data.length < BootFlags.LENGTH) {
                    return 0xC7;
                }
                try {
                    BootFlags flags = BootFlags.decode(Arrays.copyOf(data, BootFlags.LENGTH));
                    bootFlags = flags;
                    event("boot flags set: " + (flags.valid() ? "valid " : "invalid ")
                            + flags.device().map(Enum::name).orElse("selector " + flags.deviceSelector())
                            + (flags.persistent() ? " persistent" : " one-time") + (flags.efi() ? " EFI" : " legacy"));
                } catch (IpmiDecodeException e) {
                    return 0xCC;
                }
            }
            default -> {
                return 0x80; // parameter not supported
            }
        }
        return 0;
    }

    /** Get System Boot Options parameter data, or null when the parameter is not supported. */
    byte[] bootOption(int parameter) {
        return switch (parameter) {
            case 0 -> new byte[] {(byte) setInProgress};
            case 3 -> new byte[] {(byte) validBitClearing};
            case 4 -> new byte[] {0x00, (byte) bootInfoAcknowledge};
            case 5 -> bootFlags.encode();
            default -> null;
        };
    }

    SimulatedFleet fleet() {
        return fleet;
    }
}
