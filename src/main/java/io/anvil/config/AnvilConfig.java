package io.anvil.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.Yaml;

/**
 * Typed configuration: built-in defaults, then {@code conf/anvil.yaml} (or the file named by {@code --config} /
 * {@code ANVIL_CONFIG}), then {@code ANVIL_<SECTION>_<KEY>} environment variables. Unknown keys in the file are
 * errors, so a typo never silently falls back to a default.
 */
public record AnvilConfig(
        Api api, Database database, Redis redis, Embedded embedded, Conductor conductor, Map<String, Object> values) {

    public record Api(String host, int port, int instances, int maxBodyBytes, int maxLimit, String publicUrl) {
        public int effectiveInstances() {
            return instances > 0 ? instances : Runtime.getRuntime().availableProcessors();
        }
    }

    public record Database(String url, int poolSize, int pipelinedSize) {
        public boolean embedded() {
            return url == null || url.isBlank();
        }
    }

    public record Redis(String url) {
        public boolean embedded() {
            return url == null || url.isBlank();
        }
    }

    public record Embedded(String dataDir) {}

    public record Conductor(
            String hostname,
            String group,
            int workersPoolSize,
            int reservedWorkersPoolPercentage,
            List<String> enabledHardwareTypes,
            double heartbeatInterval,
            double heartbeatTimeout,
            int apiLockWaitMs,
            double hashRingResetInterval,
            int hashPartitionExponent,
            double syncLocalStateInterval,
            double gracefulShutdownTimeout,
            int lockLeaseMs) {
        /** A duration given in (possibly fractional) seconds. */
        public static java.time.Duration seconds(double s) {
            return java.time.Duration.ofNanos(Math.round(s * 1e9));
        }
    }

    /**
     * Periodic tasks, power-state sync and *WAIT timeouts (Ironic's [conductor] options of the same names). Durations
     * are in seconds in the file (fractions allowed, e.g. 0.2); 0 disables the periodic or the timeout.
     */
    public record Periodics(
            int maxWorkers,
            Duration syncPowerStateInterval,
            int syncPowerStateWorkers,
            int powerStateSyncMaxRetries,
            boolean forcePowerStateDuringSync,
            Duration powerFailureRecoveryInterval,
            Duration checkProvisionStateInterval,
            Duration checkRescueStateInterval,
            Duration deployCallbackTimeout,
            Duration cleanCallbackTimeout,
            Duration inspectWaitTimeout,
            Duration rescueCallbackTimeout,
            Duration serviceCallbackTimeout) {}

    /**
     * Anvil's IPMI client ([ipmi] section): retransmits, the per-BMC governor, session keep-alive and sockets.
     * Durations are seconds in the file (fractions allowed).
     */
    public record Ipmi(
            Duration retryTimeout,
            Duration retryIncrement,
            int retryMaxTries,
            int handshakeAttempts,
            int maxInFlightPerBmc,
            Duration minCommandSpacing,
            int circuitFailureThreshold,
            Duration circuitCooldown,
            Duration keepaliveInterval,
            Duration sessionIdleClose,
            Duration closeTimeout,
            int channels,
            int receiveBufferBytes,
            String bindHost,
            boolean disableBootTimeout) {}

    /** The IPMI client settings, typed. */
    public Ipmi ipmi() {
        return new Ipmi(
                seconds("ipmi.retry_timeout"),
                seconds("ipmi.retry_increment"),
                num(values, "ipmi.retry_max_tries"),
                num(values, "ipmi.handshake_attempts"),
                num(values, "ipmi.max_in_flight_per_bmc"),
                seconds("ipmi.min_command_spacing"),
                num(values, "ipmi.circuit_failure_threshold"),
                seconds("ipmi.circuit_cooldown"),
                seconds("ipmi.keepalive_interval"),
                seconds("ipmi.session_idle_close"),
                seconds("ipmi.close_timeout"),
                num(values, "ipmi.channels"),
                num(values, "ipmi.receive_buffer_bytes"),
                str(values, "ipmi.bind_host"),
                bool("ipmi.disable_boot_timeout"));
    }

    /**
     * The ramdisk agent's API (docs/agent.md): Ironic's {@code [api]} ramdisk options and the heartbeat intake's
     * liveness batching. Durations are seconds in the file.
     */
    public record Agent(
            boolean enableRamdiskEndpoints,
            boolean restrictLookup,
            int ramdiskHeartbeatTimeout,
            Duration livenessFlushInterval,
            Duration waitClockResolution,
            int livenessBatchSize,
            Duration commandTimeout) {}

    /** The agent API settings, typed. */
    public Agent agent() {
        return new Agent(
                bool("api.enable_ramdisk_endpoints"),
                bool("api.restrict_lookup"),
                num(values, "api.ramdisk_heartbeat_timeout"),
                seconds("agent.liveness_flush_interval"),
                seconds("agent.wait_clock_resolution"),
                num(values, "agent.liveness_batch_size"),
                seconds("agent.command_timeout"));
    }

    /** The periodic-task settings, typed. */
    public Periodics periodics() {
        return new Periodics(
                num(values, "conductor.periodic_max_workers"),
                seconds("conductor.sync_power_state_interval"),
                num(values, "conductor.sync_power_state_workers"),
                num(values, "conductor.power_state_sync_max_retries"),
                bool("conductor.force_power_state_during_sync"),
                seconds("conductor.power_failure_recovery_interval"),
                seconds("conductor.check_provision_state_interval"),
                seconds("conductor.check_rescue_state_interval"),
                seconds("conductor.deploy_callback_timeout"),
                seconds("conductor.clean_callback_timeout"),
                seconds("conductor.inspect_wait_timeout"),
                seconds("conductor.rescue_callback_timeout"),
                seconds("conductor.service_callback_timeout"));
    }

    /** Any setting by its flat key ({@code conductor.sync_power_state_interval}); periodic annotations name these. */
    public Optional<Object> setting(String key) {
        return Optional.ofNullable(values.get(key));
    }

    private Duration seconds(String key) {
        Object o = values.get(key);
        if (o instanceof Number n) {
            return Duration.ofNanos(Math.round(n.doubleValue() * 1_000_000_000d));
        }
        try {
            return Duration.ofNanos(
                    Math.round(Double.parseDouble(String.valueOf(o).trim()) * 1_000_000_000d));
        } catch (NumberFormatException e) {
            throw new ConfigException("'" + key + "' must be a number of seconds, got '" + o + "'");
        }
    }

    private boolean bool(String key) {
        Object o = values.get(key);
        return o instanceof Boolean b
                ? b
                : Boolean.parseBoolean(String.valueOf(o).trim());
    }

    /** The defaults, as documented in conf/anvil.yaml. */
    static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("api.host", "0.0.0.0");
        d.put("api.port", 6385);
        d.put("api.instances", 0);
        d.put("api.max_body_bytes", 1048576);
        d.put("api.max_limit", 1000);
        d.put("api.public_url", "");
        // ---- agent API (issue 10): Ironic's [api] ramdisk options and the heartbeat intake
        d.put("api.enable_ramdisk_endpoints", true);
        d.put("api.restrict_lookup", true);
        d.put("api.ramdisk_heartbeat_timeout", 300);
        d.put("agent.liveness_flush_interval", 1.0);
        d.put("agent.liveness_batch_size", 5000);
        d.put("agent.wait_clock_resolution", 10.0);
        d.put("agent.command_timeout", 60.0);
        // ---- end agent API
        d.put("database.url", "");
        d.put("database.pool_size", 8);
        d.put("database.pipelined_size", 4);
        d.put("redis.url", "");
        d.put("embedded.data_dir", "./var");
        d.put("conductor.hostname", "");
        d.put("conductor.group", "");
        d.put("conductor.workers_pool_size", 300);
        d.put("conductor.reserved_workers_pool_percentage", 5);
        d.put("conductor.enabled_hardware_types", List.of("fake-hardware", "ipmi"));
        d.put("conductor.heartbeat_interval", 2.0);
        d.put("conductor.heartbeat_timeout", 10.0);
        d.put("conductor.api_lock_wait_ms", 3000);
        d.put("conductor.periodic_max_workers", 8);
        d.put("conductor.sync_power_state_interval", 120);
        d.put("conductor.sync_power_state_workers", 8);
        d.put("conductor.power_state_sync_max_retries", 3);
        d.put("conductor.force_power_state_during_sync", true);
        d.put("conductor.power_failure_recovery_interval", 300);
        d.put("conductor.check_provision_state_interval", 60);
        d.put("conductor.check_rescue_state_interval", 60);
        d.put("conductor.deploy_callback_timeout", 1800);
        d.put("conductor.clean_callback_timeout", 1800);
        d.put("conductor.inspect_wait_timeout", 1800);
        d.put("conductor.rescue_callback_timeout", 1800);
        d.put("conductor.service_callback_timeout", 1800);
        d.put("conductor.hash_ring_reset_interval", 2.0);
        d.put("conductor.hash_partition_exponent", 5);
        d.put("conductor.sync_local_state_interval", 180.0);
        d.put("conductor.graceful_shutdown_timeout", 60.0);
        d.put("conductor.lock_lease_ms", 10000);
        d.put("ipmi.retry_timeout", 1.0);
        d.put("ipmi.retry_increment", 1.0);
        d.put("ipmi.retry_max_tries", 4);
        d.put("ipmi.handshake_attempts", 3);
        d.put("ipmi.max_in_flight_per_bmc", 1);
        d.put("ipmi.min_command_spacing", 0.01);
        d.put("ipmi.circuit_failure_threshold", 5);
        d.put("ipmi.circuit_cooldown", 30.0);
        d.put("ipmi.keepalive_interval", 15.0);
        d.put("ipmi.session_idle_close", 120.0);
        d.put("ipmi.close_timeout", 5.0);
        d.put("ipmi.channels", 1);
        d.put("ipmi.receive_buffer_bytes", 1048576);
        d.put("ipmi.bind_host", "0.0.0.0");
        d.put("ipmi.disable_boot_timeout", true);
        return d;
    }

    /** Loads defaults ← file (if it exists) ← environment. */
    public static AnvilConfig load(Path file, Map<String, String> env) {
        Map<String, Object> values = defaults();
        if (file != null && Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                merge(values, new Yaml().load(r), file.toString());
            } catch (IOException e) {
                throw new ConfigException("cannot read " + file + ": " + e.getMessage());
            }
        } else if (file != null && !file.equals(Path.of("conf/anvil.yaml"))) {
            throw new ConfigException("configuration file " + file + " does not exist");
        }
        for (String key : values.keySet()) {
            String envName = "ANVIL_" + key.replace('.', '_').toUpperCase();
            String v = env.get(envName);
            if (v != null) {
                values.put(key, coerce(key, v, values.get(key), envName));
            }
        }
        return fromMap(values);
    }

    /** Defaults only, with overrides given as flat keys ({@code "api.port" -> 0}); handy for tests. */
    public static AnvilConfig of(Map<String, Object> overrides) {
        Map<String, Object> values = defaults();
        overrides.forEach((k, v) -> {
            if (!values.containsKey(k)) {
                throw new ConfigException("unknown configuration key " + k);
            }
            values.put(k, v);
        });
        return fromMap(values);
    }

    public static AnvilConfig fromResource(InputStream in) {
        Map<String, Object> values = defaults();
        merge(values, new Yaml().load(in), "resource");
        return fromMap(values);
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> values, Object doc, String source) {
        if (doc == null) {
            return;
        }
        if (!(doc instanceof Map<?, ?> top)) {
            throw new ConfigException(source + ": expected sections (api:, database:, ...) at the top level");
        }
        for (Map.Entry<?, ?> section : top.entrySet()) {
            if (!(section.getValue() instanceof Map<?, ?> keys)) {
                if (section.getValue() == null) {
                    continue;
                }
                throw new ConfigException(source + ": section '" + section.getKey() + "' must be a mapping");
            }
            for (Map.Entry<?, ?> kv : ((Map<Object, Object>) keys).entrySet()) {
                String key = section.getKey() + "." + kv.getKey();
                if (!values.containsKey(key)) {
                    throw new ConfigException(source + ": unknown configuration key '" + key + "'");
                }
                Object v = kv.getValue();
                values.put(key, v instanceof String s ? coerce(key, s, values.get(key), source) : v == null ? "" : v);
            }
        }
    }

    private static Object coerce(String key, String raw, Object current, String source) {
        try {
            if (current instanceof Integer) {
                return Integer.parseInt(raw.trim());
            }
            if (current instanceof Double) {
                return Double.parseDouble(raw.trim());
            }
            if (current instanceof Boolean) {
                return Boolean.parseBoolean(raw.trim());
            }
            if (current instanceof List) {
                List<String> out = new ArrayList<>();
                for (String s : raw.split(",")) {
                    if (!s.isBlank()) {
                        out.add(s.trim());
                    }
                }
                return out;
            }
            return raw;
        } catch (NumberFormatException e) {
            throw new ConfigException(source + ": '" + key + "' must be a number, got '" + raw + "'");
        }
    }

    @SuppressWarnings("unchecked")
    private static AnvilConfig fromMap(Map<String, Object> v) {
        return new AnvilConfig(
                new Api(
                        str(v, "api.host"),
                        num(v, "api.port"),
                        num(v, "api.instances"),
                        num(v, "api.max_body_bytes"),
                        num(v, "api.max_limit"),
                        str(v, "api.public_url")),
                new Database(str(v, "database.url"), num(v, "database.pool_size"), num(v, "database.pipelined_size")),
                new Redis(str(v, "redis.url")),
                new Embedded(str(v, "embedded.data_dir")),
                new Conductor(
                        hostname(str(v, "conductor.hostname")),
                        str(v, "conductor.group"),
                        num(v, "conductor.workers_pool_size"),
                        num(v, "conductor.reserved_workers_pool_percentage"),
                        List.copyOf((List<String>) v.get("conductor.enabled_hardware_types")),
                        dbl(v, "conductor.heartbeat_interval"),
                        dbl(v, "conductor.heartbeat_timeout"),
                        num(v, "conductor.api_lock_wait_ms"),
                        dbl(v, "conductor.hash_ring_reset_interval"),
                        num(v, "conductor.hash_partition_exponent"),
                        dbl(v, "conductor.sync_local_state_interval"),
                        dbl(v, "conductor.graceful_shutdown_timeout"),
                        num(v, "conductor.lock_lease_ms")),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(v)));
    }

    private static String str(Map<String, Object> v, String k) {
        Object o = v.get(k);
        return o == null ? "" : o.toString();
    }

    private static int num(Map<String, Object> v, String k) {
        Object o = v.get(k);
        if (o instanceof Number n) {
            return n.intValue();
        }
        throw new ConfigException("'" + k + "' must be a number, got '" + o + "'");
    }

    private static double dbl(Map<String, Object> v, String k) {
        Object o = v.get(k);
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        throw new ConfigException("'" + k + "' must be a number, got '" + o + "'");
    }

    private static String hostname(String configured) {
        if (!configured.isBlank()) {
            return configured;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    public AnvilConfig withApiPort(int port) {
        return new AnvilConfig(
                new Api(api.host, port, api.instances, api.maxBodyBytes, api.maxLimit, api.publicUrl),
                database,
                redis,
                embedded,
                conductor,
                values);
    }

    public AnvilConfig withStores(String databaseUrl, String redisUrl) {
        return new AnvilConfig(
                api,
                new Database(databaseUrl, database.poolSize, database.pipelinedSize),
                new Redis(redisUrl),
                embedded,
                conductor,
                values);
    }

    /** A configuration error a user can fix; the message says what and where. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
