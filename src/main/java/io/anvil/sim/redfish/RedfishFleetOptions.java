package io.anvil.sim.redfish;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * How a {@link RedfishFleet} is made (a mutable builder; {@link RedfishFleet#start} takes a copy). Defaults: one BMC
 * on 127.0.0.1:8443 over HTTPS with a CA made at start, user {@code admin} / password {@code password}, UUID system
 * ids, 30-minute sessions, firmware tasks that take 2 s.
 */
public final class RedfishFleetOptions {

    /** How each BMC's ComputerSystem is named in its URL. */
    public enum SystemIds {
        /** {@code /redfish/v1/Systems/<uuid>}, the UUID derived from the index ({@link Hardware#systemUuid}). */
        UUID,
        /** {@code /redfish/v1/Systems/1} on every BMC (one system per BMC, as most rack servers). */
        ONE
    }

    private int count = 1;
    private String host = "127.0.0.1";
    private int basePort = 8443;
    private boolean tls = true;
    private Path certFile;
    private Path keyFile;
    private String user = "admin";
    private String password = "password";
    private SystemIds systemIds = SystemIds.UUID;
    private Duration sessionTimeout = Duration.ofMinutes(30);
    private int maxSessions = 64;
    private Duration powerDelay = Duration.ZERO;
    private Duration taskDuration = Duration.ofSeconds(2);
    private int eventLoops = Math.min(2, Runtime.getRuntime().availableProcessors());
    private BiConsumer<SimulatedRedfishBmc, String> eventListener;

    public RedfishFleetOptions() {}

    RedfishFleetOptions(RedfishFleetOptions o) {
        count = o.count;
        host = o.host;
        basePort = o.basePort;
        tls = o.tls;
        certFile = o.certFile;
        keyFile = o.keyFile;
        user = o.user;
        password = o.password;
        systemIds = o.systemIds;
        sessionTimeout = o.sessionTimeout;
        maxSessions = o.maxSessions;
        powerDelay = o.powerDelay;
        taskDuration = o.taskDuration;
        eventLoops = o.eventLoops;
        eventListener = o.eventListener;
    }

    void validate() {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        if (basePort < 0 || (basePort > 0 && basePort + count - 1 > 65535)) {
            throw new IllegalArgumentException("ports " + basePort + ".." + (basePort + count - 1) + " do not fit");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a certificate needs its key and a key its certificate");
        }
        if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
            throw new IllegalArgumentException("sessionTimeout must be positive");
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1");
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("eventLoops must be at least 1");
        }
    }

    /** Number of BMCs. */
    public RedfishFleetOptions count(int n) {
        count = n;
        return this;
    }

    /** Listen address of every BMC. */
    public RedfishFleetOptions host(String h) {
        host = h;
        return this;
    }

    /** BMC i listens on {@code basePort + i}; 0 = an ephemeral port each. */
    public RedfishFleetOptions basePort(int p) {
        basePort = p;
        return this;
    }

    /** HTTPS (default) or plain HTTP. */
    public RedfishFleetOptions tls(boolean on) {
        tls = on;
        return this;
    }

    /** Serve this certificate chain and key (PEM files) instead of generating a CA at start. */
    public RedfishFleetOptions certificate(Path cert, Path key) {
        certFile = cert;
        keyFile = key;
        return this;
    }

    public RedfishFleetOptions user(String u) {
        user = u;
        return this;
    }

    public RedfishFleetOptions password(String p) {
        password = p;
        return this;
    }

    public RedfishFleetOptions systemIds(SystemIds ids) {
        systemIds = ids;
        return this;
    }

    /** Idle time after which a session expires ({@code SessionService.SessionTimeout}). */
    public RedfishFleetOptions sessionTimeout(Duration d) {
        sessionTimeout = d;
        return this;
    }

    /** Sessions a BMC keeps at once; a login beyond it gets 503, as real BMCs' session tables fill up. */
    public RedfishFleetOptions maxSessions(int n) {
        maxSessions = n;
        return this;
    }

    /** Time a power transition takes (PoweringOn/PoweringOff meanwhile); zero = at once. */
    public RedfishFleetOptions powerDelay(Duration d) {
        powerDelay = d;
        return this;
    }

    /** Time a firmware update task takes after its image was fetched. */
    public RedfishFleetOptions taskDuration(Duration d) {
        taskDuration = d;
        return this;
    }

    /** Event-loop contexts the BMCs are spread over (each BMC's state lives on one). */
    public RedfishFleetOptions eventLoops(int n) {
        eventLoops = n;
        return this;
    }

    /**
     * Called on the BMC's context after every state change a client caused ("power On", "boot Cd", "session
     * created", …); the simulated agents bind here ({@link RedfishAgents}).
     */
    public RedfishFleetOptions eventListener(BiConsumer<SimulatedRedfishBmc, String> listener) {
        eventListener = listener;
        return this;
    }

    public int count() {
        return count;
    }

    public String host() {
        return host;
    }

    public int basePort() {
        return basePort;
    }

    public boolean tls() {
        return tls;
    }

    public Path certFile() {
        return certFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public SystemIds systemIds() {
        return systemIds;
    }

    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    public int maxSessions() {
        return maxSessions;
    }

    public Duration powerDelay() {
        return powerDelay;
    }

    public Duration taskDuration() {
        return taskDuration;
    }

    public int eventLoops() {
        return eventLoops;
    }

    public BiConsumer<SimulatedRedfishBmc, String> eventListener() {
        return eventListener;
    }
}
