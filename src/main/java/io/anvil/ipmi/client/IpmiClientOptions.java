package io.anvil.ipmi.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one {@link IpmiClient}; every value has a default suited to real BMCs. Fluent setters, in the
 * style of Vert.x options. Not thread-safe: build it, then hand it to the client (which copies it).
 */
public final class IpmiClientOptions {

    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private RetryPolicy closeRetry = RetryPolicy.of(500, 0, 2);
    private int handshakeAttempts = 3;
    private int maxInFlightPerBmc = 1;
    private Duration minCommandSpacing = Duration.ofMillis(10);
    private int circuitFailureThreshold = 5;
    private Duration circuitCooldown = Duration.ofSeconds(30);
    private Duration keepaliveInterval = Duration.ofSeconds(20);
    private Duration sessionIdleClose = Duration.ofSeconds(300);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private int channels = 1;
    private int receiveBufferSize = 1 << 20;
    private String bindHost = "0.0.0.0";

    public IpmiClientOptions() {}

    public IpmiClientOptions(IpmiClientOptions o) {
        retry = o.retry;
        closeRetry = o.closeRetry;
        handshakeAttempts = o.handshakeAttempts;
        maxInFlightPerBmc = o.maxInFlightPerBmc;
        minCommandSpacing = o.minCommandSpacing;
        circuitFailureThreshold = o.circuitFailureThreshold;
        circuitCooldown = o.circuitCooldown;
        keepaliveInterval = o.keepaliveInterval;
        sessionIdleClose = o.sessionIdleClose;
        closeTimeout = o.closeTimeout;
        channels = o.channels;
        receiveBufferSize = o.receiveBufferSize;
        bindHost = o.bindHost;
    }

    /** Per-request retransmits; default 1 s, +1 s, 4 tries (ipmitool). */
    public RetryPolicy getRetry() {
        return retry;
    }

    public IpmiClientOptions setRetry(RetryPolicy retry) {
        this.retry = Objects.requireNonNull(retry);
        return this;
    }

    /** Retransmits of Close Session at shutdown / idle close; default 500 ms, 2 tries. */
    public RetryPolicy getCloseRetry() {
        return closeRetry;
    }

    public IpmiClientOptions setCloseRetry(RetryPolicy closeRetry) {
        this.closeRetry = Objects.requireNonNull(closeRetry);
        return this;
    }

    /**
     * How many times a whole RMCP+ handshake is started over after a transient failure (a RAKP step timed out,
     * or the BMC answered "invalid/inactive session id" to a retransmission); default 3.
     */
    public int getHandshakeAttempts() {
        return handshakeAttempts;
    }

    public IpmiClientOptions setHandshakeAttempts(int n) {
        this.handshakeAttempts = positive(n, "handshakeAttempts");
        return this;
    }

    /** Governor: operations in flight per BMC; default 1. */
    public int getMaxInFlightPerBmc() {
        return maxInFlightPerBmc;
    }

    public IpmiClientOptions setMaxInFlightPerBmc(int n) {
        this.maxInFlightPerBmc = positive(n, "maxInFlightPerBmc");
        return this;
    }

    /**
     * Governor: quiet time between two operations on one BMC (from the later of the previous start and the
     * previous end to the next start); default 10 ms. Ironic's 5 s exists because it forks ipmitool.
     */
    public Duration getMinCommandSpacing() {
        return minCommandSpacing;
    }

    public IpmiClientOptions setMinCommandSpacing(Duration d) {
        this.minCommandSpacing = nonNegative(d, "minCommandSpacing");
        return this;
    }

    /** Circuit breaker: consecutive failed operations that open it; 0 disables it; default 5. */
    public int getCircuitFailureThreshold() {
        return circuitFailureThreshold;
    }

    public IpmiClientOptions setCircuitFailureThreshold(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("circuitFailureThreshold < 0");
        }
        this.circuitFailureThreshold = n;
        return this;
    }

    /** Circuit breaker: how long it fails fast before letting one probe through; default 30 s. */
    public Duration getCircuitCooldown() {
        return circuitCooldown;
    }

    public IpmiClientOptions setCircuitCooldown(Duration d) {
        this.circuitCooldown = nonNegative(d, "circuitCooldown");
        return this;
    }

    /**
     * A session idle this long gets a Get Device ID through the governor, so that the BMC does not expire it
     * (ipmi_sim expires after 30 s, many BMCs after 60 s); default 15 s.
     */
    public Duration getKeepaliveInterval() {
        return keepaliveInterval;
    }

    public IpmiClientOptions setKeepaliveInterval(Duration d) {
        this.keepaliveInterval = nonNegative(d, "keepaliveInterval");
        return this;
    }

    /**
     * A session nobody used (keepalives do not count) for this long is closed, freeing the BMC's slot; the
     * next operation opens a new one. Default 120 s: Ironic's 60 s power-state sync keeps a node's session
     * open for good, an unused BMC does not hold one forever.
     */
    public Duration getSessionIdleClose() {
        return sessionIdleClose;
    }

    public IpmiClientOptions setSessionIdleClose(Duration d) {
        this.sessionIdleClose = nonNegative(d, "sessionIdleClose");
        return this;
    }

    /** Upper bound of {@link IpmiClient#close()}: in-flight work and Close Session; default 5 s. */
    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    public IpmiClientOptions setCloseTimeout(Duration d) {
        this.closeTimeout = nonNegative(d, "closeTimeout");
        return this;
    }

    /** UDP sockets shared by all BMCs (a BMC always uses the same one); default 1. */
    public int getChannels() {
        return channels;
    }

    public IpmiClientOptions setChannels(int n) {
        this.channels = positive(n, "channels");
        return this;
    }

    /** SO_RCVBUF of each socket; default 1 MiB, for sweep bursts. */
    public int getReceiveBufferSize() {
        return receiveBufferSize;
    }

    public IpmiClientOptions setReceiveBufferSize(int n) {
        this.receiveBufferSize = positive(n, "receiveBufferSize");
        return this;
    }

    /** Local address the sockets bind to (ephemeral port); default 0.0.0.0. */
    public String getBindHost() {
        return bindHost;
    }

    public IpmiClientOptions setBindHost(String host) {
        this.bindHost = Objects.requireNonNull(host);
        return this;
    }

    private static int positive(int n, String name) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be ≥ 1");
        }
        return n;
    }

    private static Duration nonNegative(Duration d, String name) {
        if (Objects.requireNonNull(d, name).isNegative()) {
            throw new IllegalArgumentException(name + " must be ≥ 0");
        }
        return d;
    }

    @Override
    public String toString() {
        return "IpmiClientOptions[retry=" + retry + ", handshakeAttempts=" + handshakeAttempts + ", maxInFlightPerBmc="
                + maxInFlightPerBmc + ", minCommandSpacing=" + minCommandSpacing + ", circuit="
                + circuitFailureThreshold + "/" + circuitCooldown + ", keepalive=" + keepaliveInterval
                + ", idleClose=" + sessionIdleClose + ", channels=" + channels + "]";
    }
}
