package io.anvil.sim.bmc;

import static io.anvil.sim.bmc.SimTestSupport.await;
import static io.anvil.sim.bmc.SimTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FreeIPMI (ipmi-raw, ipmipower) against simulated BMCs: a second, independent client implementation. */
class FreeIpmiInteropTest {

    private static final Duration T = Duration.ofSeconds(60);
    private static SimTestSupport.SimFleet fleet;

    @BeforeAll
    static void start() {
        fleet = SimTestSupport.SimFleet.start(5);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @ParameterizedTest(name = "ipmi-raw -D LAN_2_0 -I {0}: Get Chassis Status")
    @ValueSource(ints = {3, 17})
    void ipmiRawChassisStatus(int suite) {
        String tool = TestServices.requireTool("ipmi-raw");
        SimulatedBmc bmc = fleet.bmc(0);
        await(bmc.power(PowerState.ON));
        SimTestSupport.ProcResult r = run(
                T,
                List.of(
                        tool,
                        "-D",
                        "LAN_2_0",
                        "-I",
                        String.valueOf(suite),
                        "-h",
                        bmc.hostAndPort(),
                        "-u",
                        "admin",
                        "-p",
                        "password",
                        "-l",
                        "ADMIN",
                        "00",
                        "00",
                        "01"));
        assertEquals(0, r.exit(), r::toString);
        // rcvd: cmd cc | power state (on, restore policy "previous") | last power event | misc
        assertTrue(r.output().startsWith("rcvd: 01 00 21 00 00"), r::toString);
        await(bmc.power(PowerState.OFF));
        r = run(
                T,
                List.of(
                        tool,
                        "-D",
                        "LAN_2_0",
                        "-I",
                        String.valueOf(suite),
                        "-h",
                        bmc.hostAndPort(),
                        "-u",
                        "admin",
                        "-p",
                        "password",
                        "00",
                        "00",
                        "01"));
        assertTrue(r.output().startsWith("rcvd: 01 00 20"), r::toString);
        assertEquals(0, bmc.counters().internalErrors());
        assertEquals(0, bmc.activeSessions());
    }

    @Test
    void ipmiRawGetDeviceIdOverV15() {
        String tool = TestServices.requireTool("ipmi-raw");
        SimulatedBmc bmc = fleet.bmc(1);
        SimTestSupport.ProcResult r = run(
                T,
                List.of(
                        tool,
                        "-D",
                        "LAN",
                        "-a",
                        "MD5",
                        "-h",
                        bmc.hostAndPort(),
                        "-u",
                        "admin",
                        "-p",
                        "password",
                        "00",
                        "06",
                        "01"));
        assertEquals(0, r.exit(), r::toString);
        // device id 0x20, rev 1, fw 1.00, IPMI 2.0, … aux firmware = the BMC's index (1)
        assertTrue(r.output().startsWith("rcvd: 01 00 20 01 01 00 02 85"), r::toString);
        assertTrue(r.output().trim().endsWith("01 00 00 00"), r::toString);
    }

    @ParameterizedTest(name = "ipmipower -D LAN_2_0 -I {0} against 4 BMCs at once")
    @ValueSource(ints = {3, 17})
    void ipmipowerSeveralBmcs(int suite) {
        String tool = TestServices.requireTool("ipmipower");
        List<SimulatedBmc> targets = fleet.bmcs().subList(1, 5);
        for (SimulatedBmc b : targets) {
            await(b.power(PowerState.OFF));
        }
        String hosts = targets.stream().map(SimulatedBmc::hostAndPort).collect(Collectors.joining(","));
        List<String> base = new ArrayList<>(List.of(
                tool, "-D", "LAN_2_0", "-I", String.valueOf(suite), "-h", hosts, "-u", "admin", "-p", "password"));

        SimTestSupport.ProcResult r = run(T, with(base, "--stat"));
        assertEquals(0, r.exit(), r::toString);
        assertEquals(4, count(r.output(), ": off"), r::toString);

        r = run(T, with(base, "--on"));
        assertEquals(0, r.exit(), r::toString);
        assertEquals(4, count(r.output(), ": ok"), r::toString);
        targets.forEach(b -> assertEquals(PowerState.ON, b.power(), b::toString));

        r = run(T, with(base, "--stat"));
        assertEquals(4, count(r.output(), ": on"), r::toString);

        r = run(T, with(base, "--off"));
        assertEquals(4, count(r.output(), ": ok"), r::toString);
        targets.forEach(b -> assertEquals(PowerState.OFF, b.power(), b::toString));
        targets.forEach(b -> assertEquals(0, b.counters().internalErrors()));
    }

    private static List<String> with(List<String> base, String arg) {
        List<String> l = new ArrayList<>(base);
        l.add(arg);
        return l;
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
