package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.client.BadCredentialsException;
import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.BootDeviceMismatchException;
import io.anvil.ipmi.client.CircuitOpenException;
import io.anvil.ipmi.client.ClientClosedException;
import io.anvil.ipmi.client.ClientStats;
import io.anvil.ipmi.client.CompletionCodeException;
import io.anvil.ipmi.client.InsufficientPrivilegeException;
import io.anvil.ipmi.client.IpmiClient;
import io.anvil.ipmi.client.IpmiClientOptions;
import io.anvil.ipmi.client.IpmiProtocolException;
import io.anvil.ipmi.client.IpmiTimeoutException;
import io.anvil.ipmi.client.ProtocolVersion;
import io.anvil.ipmi.client.SessionLimitException;
import io.anvil.ipmi.client.SessionSetupException;
import io.anvil.ipmi.client.SolSession;
import io.anvil.ipmi.client.UnknownUserException;
import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.ipmi.codec.command.CommandRequest;
import io.anvil.ipmi.codec.command.GetChassisStatus;
import io.anvil.ipmi.codec.command.GetDeviceId;
import io.anvil.ipmi.codec.command.GetSelInfo;
import io.anvil.ipmi.codec.command.GetSensorReading;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.metrics.AnvilMetrics;
import io.anvil.util.Futures;
import io.netty.util.NetUtil;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facade: hops every call onto the client's worker context, runs it as one governed operation on the
 * BMC's {@link BmcEndpoint}, and completes the caller's future on the caller's context. Owns the
 * transport, the endpoints and the housekeeping timer (keepalive / idle close).
 */
public final class IpmiClientImpl implements IpmiClient {

    private static final Logger LOG = LoggerFactory.getLogger(IpmiClientImpl.class);

    final Vertx vertx;
    final Context context;
    final IpmiClientOptions options;
    final Counters counters = new Counters();
    final UdpTransport transport;
    /** Every request's retransmit deadline, on one timer (worker context only). */
    final Deadlines deadlines;
    /** Rm, SIDm, v1.5 initial sequence numbers; only used on the worker context. */
    final SecureRandom random = new SecureRandom();

    private final Map<InetSocketAddress, BmcEndpoint> endpoints = new ConcurrentHashMap<>();
    /** Activated SOL payloads, closed at shutdown. Worker context only. */
    private final java.util.Set<SolChannel> sols = new java.util.HashSet<>();

    private final Map<String, Future<InetSocketAddress>> resolved = new HashMap<>();
    private volatile AnvilMetrics metrics = AnvilMetrics.noop();
    private long housekeeping = -1;
    private volatile boolean closing;
    private Future<Void> shutdown;
    private Supplier<Future<?>> closeHook;

    public IpmiClientImpl(Vertx vertx, Context workerContext, IpmiClientOptions options) {
        this.vertx = vertx;
        this.context = workerContext;
        this.options = new IpmiClientOptions(options);
        this.transport = new UdpTransport(workerContext, counters, this::onDatagram);
        this.deadlines = new Deadlines(vertx);
    }

    /** Binds the sockets; call on the worker context. */
    public Future<Void> start() {
        return transport
                .start(options.getBindHost(), options.getChannels(), options.getReceiveBufferSize())
                .onSuccess(v -> startHousekeeping());
    }

    /** What {@link #close()} runs instead of {@link #shutdown()} (the verticle's undeploy). */
    public void onClose(Supplier<Future<?>> hook) {
        this.closeHook = hook;
    }

    /** Local socket addresses (for tests that play BMC). */
    public List<InetSocketAddress> localAddresses() {
        return transport.localAddresses();
    }

    // ---- API ------------------------------------------------------------------------------------------

    @Override
    public Future<GetDeviceId.Response> getDeviceId(BmcTarget bmc) {
        return typed(bmc, "getDeviceId", GetDeviceId.REQUEST, "Get Device ID", GetDeviceId.Response::decode);
    }

    @Override
    public Future<GetChassisStatus.Response> getChassisStatus(BmcTarget bmc) {
        return typed(
                bmc,
                "getChassisStatus",
                GetChassisStatus.REQUEST,
                "Get Chassis Status",
                GetChassisStatus.Response::decode);
    }

    @Override
    public Future<Void> chassisControl(BmcTarget bmc, ChassisControl.Action action) {
        Objects.requireNonNull(action, "action");
        return call(bmc, "chassisControl " + action, s -> s.command(
                        new ChassisControl.Request(action), "Chassis Control " + action)
                .map(r -> {
                    Commands.check(s.bmc(), "Chassis Control " + action, r);
                    return null;
                }));
    }

    @Override
    public Future<BootFlags> setBootDevice(
            BmcTarget bmc, BootDevice device, boolean persistent, boolean efi, boolean disableBootTimeout) {
        Objects.requireNonNull(device, "device");
        return call(bmc, "setBootDevice " + device, s -> new BootDeviceSequence(
                        s, BootFlags.forDevice(device, persistent, efi), disableBootTimeout)
                .run());
    }

    @Override
    public Future<BootFlags> getBootDevice(BmcTarget bmc) {
        return call(bmc, "getBootDevice", BootDeviceSequence::readBack);
    }

    @Override
    public Future<GetSelInfo.Response> getSelInfo(BmcTarget bmc) {
        return typed(bmc, "getSelInfo", GetSelInfo.REQUEST, "Get SEL Info", GetSelInfo.Response::decode);
    }

    @Override
    public Future<GetSensorReading.Response> getSensorReading(BmcTarget bmc, int sensorNumber) {
        if (sensorNumber < 0 || sensorNumber > 0xFF) {
            return Future.failedFuture(new IllegalArgumentException("sensor number is one byte"));
        }
        return typed(
                bmc,
                "getSensorReading " + sensorNumber,
                new GetSensorReading.Request(sensorNumber),
                "Get Sensor Reading",
                GetSensorReading.Response::decode);
    }

    @Override
    public Future<IpmiResponse> raw(BmcTarget bmc, int netFn, int command, byte[] data) {
        if (netFn < 0 || netFn > 0x3F || (netFn & 1) != 0 || command < 0 || command > 0xFF) {
            return Future.failedFuture(new IllegalArgumentException("raw needs an even 6-bit netFn and a byte cmd"));
        }
        byte[] copy = data == null ? new byte[0] : data.clone();
        CommandRequest request = new CommandRequest() {
            @Override
            public int netFn() {
                return netFn;
            }

            @Override
            public int command() {
                return command;
            }

            @Override
            public byte[] encode() {
                return copy.clone();
            }
        };
        return call(
                bmc,
                String.format("raw %02x/%02x", netFn, command),
                s -> s.command(request, String.format("raw netFn 0x%02x cmd 0x%02x", netFn, command)));
    }

    @Override
    public Future<SolSession> activateSol(BmcTarget target, Handler<byte[]> output) {
        Objects.requireNonNull(target, "target");
        if (target.version() != ProtocolVersion.V2_0) {
            return Future.failedFuture(new SessionSetupException(
                    target.address(), "Serial-over-LAN needs an IPMI v2.0 (RMCP+) session", -1, null));
        }
        Context caller = Vertx.currentContext();
        Promise<SolSession> result = Promise.promise();
        context.runOnContext(v -> {
            Future<SolSession> f = closing
                    ? Future.failedFuture(new ClientClosedException(target.address()))
                    : resolve(target).compose(address -> {
                        BmcEndpoint ep = endpoints.computeIfAbsent(address, a -> newEndpoint(a, target.address()));
                        SolChannel channel = new SolChannel(this, ep, target, caller, output);
                        sols.add(channel);
                        return ep.governor.submit("activateSol", channel::activate);
                    });
            f.onComplete(ar -> {
                if (caller == null || caller == context) {
                    result.handle(ar);
                } else {
                    caller.runOnContext(x -> result.handle(ar));
                }
            });
        });
        return result.future();
    }

    void forgetSol(SolChannel channel) {
        sols.remove(channel);
    }

    @Override
    public ClientStats stats() {
        long opened = counters.sessionsOpened.get();
        long closed = counters.sessionsClosed.get();
        Map<String, ClientStats.BmcStats> bmcs = new TreeMap<>();
        for (BmcEndpoint ep : endpoints.values()) {
            bmcs.put(ep.name, ep.governor.snapshot());
        }
        return new ClientStats(
                opened - closed,
                opened,
                closed,
                counters.handshakeRestarts.get(),
                counters.datagramsSent.get(),
                counters.datagramsReceived.get(),
                counters.retransmits.get(),
                counters.timeouts.get(),
                counters.pending.get(),
                counters.codec.malformed(),
                counters.unmatched.get(),
                counters.keepalives.get(),
                counters.circuitRejections.get(),
                Map.copyOf(bmcs));
    }

    @Override
    public Future<Void> close() {
        Supplier<Future<?>> hook = closeHook;
        Promise<Void> done = Promise.promise();
        if (hook != null) {
            closeHook = null;
            hook.get().onComplete(ar -> done.handle(ar.mapEmpty())); // undeploy → verticle stop() → shutdown()
        } else {
            context.runOnContext(v -> shutdown().onComplete(done));
        }
        return done.future();
    }

    // ---- plumbing -------------------------------------------------------------------------------------

    private <T> Future<T> typed(
            BmcTarget bmc, String label, CommandRequest request, String name, Commands.Decoder<T> decoder) {
        return call(bmc, label, s -> s.command(request, name).map(r -> Commands.decode(s.bmc(), name, r, decoder)));
    }

    /** Caller's context → worker context → governor → session → back to the caller's context. */
    <T> Future<T> call(BmcTarget target, String label, Function<ClientSession, Future<T>> operation) {
        Objects.requireNonNull(target, "target");
        Context caller = Vertx.currentContext();
        Promise<T> result = Promise.promise();
        long submitted = System.nanoTime();
        context.runOnContext(v -> {
            Future<T> f = Futures.attempt(() -> onContext(target, label, operation));
            f.onComplete(ar -> {
                metrics.ipmi()
                        .operation(
                                metricLabel(label),
                                ar.succeeded() ? "ok" : outcome(ar.cause()),
                                System.nanoTime() - submitted);
                if (caller == null || caller == context) {
                    result.handle(ar);
                } else {
                    caller.runOnContext(x -> result.handle(ar));
                }
            });
        });
        return result.future();
    }

    private <T> Future<T> onContext(BmcTarget target, String label, Function<ClientSession, Future<T>> operation) {
        if (closing) {
            return Future.failedFuture(new ClientClosedException(target.address()));
        }
        return resolve(target).compose(address -> {
            BmcEndpoint ep = endpoints.computeIfAbsent(address, a -> newEndpoint(a, target.address()));
            return ep.governor.submit(label, () -> operation.apply(ep.session(target)));
        });
    }

    @Override
    public IpmiClient withMetrics(AnvilMetrics m) {
        m.gauge(
                "anvil.ipmi.sessions.open",
                "IPMI sessions established and not yet closed",
                counters,
                c -> (double) c.sessionsOpened.get() - c.sessionsClosed.get());
        m.counter(
                "anvil.ipmi.sessions.opened",
                "IPMI session handshakes that completed",
                counters.sessionsOpened,
                AtomicLong::get);
        m.counter(
                "anvil.ipmi.handshake.restarts",
                "Whole session handshakes started over after a transient failure",
                counters.handshakeRestarts,
                AtomicLong::get);
        m.counter(
                "anvil.ipmi.retransmits",
                "Datagrams sent again because the previous try got no answer in time (retries)",
                counters.retransmits,
                AtomicLong::get);
        m.counter(
                "anvil.ipmi.timeouts",
                "Requests that failed after all their tries",
                counters.timeouts,
                AtomicLong::get);
        m.gauge(
                "anvil.ipmi.requests.pending",
                "IPMI requests waiting for an answer now",
                counters.pending,
                AtomicLong::get);
        m.counter(
                "anvil.ipmi.datagrams.sent",
                "Datagrams sent, retransmissions included",
                counters.datagramsSent,
                AtomicLong::get);
        m.counter("anvil.ipmi.datagrams.received", "Datagrams received", counters.datagramsReceived, AtomicLong::get);
        m.counter(
                "anvil.ipmi.datagrams.dropped",
                "Datagrams dropped: malformed (codec or session-layer check failed)",
                counters.codec,
                c -> c.malformed(),
                "reason",
                "malformed");
        m.counter(
                "anvil.ipmi.datagrams.dropped",
                "Datagrams dropped: malformed (codec or session-layer check failed)",
                counters.unmatched,
                AtomicLong::get,
                "reason",
                "unmatched");
        m.counter(
                "anvil.ipmi.circuit.rejections",
                "Operations failed fast because their BMC's circuit was open",
                counters.circuitRejections,
                AtomicLong::get);
        m.counter(
                "anvil.ipmi.circuit.opened",
                "Times a BMC's circuit breaker opened after repeated failures",
                counters.circuitOpens,
                AtomicLong::get);
        metrics = m;
        endpoints.values().forEach(this::showCircuit);
        return this;
    }

    /**
     * A series per BMC whose circuit is not closed: its state (1 open, 2 half-open), removed when the circuit closes.
     * A series for every BMC talked to (tens of thousands per conductor) cost a gauge registration per new BMC and
     * megabytes per scrape to say "closed" (docs/operations.md#ipmi).
     */
    private void showCircuit(BmcEndpoint ep) {
        if (ep.governor.circuitState() == 0) {
            metrics.removeGauge("anvil.ipmi.circuit.state", "bmc", ep.name);
            return;
        }
        metrics.gauge(
                "anvil.ipmi.circuit.state",
                "Circuit breaker state of each BMC whose circuit is not closed: 1 open (failing fast), 2 half-open"
                        + " (one probe running)",
                ep.governor,
                Governor::circuitState,
                "bmc",
                ep.name);
    }

    /** The operation as a series label: the command, plus the action or device where there are a few fixed ones. */
    static String metricLabel(String label) {
        if (label.startsWith("chassisControl ") || label.startsWith("setBootDevice ")) {
            return label.replace(' ', '_');
        }
        int space = label.indexOf(' ');
        return space < 0 ? label : label.substring(0, space);
    }

    /** A failure as a fixed outcome name (never the message: it may name hosts, and must stay a small set). */
    static String outcome(Throwable t) {
        if (t instanceof IpmiTimeoutException) {
            return "timeout";
        } else if (t instanceof CircuitOpenException) {
            return "circuit_open";
        } else if (t instanceof BadCredentialsException) {
            return "bad_credentials";
        } else if (t instanceof UnknownUserException) {
            return "unknown_user";
        } else if (t instanceof InsufficientPrivilegeException) {
            return "insufficient_privilege";
        } else if (t instanceof SessionLimitException) {
            return "session_limit";
        } else if (t instanceof SessionSetupException) {
            return "session_setup";
        } else if (t instanceof CompletionCodeException) {
            return "completion_code";
        } else if (t instanceof BootDeviceMismatchException) {
            return "boot_device_mismatch";
        } else if (t instanceof ClientClosedException) {
            return "closed";
        } else if (t instanceof IpmiProtocolException) {
            return "protocol";
        }
        return "error";
    }

    private BmcEndpoint newEndpoint(InetSocketAddress address, String name) {
        Governor governor = new Governor(
                vertx,
                name,
                options.getMaxInFlightPerBmc(),
                options.getMinCommandSpacing().toNanos(),
                new CircuitBreaker(
                        options.getCircuitFailureThreshold(),
                        options.getCircuitCooldown().toNanos()),
                counters);
        BmcEndpoint ep = new BmcEndpoint(this, address, name, governor);
        governor.onCircuitChange(() -> showCircuit(ep));
        return ep;
    }

    /** IP literals directly; names once, on a worker thread of Vert.x's pool (DNS may block). */
    private Future<InetSocketAddress> resolve(BmcTarget target) {
        String key = target.address();
        Future<InetSocketAddress> f = resolved.get(key);
        if (f != null) {
            return f;
        }
        String host = target.host();
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            f = Future.succeededFuture(new InetSocketAddress(host, target.port()));
        } else {
            f = vertx.<InetSocketAddress>executeBlocking(
                            () -> new InetSocketAddress(InetAddress.getByName(host), target.port()), false)
                    .recover(err -> {
                        resolved.remove(key);
                        return Future.failedFuture(new SessionSetupException(
                                key, "cannot resolve " + host + ": " + err.getMessage(), -1, err));
                    });
        }
        resolved.put(key, f);
        return f;
    }

    private void onDatagram(InetSocketAddress sender, io.anvil.ipmi.codec.RmcpMessage message) {
        BmcEndpoint ep = endpoints.get(sender);
        if (ep == null) {
            counters.unmatched.incrementAndGet();
            return;
        }
        ep.onDatagram(message);
    }

    // ---- keepalive / idle close -----------------------------------------------------------------------

    /**
     * Endpoints no longer talked to (nodes deleted, moved to another conductor by the ring) go, so the client's memory
     * follows the BMCs in use, not every BMC ever contacted (docs/scale-out.md#memory). An endpoint is unused only
     * once its sessions were closed after {@code session_idle_close}, so a look every quarter of it is soon enough.
     * (An unused endpoint's circuit is closed: it has no series to remove.)
     */
    private void startHousekeeping() {
        long idle = options.getSessionIdleClose().toMillis();
        long period = Math.max(50, Math.min(30_000, (idle > 0 ? idle : 120_000) / 4));
        housekeeping = vertx.setPeriodic(period, id -> endpoints.values().removeIf(ep -> ep.unused() && !hasSol(ep)));
    }

    /**
     * Arms {@code s}'s next keepalive or idle close on the deadline queue, for when the first of them falls due: each
     * session is looked at when it is due, instead of a scan of every endpoint's sessions a few times per keepalive
     * interval (with 30,000 BMCs per conductor that scan was ~8 % of a conductor's CPU during a power-sync pass).
     * Worker context only.
     */
    void scheduleHousekeeping(ClientSession s) {
        long keepalive = options.getKeepaliveInterval().toNanos();
        long idleClose = options.getSessionIdleClose().toNanos();
        if (s.state != ClientSession.State.ACTIVE || closing || (keepalive <= 0 && idleClose <= 0)) {
            return;
        }
        long now = System.nanoTime();
        long wait = Long.MAX_VALUE;
        if (keepalive > 0) {
            wait = Math.min(wait, keepalive - (now - s.lastTrafficNanos));
        }
        if (idleClose > 0) {
            wait = Math.min(wait, idleClose - (now - s.lastUsedNanos));
        }
        s.housekeeping = deadlines.schedule((Math.max(0, wait) + 999_999) / 1_000_000, () -> housekeep(s));
    }

    /** A session's deadline: idle for session_idle_close → closed; silent for keepalive_interval → a keepalive. */
    private void housekeep(ClientSession s) {
        s.housekeeping = null;
        if (s.state != ClientSession.State.ACTIVE || closing) {
            return;
        }
        long now = System.nanoTime();
        long keepalive = options.getKeepaliveInterval().toNanos();
        long idleClose = options.getSessionIdleClose().toNanos();
        BmcEndpoint ep = s.endpoint;
        if (idleClose > 0 && now - s.lastUsedNanos >= idleClose) {
            ep.forget(s); // new operations open a fresh session; this one closes in turn
            ep.governor.submit("close idle session", s::close);
        } else if (keepalive > 0 && now - s.lastTrafficNanos >= keepalive) {
            ep.governor.submit("keepalive", s::keepalive).onComplete(ar -> scheduleHousekeeping(s));
        } else {
            scheduleHousekeeping(s); // traffic since it was armed: due later
        }
    }

    private boolean hasSol(BmcEndpoint ep) {
        for (SolChannel c : sols) {
            if (c.endpoint() == ep) {
                return true;
            }
        }
        return false;
    }

    // ---- shutdown -------------------------------------------------------------------------------------

    /**
     * Idempotent; on the worker context. Queued operations fail, running ones finish, every open session
     * gets Close Session — bounded by the close timeout — then the sockets close.
     */
    public Future<Void> shutdown() {
        if (shutdown != null) {
            return shutdown;
        }
        closing = true;
        if (housekeeping >= 0) {
            vertx.cancelTimer(housekeeping);
        }
        List<Future<Void>> work = new ArrayList<>();
        for (SolChannel sol : new ArrayList<>(sols)) {
            work.add(sol.close());
        }
        for (BmcEndpoint ep : endpoints.values()) {
            work.add(ep.governor.close().compose(v -> {
                List<Future<Void>> closes = new ArrayList<>();
                for (ClientSession s : ep.sessions()) {
                    closes.add(s.close());
                }
                return Future.join(closes).mapEmpty();
            }));
        }
        Promise<Void> bounded = Promise.promise();
        Future.join(work).onComplete(ar -> bounded.tryComplete());
        Duration limit = options.getCloseTimeout();
        long timer = vertx.setTimer(Math.max(1, limit.toMillis()), id -> {
            if (bounded.tryComplete()) {
                LOG.warn("IPMI client close: sessions still closing after {} ms, giving up on them", limit.toMillis());
            }
        });
        shutdown = bounded.future().compose(v -> {
            vertx.cancelTimer(timer);
            for (BmcEndpoint ep : endpoints.values()) {
                ep.abortAll();
            }
            deadlines.close();
            return transport.close();
        });
        return shutdown;
    }
}
