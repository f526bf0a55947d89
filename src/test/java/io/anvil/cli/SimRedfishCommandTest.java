package io.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.redfish.RedfishFleetOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code anvil sim redfish} parses its options (HTTPS by default, --no-tls, system ids, ports). */
class SimRedfishCommandTest {

    private static SimRedfishCommand parse(String... args) {
        CommandLine cli = new CommandLine(new AnvilCommand());
        String[] all = new String[args.length + 2];
        all[0] = "sim";
        all[1] = "redfish";
        System.arraycopy(args, 0, all, 2, args.length);
        CommandLine.ParseResult r = cli.parseArgs(all);
        return (SimRedfishCommand) r.subcommand().subcommand().commandSpec().userObject();
    }

    @Test
    void defaults() {
        SimRedfishCommand c = parse();
        assertTrue(c.tls);
        assertEquals(1, c.common.count);
        assertEquals(8443, c.basePort);
        assertEquals("admin", c.user);
        assertEquals("password", c.password);
        assertEquals(RedfishFleetOptions.SystemIds.UUID, c.systemIds);
    }

    @Test
    void options() {
        SimRedfishCommand c = parse(
                "--count",
                "1000",
                "--base-port",
                "0",
                "--no-tls",
                "--system-ids",
                "ONE",
                "--anvil-url",
                "http://127.0.0.1:6385");
        assertFalse(c.tls);
        assertEquals(1000, c.common.count);
        assertEquals(0, c.basePort);
        assertEquals(RedfishFleetOptions.SystemIds.ONE, c.systemIds);
        assertEquals("http://127.0.0.1:6385", c.anvilUrl);
    }
}
