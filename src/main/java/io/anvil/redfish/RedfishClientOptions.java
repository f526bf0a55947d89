package io.anvil.redfish;

import java.time.Duration;

/**
 * Settings of the Redfish client ({@code redfish.*} in conf/anvil.yaml). Defaults follow Ironic's [redfish] section
 * where it has one (connection_attempts 5), and IPMI's governor otherwise.
 */
public final class RedfishClientOptions {
    private int maxInFlightPerBmc = 2;
    private int connectionAttempts = 5;
    private Duration connectionRetryInterval = Duration.ofSeconds(1);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration taskPollInterval = Duration.ofSeconds(1);
    private Duration taskTimeout = Duration.ofMinutes(30);
    private Duration idleConnectionTimeout = Duration.ofSeconds(30);
    private int verifiedChainCacheSize = 4096;

    public Duration idleConnectionTimeout() {
        return idleConnectionTimeout;
    }

    /** A kept-alive connection to a BMC unused this long is closed (BMCs have few connection slots). */
    public RedfishClientOptions setIdleConnectionTimeout(Duration d) {
        this.idleConnectionTimeout = positive(d, "idle_connection_timeout");
        return this;
    }

    public int verifiedChainCacheSize() {
        return verifiedChainCacheSize;
    }

    /**
     * Server certificate chains remembered as validated against a CA bundle (docs/redfish.md#client), so a new
     * connection presenting one again skips the certificate-path validation; 0 validates every handshake.
     */
    public RedfishClientOptions setVerifiedChainCacheSize(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("the verified chain cache size must not be negative, got " + n);
        }
        this.verifiedChainCacheSize = n;
        return this;
    }

    public int maxInFlightPerBmc() {
        return maxInFlightPerBmc;
    }

    /** Requests in flight to one BMC at once; the rest wait in that BMC's FIFO queue. */
    public RedfishClientOptions setMaxInFlightPerBmc(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("max_in_flight_per_bmc must be at least 1, got " + n);
        }
        this.maxInFlightPerBmc = n;
        return this;
    }

    public int connectionAttempts() {
        return connectionAttempts;
    }

    /** Tries of one request on a connection error or a 5xx answer (never on a 4xx). */
    public RedfishClientOptions setConnectionAttempts(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("connection_attempts must be at least 1, got " + n);
        }
        this.connectionAttempts = n;
        return this;
    }

    public Duration connectionRetryInterval() {
        return connectionRetryInterval;
    }

    /** Wait before the first retry; each further retry waits twice as long (back-off). */
    public RedfishClientOptions setConnectionRetryInterval(Duration d) {
        this.connectionRetryInterval = positive(d, "connection_retry_interval");
        return this;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public RedfishClientOptions setRequestTimeout(Duration d) {
        this.requestTimeout = positive(d, "request_timeout");
        return this;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public RedfishClientOptions setConnectTimeout(Duration d) {
        this.connectTimeout = positive(d, "connect_timeout");
        return this;
    }

    public Duration taskPollInterval() {
        return taskPollInterval;
    }

    public RedfishClientOptions setTaskPollInterval(Duration d) {
        this.taskPollInterval = positive(d, "task_poll_interval");
        return this;
    }

    public Duration taskTimeout() {
        return taskTimeout;
    }

    public RedfishClientOptions setTaskTimeout(Duration d) {
        this.taskTimeout = positive(d, "task_timeout");
        return this;
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive number of seconds, got " + d);
        }
        return d;
    }
}
