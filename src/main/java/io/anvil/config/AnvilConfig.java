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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.Constructor;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Typed configuration: built-in defaults, then {@code conf/anvil.yaml} (or the file named by {@code --config} /
 * {@code ANVIL_CONFIG}), then {@code ANVIL_<SECTION>_<KEY>} environment variables. Unknown keys in the file and
 * unknown {@code ANVIL_*} variables are errors, so a typo never silently falls back to a default. Every duration is in
 * seconds, fractions allowed (Ironic's convention).
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

    /**
     * Where Redis is (docs/scale-out.md#redis): {@code mode} standalone (at {@code url}, or the first endpoint),
     * sentinel ({@code endpoints} are the sentinels, {@code masterName} the monitored group) or cluster
     * ({@code endpoints} are seed nodes); {@code waitReplicas} replicas must acknowledge each grant within
     * {@code waitTimeout} seconds (0: no WAIT).
     */
    public record Redis(
            String url, String mode, List<String> endpoints, String masterName, int waitReplicas, double waitTimeout) {
        public Redis {
            endpoints = List.copyOf(endpoints);
        }

        public boolean embedded() {
            return "standalone".equalsIgnoreCase(mode.trim()) && url.isBlank() && endpoints.isEmpty();
        }

        /** The URL a standalone Redis is reached at. */
        public String standaloneUrl() {
            return url.isBlank() && !endpoints.isEmpty() ? endpoints.get(0) : url;
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
            double apiLockWait,
            double hashRingResetInterval,
            int hashPartitionExponent,
            double syncLocalStateInterval,
            double gracefulShutdownTimeout,
            double lockLease,
            double livenessPollInterval) {
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
            Duration commandTimeout,
            Duration heartbeatEventInterval) {}

    /**
     * How often a heartbeat may move a waiting node's timeout clock: the setting, but never more than a tenth of the
     * shortest wait timeout (a coarse clock must not let a heartbeating node time out).
     */
    private Duration waitClockResolution() {
        Duration configured = seconds("agent.wait_clock_resolution");
        for (String key : List.of(
                "conductor.deploy_callback_timeout",
                "conductor.clean_callback_timeout",
                "conductor.service_callback_timeout",
                "conductor.rescue_callback_timeout",
                "conductor.inspect_wait_timeout")) {
            Duration timeout = seconds(key);
            if (!timeout.isZero()
                    && !timeout.isNegative()
                    && timeout.dividedBy(10).compareTo(configured) < 0) {
                configured = timeout.dividedBy(10);
            }
        }
        return configured;
    }

    /** The agent API settings, typed. */
    public Agent agent() {
        return new Agent(
                bool("api.enable_ramdisk_endpoints"),
                bool("api.restrict_lookup"),
                num(values, "api.ramdisk_heartbeat_timeout"),
                seconds("agent.liveness_flush_interval"),
                waitClockResolution(),
                num(values, "agent.liveness_batch_size"),
                seconds("agent.command_timeout"),
                seconds("agent.heartbeat_event_interval"));
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

    /**
     * Ironic's [sensor_data] options ({@code ironic/conf/sensor_data.py}) for the send_sensor_data periodic, whose
     * spacing and switch are {@code sensor_data.interval} and {@code sensor_data.send_sensor_data}.
     */
    public record SensorData(
            int workers, List<String> dataTypes, boolean enableForUndeployedNodes, boolean enableForNodes) {}

    public SensorData sensorData() {
        int workers = num(values, "sensor_data.workers");
        if (workers < 1) {
            throw new ConfigException("'sensor_data.workers' must be at least 1, got " + workers);
        }
        Object types = values.get("sensor_data.data_types");
        return new SensorData(
                workers,
                types instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(types)),
                bool("sensor_data.enable_for_undeployed_nodes"),
                bool("sensor_data.enable_for_nodes"));
    }

    /** A token bucket per client: {@code requestsPerSecond} refill, at most {@code burst} at once; rate 0 = off. */
    public record RateLimit(double requestsPerSecond, int burst) {
        public boolean enabled() {
            return requestsPerSecond > 0;
        }
    }

    /**
     * api.rendered_cache_entries: encoded GET-node answers kept per API verticle instance (docs/scale-out.md#memory);
     * 0 turns the cache off.
     */
    public int renderedCacheEntries() {
        return num(values, "api.rendered_cache_entries");
    }

    /** api.max_json_depth: the deepest nesting of arrays and objects a request body may have (400 beyond). */
    public int maxJsonDepth() {
        return num(values, "api.max_json_depth");
    }

    /** api.rate_limit.* (every API request but heartbeats) or api.rate_limit.heartbeats.* ({@code /v1/heartbeat/}). */
    public RateLimit rateLimit(boolean heartbeats) {
        String prefix = heartbeats ? "api.rate_limit.heartbeats." : "api.rate_limit.";
        return new RateLimit(dbl(values, prefix + "requests_per_second"), Math.max(1, num(values, prefix + "burst")));
    }

    /** api.rate_limit.max_clients: clients tracked at once per limit (idle ones are forgotten first). */
    public int rateLimitMaxClients() {
        return num(values, "api.rate_limit.max_clients");
    }

    /** metrics.enabled: serve GET /metrics (false: measure nothing, /metrics answers 404). */
    public boolean metricsEnabled() {
        return bool("metrics.enabled");
    }

    /** logging.format: {@code text} or {@code json} (io.anvil.logging.LogFormat). */
    public String loggingFormat() {
        try {
            return io.anvil.logging.LogFormat.parse(String.valueOf(values.get("logging.format")));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
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
        if (o instanceof Boolean b) {
            return b;
        }
        throw new ConfigException("'" + key + "' must be true or false, got '" + o + "'");
    }

    /** The defaults, as documented in conf/anvil.yaml. */
    static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>();
        // empty: 127.0.0.1 with api.auth_strategy noauth, 0.0.0.0 otherwise (io.anvil.auth.ApiSecurity)
        d.put("api.host", "");
        d.put("api.port", 6385);
        d.put("api.instances", 0);
        d.put("api.max_body_bytes", 1048576);
        d.put("api.max_limit", 1000);
        d.put("api.public_url", "");
        // ---- authentication, roles and TLS of the API (docs/security.md#authentication; io.anvil.auth)
        d.put("api.auth_strategy", "noauth");
        d.put("api.allow_noauth_on_public_address", false);
        d.put("api.http_basic_auth_user_file", "");
        d.put("api.http_basic_roles", List.of());
        d.put("api.jwt_secret", "");
        d.put("api.jwt_public_key_file", "");
        d.put("api.jwt_jwks", "");
        d.put("api.jwt_issuer", "");
        d.put("api.jwt_audience", "");
        d.put("api.jwt_roles_claim", "roles");
        d.put("api.jwt_project_claim", "project_id");
        d.put("api.jwt_leeway", 60.0);
        d.put("api.auth_cache_ttl", 60.0);
        d.put("api.auth_cache_size", 10000);
        d.put("api.metrics_access", "");
        d.put("api.tls_cert_file", "");
        d.put("api.tls_key_file", "");
        // ---- request limits (docs/api.md#limits): JSON nesting and per-client rate limits; 0 = off
        d.put("api.max_json_depth", 32);
        d.put("api.rendered_cache_entries", 10_000);
        d.put("api.rate_limit.requests_per_second", 0.0);
        d.put("api.rate_limit.burst", 100);
        d.put("api.rate_limit.heartbeats.requests_per_second", 0.0);
        d.put("api.rate_limit.heartbeats.burst", 10);
        d.put("api.rate_limit.max_clients", 10000);
        // ---- end request limits
        // ---- agent API (issue 10): Ironic's [api] ramdisk options and the heartbeat intake
        d.put("api.enable_ramdisk_endpoints", true);
        d.put("api.restrict_lookup", true);
        d.put("api.ramdisk_heartbeat_timeout", 300);
        d.put("agent.liveness_flush_interval", 1.0);
        d.put("agent.liveness_batch_size", 5000);
        d.put("agent.wait_clock_resolution", 60.0);
        d.put("agent.command_timeout", 60.0);
        d.put("agent.heartbeat_event_interval", 60.0);
        // ---- end agent API
        // ---- the operator's view (docs/operations.md)
        d.put("metrics.enabled", true);
        d.put("logging.format", "text");
        d.put("database.url", "");
        d.put("database.pool_size", 8);
        d.put("database.pipelined_size", 4);
        d.put("redis.url", "");
        d.put("redis.mode", "standalone");
        d.put("redis.endpoints", List.of());
        d.put("redis.master_name", "");
        d.put("redis.wait_replicas", 0);
        d.put("redis.wait_timeout", 0.1);
        d.put("embedded.data_dir", "./var");
        d.put("conductor.hostname", "");
        d.put("conductor.group", "");
        d.put("conductor.api_url", "");
        d.put("conductor.workers_pool_size", 300);
        d.put("conductor.reserved_workers_pool_percentage", 5);
        d.put("conductor.enabled_hardware_types", List.of("fake-hardware", "ipmi", "redfish"));
        d.put("conductor.heartbeat_interval", 2.0);
        d.put("conductor.heartbeat_timeout", 10.0);
        d.put("conductor.liveness_poll_interval", 1.0);
        d.put("conductor.api_lock_wait", 3.0);
        d.put("conductor.periodic_max_workers", 8);
        d.put("conductor.sync_power_state_interval", 60);
        d.put("conductor.sync_power_state_workers", 256);
        d.put("conductor.power_state_sync_max_retries", 3);
        d.put("conductor.force_power_state_during_sync", true);
        d.put("conductor.power_failure_recovery_interval", 300);
        d.put("conductor.check_provision_state_interval", 60);
        d.put("conductor.check_allocations_interval", 60);
        d.put("conductor.check_rescue_state_interval", 60);
        d.put("conductor.deploy_callback_timeout", 1800);
        d.put("conductor.clean_callback_timeout", 1800);
        d.put("conductor.inspect_wait_timeout", 1800);
        d.put("conductor.rescue_callback_timeout", 1800);
        d.put("conductor.service_callback_timeout", 1800);
        d.put("conductor.hash_ring_reset_interval", 2.0);
        d.put("conductor.hash_partition_exponent", 11);
        d.put("conductor.sync_local_state_interval", 180.0);
        d.put("conductor.graceful_shutdown_timeout", 60.0);
        d.put("conductor.lock_lease", 10.0);
        d.put("ipmi.retry_timeout", 1.0);
        d.put("ipmi.retry_increment", 1.0);
        d.put("ipmi.retry_max_tries", 4);
        d.put("ipmi.handshake_attempts", 3);
        d.put("ipmi.max_in_flight_per_bmc", 1);
        d.put("ipmi.min_command_spacing", 0.01);
        d.put("ipmi.circuit_failure_threshold", 5);
        d.put("ipmi.circuit_cooldown", 30.0);
        d.put("ipmi.keepalive_interval", 20.0);
        d.put("ipmi.session_idle_close", 300.0);
        d.put("ipmi.close_timeout", 5.0);
        d.put("ipmi.channels", 1);
        d.put("ipmi.receive_buffer_bytes", 1048576);
        d.put("ipmi.bind_host", "0.0.0.0");
        d.put("ipmi.disable_boot_timeout", true);
        // ---- steps, iPXE boot and inspection (issue 11 groundwork; read by conductor.steps, driver.ipxe,
        // driver.inspect through setting(key)) ----
        d.put("conductor.clean_step_priority_override", List.of());
        d.put("conductor.max_conductor_wait_step_seconds", 30);
        d.put("conductor.automated_clean", true);
        d.put("conductor.max_concurrent_deploy", 250);
        d.put("conductor.max_concurrent_clean", 50);
        d.put("conductor.deploy_kernel", "");
        d.put("conductor.deploy_ramdisk", "");
        d.put("conductor.rescue_kernel", "");
        d.put("conductor.rescue_ramdisk", "");
        d.put("conductor.rescue_password_hash_algorithm", "sha256");
        // ---- the Redfish client and the redfish hardware type (docs/redfish.md), read through setting(key)
        d.put("redfish.max_in_flight_per_bmc", 2);
        d.put("redfish.connection_attempts", 5);
        d.put("redfish.connection_retry_interval", 1.0);
        d.put("redfish.request_timeout", 60.0);
        d.put("redfish.connect_timeout", 10.0);
        d.put("redfish.task_poll_interval", 1.0);
        d.put("redfish.task_timeout", 1800.0);
        d.put("redfish.idle_connection_timeout", 30.0);
        d.put("redfish.auth_type", "auto");
        d.put("redfish.deploy_iso", "");
        d.put("redfish.rescue_iso", "");
        d.put("redfish.firmware_update_status_interval", 60.0);
        // ---- Ironic's send_sensor_data periodic, exported as gauges (docs/operations.md#sensor-data)
        d.put("sensor_data.send_sensor_data", false);
        d.put("sensor_data.interval", 600.0);
        d.put("sensor_data.workers", 4);
        d.put("sensor_data.data_types", List.of("ALL"));
        d.put("sensor_data.enable_for_undeployed_nodes", false);
        d.put("sensor_data.enable_for_nodes", true);
        // ---- serial consoles (docs/console.md)
        d.put("console.buffer_bytes", 8192);
        d.put("console.idle_timeout", 600);
        d.put("console.reconcile_interval", 10);
        d.put("pxe.kernel_append_params", "nofb vga=normal");
        d.put("pxe.ipxe_timeout", 0);
        d.put("inspector.add_ports", "pxe");
        d.put("inspector.keep_ports", "all");
        d.put("inspector.update_pxe_enabled", true);
        d.put("inspector.disk_partitioning_spacing", true);
        // ---- secrets at rest (docs/security.md#secrets-at-rest)
        d.put("secrets.key_file", "");
        d.put("secrets.key", "");
        d.put("secrets.active_key_id", "");
        d.put("secrets.allow_plaintext", false);
        // ---- event feed and retention (issue 12; docs/events.md), read through setting(key) by events.FeedSettings
        d.put("feed.subscriber_buffer", 1000);
        d.put("feed.keepalive", 15.0);
        d.put("feed.idle_timeout", 60.0);
        d.put("feed.max_connections_per_client", 100);
        d.put("feed.max_connections", 20000);
        d.put("feed.poll_interval", 1.0);
        d.put("feed.notify_interval", 0.01);
        d.put("feed.batch_size", 1000);
        d.put("feed.audit_delay", 10.0);
        d.put("feed.retention_age", 604800.0);
        d.put("feed.retention_max_events", 1000000);
        d.put("feed.retention_interval", 60.0);
        d.put("conductor.node_history_max_entries", 300);
        d.put("conductor.node_history_cleanup_interval", 86400.0);
        d.put("conductor.node_history_max_age", 0.0);
        d.put("conductor.node_history_cleanup_batch_count", 1000);
        d.put("conductor.node_history_minimum_days", 0);
        return d;
    }

    /**
     * {@code ANVIL_*} variables that are read but name no setting: the file to load, the JVM options of scripts/run
     * and the log level of logback.xml, and the endpoint {@code anvil watch} follows (a shell that exports it for the
     * client may start the server too). Any other {@code ANVIL_*} variable must name a setting.
     */
    public static final Set<String> OTHER_VARIABLES =
            Set.of("ANVIL_CONFIG", "ANVIL_JAVA_OPTS", "ANVIL_LOG_LEVEL", "ANVIL_URL");

    /** The environment variable that overrides a setting: {@code conductor.lock_lease -> ANVIL_CONDUCTOR_LOCK_LEASE}. */
    public static String variableOf(String key) {
        return "ANVIL_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Loads defaults ← file (if it exists) ← environment. An {@code ANVIL_*} variable that names no setting (and is not
     * one of {@link #OTHER_VARIABLES}) is an error naming the closest valid variable, so a typo in a deployment's
     * environment never silently falls back to a default.
     */
    public static AnvilConfig load(Path file, Map<String, String> env) {
        Map<String, Object> values = defaults();
        if (file != null && Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                merge(values, yaml().load(r), file.toString());
            } catch (IOException e) {
                throw new ConfigException("cannot read " + file + ": " + e.getMessage());
            }
        } else if (file != null && !file.equals(Path.of("conf/anvil.yaml"))) {
            throw new ConfigException("configuration file " + file + " does not exist");
        }
        Map<String, String> keyOfVariable = new TreeMap<>();
        values.keySet().forEach(k -> keyOfVariable.put(variableOf(k), k));
        List<String> unknown = new ArrayList<>();
        for (String name : new TreeSet<>(env.keySet())) {
            if (name.startsWith("ANVIL_") && !keyOfVariable.containsKey(name) && !OTHER_VARIABLES.contains(name)) {
                Set<String> valid = new TreeSet<>(keyOfVariable.keySet());
                valid.addAll(OTHER_VARIABLES);
                unknown.add(name + " (did you mean " + closest(name, valid) + "?)");
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException(
                    "environment variable" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                            + (unknown.size() > 1 ? " name" : " names")
                            + " no setting; settings are ANVIL_<SECTION>_<KEY> for the keys of conf/anvil.yaml, plus "
                            + String.join(", ", new TreeSet<>(OTHER_VARIABLES)));
        }
        keyOfVariable.forEach((name, key) -> {
            String v = env.get(name);
            if (v != null) {
                values.put(key, coerce(key, v, values.get(key), name));
            }
        });
        return fromMap(values);
    }

    /** The candidate with the smallest edit distance to {@code name} (first in order on a tie). */
    static String closest(String name, Set<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(name, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    /**
     * A YAML reader whose only booleans are true and false (any case): YAML 1.1 also reads yes/no/on/off as booleans,
     * which here become strings and so errors for a boolean setting, as in the environment.
     */
    private static Yaml yaml() {
        return new Yaml(
                new Constructor(new LoaderOptions()),
                new Representer(new DumperOptions()),
                new DumperOptions(),
                new LoaderOptions(),
                new StrictBooleanResolver());
    }

    private static final class StrictBooleanResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
            addImplicitResolver(Tag.INT, INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.MERGE, MERGE, "<");
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
            addImplicitResolver(Tag.TIMESTAMP, TIMESTAMP, "0123456789");
            addImplicitResolver(Tag.YAML, YAML, "!&*");
        }
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
        merge(values, yaml().load(in), "resource");
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
                values.put(key, typed(key, kv.getValue(), values.get(key), source));
            }
        }
    }

    /** A value read from the file, checked against the type of the setting's default. */
    private static Object typed(String key, Object v, Object current, String source) {
        if (v == null) {
            return current instanceof String ? "" : fail(source, key, current, "nothing");
        }
        if (v instanceof String s) {
            return coerce(key, s, current, source);
        }
        if (current instanceof Integer) {
            if (v instanceof Integer || v instanceof Long) {
                return ((Number) v).intValue();
            }
            return fail(source, key, current, v);
        }
        if (current instanceof Double) {
            return v instanceof Number n ? n.doubleValue() : fail(source, key, current, v);
        }
        if (current instanceof Boolean) {
            return v instanceof Boolean ? v : fail(source, key, current, v);
        }
        if (current instanceof List) {
            return v instanceof List<?> l ? l.stream().map(String::valueOf).toList() : fail(source, key, current, v);
        }
        return v instanceof Map || v instanceof List ? fail(source, key, current, v) : String.valueOf(v);
    }

    /** A value given as text (the environment, or a quoted string in the file), read as the setting's type. */
    private static Object coerce(String key, String raw, Object current, String source) {
        String t = raw.trim();
        try {
            if (current instanceof Integer) {
                return Integer.parseInt(t);
            }
            if (current instanceof Double) {
                return Double.parseDouble(t);
            }
        } catch (NumberFormatException e) {
            return fail(source, key, current, raw);
        }
        if (current instanceof Boolean) {
            if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(t);
            }
            return fail(source, key, current, raw);
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
    }

    private static Object fail(String source, String key, Object current, Object got) {
        String expected = current instanceof Integer
                ? "a whole number"
                : current instanceof Double
                        ? "a number"
                        : current instanceof Boolean
                                ? "true or false"
                                : current instanceof List ? "a list" : "a string";
        throw new ConfigException(source + ": '" + key + "' must be " + expected + ", got '" + got + "'");
    }

    @SuppressWarnings("unchecked")
    private static AnvilConfig fromMap(Map<String, Object> v) {
        return new AnvilConfig(
                new Api(
                        apiHost(v),
                        num(v, "api.port"),
                        num(v, "api.instances"),
                        num(v, "api.max_body_bytes"),
                        num(v, "api.max_limit"),
                        str(v, "api.public_url")),
                new Database(str(v, "database.url"), num(v, "database.pool_size"), num(v, "database.pipelined_size")),
                new Redis(
                        str(v, "redis.url"),
                        str(v, "redis.mode"),
                        List.copyOf((List<String>) v.get("redis.endpoints")),
                        str(v, "redis.master_name"),
                        num(v, "redis.wait_replicas"),
                        dbl(v, "redis.wait_timeout")),
                new Embedded(str(v, "embedded.data_dir")),
                new Conductor(
                        hostname(str(v, "conductor.hostname")),
                        str(v, "conductor.group"),
                        num(v, "conductor.workers_pool_size"),
                        num(v, "conductor.reserved_workers_pool_percentage"),
                        List.copyOf((List<String>) v.get("conductor.enabled_hardware_types")),
                        dbl(v, "conductor.heartbeat_interval"),
                        dbl(v, "conductor.heartbeat_timeout"),
                        dbl(v, "conductor.api_lock_wait"),
                        dbl(v, "conductor.hash_ring_reset_interval"),
                        num(v, "conductor.hash_partition_exponent"),
                        dbl(v, "conductor.sync_local_state_interval"),
                        dbl(v, "conductor.graceful_shutdown_timeout"),
                        dbl(v, "conductor.lock_lease"),
                        dbl(v, "conductor.liveness_poll_interval")),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(v)));
    }

    /** api.host as configured; empty means loopback with noauth (safe by default) and every address otherwise. */
    private static String apiHost(Map<String, Object> v) {
        String host = str(v, "api.host").trim();
        if (!host.isEmpty()) {
            return host;
        }
        return "noauth".equals(str(v, "api.auth_strategy").trim()) ? "127.0.0.1" : "0.0.0.0";
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
                new Redis(
                        redisUrl, redis.mode, redis.endpoints, redis.masterName, redis.waitReplicas, redis.waitTimeout),
                embedded,
                conductor,
                values);
    }

    /** This configuration with one setting changed (by its flat key, which must exist). */
    public AnvilConfig withSetting(String key, Object value) {
        if (!values.containsKey(key)) {
            throw new ConfigException("unknown configuration key " + key);
        }
        Map<String, Object> v = new LinkedHashMap<>(values);
        v.put(key, value);
        return new AnvilConfig(api, database, redis, embedded, conductor, java.util.Collections.unmodifiableMap(v));
    }

    /** A configuration error a user can fix; the message says what and where. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
