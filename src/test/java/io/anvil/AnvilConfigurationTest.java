package io.anvil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.config.AnvilConfig;
import io.anvil.config.AnvilConfig.ConfigException;
import io.anvil.ipmi.client.IpmiClientOptions;
import io.anvil.ipmi.client.RetryPolicy;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The configuration a user edits: conf/anvil.yaml documents every default, a file and ANVIL_* variables override
 * them, mistakes are named, and the [ipmi] section reaches the IPMI client.
 */
class AnvilConfigurationTest {

    @Test
    void shippedFileListsEveryKeyWithItsDefault() throws IOException {
        Map<String, Object> inFile = new TreeMap<>();
        try (Reader r = Files.newBufferedReader(Path.of("conf/anvil.yaml"))) {
            Map<String, Map<String, Object>> doc = new Yaml().load(r);
            doc.forEach((section, keys) -> keys.forEach((k, v) -> inFile.put(section + "." + k, normalise(v))));
        }
        Map<String, Object> defaults = new TreeMap<>();
        AnvilConfig.of(Map.of()).values().forEach((k, v) -> defaults.put(k, normalise(v)));
        assertEquals(defaults, inFile);
    }

    /** docs/configuration.md is the reference of every key: one the file lists and the page does not fails here. */
    @Test
    void theConfigurationReferenceNamesEveryKey() throws IOException {
        String page = Files.readString(Path.of("docs/configuration.md"));
        java.util.List<String> missing = new java.util.ArrayList<>();
        try (Reader r = Files.newBufferedReader(Path.of("conf/anvil.yaml"))) {
            Map<String, Map<String, Object>> doc = new Yaml().load(r);
            doc.forEach((section, keys) -> keys.keySet().forEach(k -> {
                String key = section + "." + k;
                if (!page.contains("`" + key + "`") || !page.contains("`" + AnvilConfig.variableOf(key) + "`")) {
                    missing.add(key);
                }
            }));
        }
        assertEquals(java.util.List.of(), missing, "keys of conf/anvil.yaml missing from docs/configuration.md");
    }

    private static Object normalise(Object v) {
        return v instanceof Number n ? n.doubleValue() : v == null ? "" : v;
    }

    @Test
    void theWaitClockIsNeverCoarserThanATenthOfTheShortestWaitTimeout() {
        assertEquals(
                java.time.Duration.ofSeconds(60),
                AnvilConfig.of(Map.of()).agent().waitClockResolution());
        AnvilConfig shortRescue = AnvilConfig.of(Map.of("conductor.rescue_callback_timeout", 120));
        assertEquals(java.time.Duration.ofSeconds(12), shortRescue.agent().waitClockResolution());
        AnvilConfig off = AnvilConfig.of(Map.of("conductor.deploy_callback_timeout", 0));
        assertEquals(java.time.Duration.ofSeconds(60), off.agent().waitClockResolution(), "0 disables a timeout");
    }

    @Test
    void fileThenEnvironmentOverrideDefaults(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("anvil.yaml");
        Files.writeString(
                file,
                """
        api:
          port: 7000
        ipmi:
          retry_timeout: 0.5
          max_in_flight_per_bmc: 2
          disable_boot_timeout: false
        """);
        AnvilConfig c = AnvilConfig.load(
                file,
                Map.of(
                        "ANVIL_IPMI_MIN_COMMAND_SPACING",
                        "0.25",
                        "ANVIL_API_PORT",
                        "7001",
                        "ANVIL_CONDUCTOR_ENABLED_HARDWARE_TYPES",
                        "ipmi"));
        assertEquals(7001, c.api().port(), "environment wins over the file");
        assertEquals(java.util.List.of("ipmi"), c.conductor().enabledHardwareTypes());
        AnvilConfig.Ipmi ipmi = c.ipmi();
        assertEquals(Duration.ofMillis(500), ipmi.retryTimeout());
        assertEquals(Duration.ofMillis(250), ipmi.minCommandSpacing());
        assertEquals(2, ipmi.maxInFlightPerBmc());
        assertFalse(ipmi.disableBootTimeout());
        assertEquals(4, ipmi.retryMaxTries(), "untouched keys keep their default");
    }

    @Test
    void mistakesAreNamed(@TempDir Path dir) throws IOException {
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "ipmi:\n  retry_timout: 2\n");
        ConfigException unknown = assertThrows(ConfigException.class, () -> AnvilConfig.load(typo, Map.of()));
        assertTrue(unknown.getMessage().contains("ipmi.retry_timout"), unknown.getMessage());

        ConfigException notNumber =
                assertThrows(ConfigException.class, () -> AnvilConfig.load(null, Map.of("ANVIL_IPMI_CHANNELS", "two")));
        assertTrue(notNumber.getMessage().contains("ipmi.channels"), notNumber.getMessage());

        ConfigException missing =
                assertThrows(ConfigException.class, () -> AnvilConfig.load(dir.resolve("absent.yaml"), Map.of()));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        AnvilConfig zeroTries = AnvilConfig.of(Map.of("ipmi.retry_max_tries", 0));
        ConfigException invalid = assertThrows(ConfigException.class, () -> Anvil.ipmiClientOptions(zeroTries.ipmi()));
        assertTrue(invalid.getMessage().startsWith("ipmi: "), invalid.getMessage());
    }

    @Test
    void unknownAnvilVariableIsAnErrorNamingTheClosestSetting() {
        ConfigException typo =
                assertThrows(ConfigException.class, () -> AnvilConfig.load(null, Map.of("ANVIL_API_PROT", "7000")));
        assertTrue(typo.getMessage().contains("ANVIL_API_PROT"), typo.getMessage());
        assertTrue(typo.getMessage().contains("did you mean ANVIL_API_PORT?"), typo.getMessage());

        ConfigException renamed = assertThrows(
                ConfigException.class, () -> AnvilConfig.load(null, Map.of("ANVIL_CONDUCTOR_LOCK_LEASE_MS", "10000")));
        assertTrue(renamed.getMessage().contains("did you mean ANVIL_CONDUCTOR_LOCK_LEASE?"), renamed.getMessage());

        ConfigException near =
                assertThrows(ConfigException.class, () -> AnvilConfig.load(null, Map.of("ANVIL_CONFG", "x.yaml")));
        assertTrue(near.getMessage().contains("did you mean ANVIL_CONFIG?"), near.getMessage());
    }

    @Test
    void variablesThatAreNotSettingsAndOtherProgramsVariablesAreAllowed() {
        AnvilConfig c = AnvilConfig.load(
                null,
                Map.of(
                        "ANVIL_CONFIG", "conf/anvil.yaml",
                        "ANVIL_JAVA_OPTS", "-Xmx2g",
                        "ANVIL_LOG_LEVEL", "DEBUG",
                        "ANVIL_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test",
                        "ANVIL_REDIS_URL", "redis://127.0.0.1:6379",
                        "ANVIL_CONDUCTOR_LOCK_LEASE", "7.5",
                        "PATH", "/usr/bin",
                        "ANVILX", "not ours"));
        assertEquals("postgresql://postgres@127.0.0.1:5432/test", c.database().url());
        assertEquals("redis://127.0.0.1:6379", c.redis().url());
        assertEquals(7.5, c.conductor().lockLease());
    }

    @Test
    void booleansAreTrueOrFalseOnly(@TempDir Path dir) throws IOException {
        assertFalse(AnvilConfig.load(null, Map.of("ANVIL_IPMI_DISABLE_BOOT_TIMEOUT", "FALSE"))
                .ipmi()
                .disableBootTimeout());
        assertTrue(AnvilConfig.load(null, Map.of("ANVIL_IPMI_DISABLE_BOOT_TIMEOUT", "True"))
                .ipmi()
                .disableBootTimeout());
        for (String notBoolean : new String[] {"yes", "1", "on", "", "falsy"}) {
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> AnvilConfig.load(null, Map.of("ANVIL_IPMI_DISABLE_BOOT_TIMEOUT", notBoolean)));
            assertTrue(e.getMessage().contains("'ipmi.disable_boot_timeout' must be true or false"), e.getMessage());
            assertTrue(e.getMessage().startsWith("ANVIL_IPMI_DISABLE_BOOT_TIMEOUT: "), e.getMessage());
        }
        for (String notBoolean : new String[] {"no", "off", "0", "'yes'"}) {
            Path file = dir.resolve("b.yaml");
            Files.writeString(file, "conductor:\n  force_power_state_during_sync: " + notBoolean + "\n");
            ConfigException e = assertThrows(ConfigException.class, () -> AnvilConfig.load(file, Map.of()));
            assertTrue(
                    e.getMessage().contains("'conductor.force_power_state_during_sync' must be true or false"),
                    e.getMessage());
        }
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, "conductor:\n  force_power_state_during_sync: False\n");
        assertFalse(AnvilConfig.load(file, Map.of()).periodics().forcePowerStateDuringSync());
    }

    @Test
    void fileValuesMustHaveTheSettingsType(@TempDir Path dir) throws IOException {
        Path fraction = dir.resolve("fraction.yaml");
        Files.writeString(fraction, "api:\n  port: 7000.5\n");
        ConfigException e = assertThrows(ConfigException.class, () -> AnvilConfig.load(fraction, Map.of()));
        assertTrue(e.getMessage().contains("'api.port' must be a whole number"), e.getMessage());

        Path seconds = dir.resolve("seconds.yaml");
        Files.writeString(seconds, "conductor:\n  lock_lease: 2.5\n  api_lock_wait: 1\n");
        AnvilConfig c = AnvilConfig.load(seconds, Map.of());
        assertEquals(2.5, c.conductor().lockLease());
        assertEquals(1.0, c.conductor().apiLockWait());
    }

    @Test
    void everyDurationIsInSeconds() {
        // a name with a unit suffix (_ms, _millis, _minutes) would mean a second unit for durations
        AnvilConfig.of(Map.of())
                .values()
                .keySet()
                .forEach(key -> assertFalse(
                        key.matches(".*_(ms|millis|milliseconds|us|minutes|mins|hours)$"), key + " is not in seconds"));
        assertEquals(
                60.0,
                ((Number) AnvilConfig.of(Map.of())
                                .setting("conductor.sync_power_state_interval")
                                .orElseThrow())
                        .doubleValue(),
                "Ironic's default");
    }

    @Test
    void ipmiSectionBecomesClientOptions() {
        AnvilConfig c = AnvilConfig.of(Map.of(
                "ipmi.retry_timeout",
                0.2,
                "ipmi.retry_increment",
                0.1,
                "ipmi.retry_max_tries",
                6,
                "ipmi.handshake_attempts",
                2,
                "ipmi.max_in_flight_per_bmc",
                3,
                "ipmi.min_command_spacing",
                0.05,
                "ipmi.circuit_failure_threshold",
                0,
                "ipmi.circuit_cooldown",
                7,
                "ipmi.keepalive_interval",
                20,
                "ipmi.session_idle_close",
                90));
        IpmiClientOptions o = Anvil.ipmiClientOptions(c.ipmi());
        assertEquals(RetryPolicy.of(200, 100, 6), o.getRetry());
        assertEquals(2, o.getHandshakeAttempts());
        assertEquals(3, o.getMaxInFlightPerBmc());
        assertEquals(Duration.ofMillis(50), o.getMinCommandSpacing());
        assertEquals(0, o.getCircuitFailureThreshold());
        assertEquals(Duration.ofSeconds(7), o.getCircuitCooldown());
        assertEquals(Duration.ofSeconds(20), o.getKeepaliveInterval());
        assertEquals(Duration.ofSeconds(90), o.getSessionIdleClose());

        IpmiClientOptions defaults =
                Anvil.ipmiClientOptions(AnvilConfig.of(Map.of()).ipmi());
        IpmiClientOptions builtIn = new IpmiClientOptions();
        assertEquals(builtIn.toString(), defaults.toString(), "the documented defaults are the client's own");
        assertEquals(builtIn.getCloseTimeout(), defaults.getCloseTimeout());
        assertEquals(builtIn.getReceiveBufferSize(), defaults.getReceiveBufferSize());
        assertEquals(builtIn.getBindHost(), defaults.getBindHost());
    }
}
