package io.anvil.metrics;

/** Operations of the IPMI client; retries, sessions and circuit states are bound as gauges and counters. */
public interface IpmiMetrics {

    /**
     * One operation on a BMC finished. {@code operation} is the client's fixed label ({@code getChassisStatus},
     * {@code chassisControl}, ...); {@code outcome} is {@code ok} or a fixed failure name ({@code timeout},
     * {@code circuit_open}, ...), never free text.
     */
    void operation(String operation, String outcome, long nanos);
}
