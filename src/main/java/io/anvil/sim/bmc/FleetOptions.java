package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * How to start a {@link SimulatedFleet}: fluent, mutable, copied at start (later changes have no effect).
 *
 * <p>Addressing: in {@link AddressMode#PORTS} mode (the default) BMC {@code i} listens on
 * {@code host:basePort+i}; with {@code basePort = 0} every BMC gets its own ephemeral port (best for tests
 * that run in parallel with other suites). In {@link AddressMode#ADDRESSES} mode BMC {@code i} listens on
 * {@code (host + i):basePort}, e.g. 127.0.0.1, 127.0.0.2, … (Linux routes all of 127/8 to loopback).
 */
public final class FleetOptions {

    public enum AddressMode {
        PORTS,
        ADDRESSES
    }

    private int count = 1;
    private String host = "127.0.0.1";
    private int basePort = 0;
    private AddressMode addressMode = AddressMode.PORTS;
    private List<SimUser> users = SimUser.DEFAULTS;
    private Set<Integer> cipherSuites = new TreeSet<>(List.of(1, 2, 3, 17));
    private Set<AuthType> v15AuthTypes = EnumSet.of(AuthType.MD2, AuthType.MD5, AuthType.STRAIGHT_PASSWORD);
    private int maxSessions = 8;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration powerOnDelay = Duration.ZERO;
    private Duration powerOffDelay = Duration.ZERO;
    private Duration softOffDelay = Duration.ZERO;
    private PowerState initialPower = PowerState.OFF;
    private BmcFaults faults = BmcFaults.NONE;
    private int eventLoopThreads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    private int manufacturerId = 0x00B1E1;
    private int productId = 0x0A17;
    private byte[] bmcKey;
    private BiConsumer<SimulatedBmc, String> eventListener;

    public FleetOptions() {}

    public FleetOptions(FleetOptions o) {
        count = o.count;
        host = o.host;
        basePort = o.basePort;
        addressMode = o.addressMode;
        users = o.users;
        cipherSuites = new TreeSet<>(o.cipherSuites);
        v15AuthTypes = o.v15AuthTypes.isEmpty() ? EnumSet.noneOf(AuthType.class) : EnumSet.copyOf(o.v15AuthTypes);
        maxSessions = o.maxSessions;
        idleTimeout = o.idleTimeout;
        handshakeTimeout = o.handshakeTimeout;
        powerOnDelay = o.powerOnDelay;
        powerOffDelay = o.powerOffDelay;
        softOffDelay = o.softOffDelay;
        initialPower = o.initialPower;
        faults = o.faults;
        eventLoopThreads = o.eventLoopThreads;
        manufacturerId = o.manufacturerId;
        productId = o.productId;
        bmcKey = o.bmcKey;
        eventListener = o.eventListener;
    }

    /** Checks cross-field rules; called by {@link SimulatedFleet#start}. */
    void validate() {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1");
        }
        if (basePort < 0
                || basePort > 65535
                || (addressMode == AddressMode.PORTS && basePort != 0 && basePort + count - 1 > 65535)) {
            throw new IllegalArgumentException("ports " + basePort + ".." + (basePort + count - 1) + " out of range");
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException("at least one user");
        }
        if (cipherSuites.isEmpty() && v15AuthTypes.isEmpty()) {
            throw new IllegalArgumentException("enable at least one cipher suite or IPMI v1.5 auth type");
        }
        for (int id : cipherSuites) {
            if (CipherSuite.byId(id).isEmpty()) {
                throw new IllegalArgumentException(
                        "cipher suite " + id + " is not implemented; supported: 0, 1, 2, 3, 17");
            }
        }
        for (AuthType t : v15AuthTypes) {
            if (t == AuthType.OEM || t == AuthType.RMCP_PLUS) {
                throw new IllegalArgumentException("not an IPMI v1.5 auth type: " + t);
            }
        }
        if (maxSessions < 1 || maxSessions > 1024) {
            throw new IllegalArgumentException("maxSessions must be 1..1024");
        }
        if (eventLoopThreads < 1) {
            throw new IllegalArgumentException("eventLoopThreads must be >= 1");
        }
    }

    public int count() {
        return count;
    }

    public FleetOptions count(int v) {
        count = v;
        return this;
    }

    public String host() {
        return host;
    }

    public FleetOptions host(String v) {
        host = Objects.requireNonNull(v);
        return this;
    }

    /** First port (PORTS mode) or the shared port (ADDRESSES mode); 0 = ephemeral. */
    public int basePort() {
        return basePort;
    }

    public FleetOptions basePort(int v) {
        basePort = v;
        return this;
    }

    public AddressMode addressMode() {
        return addressMode;
    }

    public FleetOptions addressMode(AddressMode v) {
        addressMode = Objects.requireNonNull(v);
        return this;
    }

    /** Accounts of every BMC (shared, not copied per BMC). Default {@link SimUser#DEFAULTS}. */
    public List<SimUser> users() {
        return users;
    }

    public FleetOptions users(List<SimUser> v) {
        users = List.copyOf(v);
        return this;
    }

    /** RMCP+ cipher suites offered: any of 0, 1, 2, 3, 17. Default 1, 2, 3, 17 (0 = no authentication). */
    public Set<Integer> cipherSuites() {
        return Set.copyOf(cipherSuites);
    }

    public FleetOptions cipherSuites(Integer... ids) {
        cipherSuites = new TreeSet<>(List.of(ids));
        return this;
    }

    public FleetOptions cipherSuites(Set<Integer> ids) {
        cipherSuites = new TreeSet<>(ids);
        return this;
    }

    /**
     * The BMC key K_g for RMCP+ "two-key" logins (ipmitool -y, Ironic's ipmi_hex_kg_key), at most 20 bytes; null
     * (the default) = none, the user's password serves as K_g.
     */
    public byte[] bmcKey() {
        return bmcKey == null ? null : bmcKey.clone();
    }

    public FleetOptions bmcKey(byte[] kg) {
        if (kg != null && (kg.length == 0 || kg.length > 20)) {
            throw new IllegalArgumentException("a BMC key has 1 to 20 bytes");
        }
        bmcKey = kg == null ? null : kg.clone();
        return this;
    }

    /** IPMI v1.5 session auth types: NONE, MD2, MD5, STRAIGHT_PASSWORD. Default MD2, MD5, STRAIGHT_PASSWORD. */
    public Set<AuthType> v15AuthTypes() {
        return v15AuthTypes.isEmpty() ? EnumSet.noneOf(AuthType.class) : EnumSet.copyOf(v15AuthTypes);
    }

    public FleetOptions v15AuthTypes(Set<AuthType> v) {
        v15AuthTypes = v.isEmpty() ? EnumSet.noneOf(AuthType.class) : EnumSet.copyOf(v);
        return this;
    }

    /** Session slots per BMC (handshakes in progress count too). Default 8. */
    public int maxSessions() {
        return maxSessions;
    }

    public FleetOptions maxSessions(int v) {
        maxSessions = v;
        return this;
    }

    /** An established session with no traffic for this long is closed. Default 60 s. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    public FleetOptions idleTimeout(Duration v) {
        idleTimeout = Objects.requireNonNull(v);
        return this;
    }

    /** A handshake (Open Session → RAKP3, or Challenge → Activate) not finished within this is dropped. Default 10 s. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public FleetOptions handshakeTimeout(Duration v) {
        handshakeTimeout = Objects.requireNonNull(v);
        return this;
    }

    /** Time from Chassis Control "power up" (or the "on" half of a cycle) to power reading on. Default 0. */
    public Duration powerOnDelay() {
        return powerOnDelay;
    }

    public FleetOptions powerOnDelay(Duration v) {
        powerOnDelay = Objects.requireNonNull(v);
        return this;
    }

    /** Time from Chassis Control "power down" (or the "off" half of a cycle) to power reading off. Default 0. */
    public Duration powerOffDelay() {
        return powerOffDelay;
    }

    public FleetOptions powerOffDelay(Duration v) {
        powerOffDelay = Objects.requireNonNull(v);
        return this;
    }

    /** Time the "OS" takes to shut down after an ACPI soft-off. Default 0. */
    public Duration softOffDelay() {
        return softOffDelay;
    }

    public FleetOptions softOffDelay(Duration v) {
        softOffDelay = Objects.requireNonNull(v);
        return this;
    }

    public PowerState initialPower() {
        return initialPower;
    }

    public FleetOptions initialPower(PowerState v) {
        initialPower = Objects.requireNonNull(v);
        return this;
    }

    /** Faults every BMC starts with; change single BMCs later with {@link SimulatedBmc#faults(BmcFaults)}. */
    public BmcFaults faults() {
        return faults;
    }

    public FleetOptions faults(BmcFaults v) {
        faults = Objects.requireNonNull(v);
        return this;
    }

    /** Threads of the fleet's private Netty event loop group (all protocol and crypto work). Default min(2, cores). */
    public int eventLoopThreads() {
        return eventLoopThreads;
    }

    public FleetOptions eventLoopThreads(int v) {
        eventLoopThreads = v;
        return this;
    }

    /** Get Device ID manufacturer (20-bit IANA) and product id. */
    public int manufacturerId() {
        return manufacturerId;
    }

    public FleetOptions manufacturerId(int v) {
        manufacturerId = v & 0xFFFFF;
        return this;
    }

    public int productId() {
        return productId;
    }

    public FleetOptions productId(int v) {
        productId = v & 0xFFFF;
        return this;
    }

    /**
     * Called on the BMC's event-loop thread for every state change ("power on", "boot flags ...", "session
     * opened ..."). Must not block. Default none.
     */
    public BiConsumer<SimulatedBmc, String> eventListener() {
        return eventListener;
    }

    public FleetOptions eventListener(BiConsumer<SimulatedBmc, String> v) {
        eventListener = v;
        return this;
    }
}
