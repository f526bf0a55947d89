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

    private static Object normalise(Object v) {
        return v instanceof Number n ? n.doubleValue() : v == null ? "" : v;
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
