package io.anvil.sim.bmc;

import static io.anvil.sim.bmc.SimTestSupport.await;
import static io.anvil.sim.bmc.SimTestSupport.ipmitoolLan;
import static io.anvil.sim.bmc.SimTestSupport.ipmitoolLanplus;
import static io.anvil.sim.bmc.SimTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.testsupport.TestServices;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ipmitool (lanplus suites 3 and 17, lan v1.5 MD5) against simulated BMCs; asserts output and BMC state. */
class IpmitoolInteropTest {

    private static final Duration T = Duration.ofSeconds(30);
    private static SimTestSupport.SimFleet fleet;
    private static String ipmitool;

    @BeforeAll
    static void start() {
        ipmitool = TestServices.requireTool("ipmitool");
        fleet = SimTestSupport.SimFleet.start(5);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private static SimTestSupport.ProcResult lanplus(SimulatedBmc bmc, int suite, String... args) {
        SimTestSupport.ProcResult r = run(T, ipmitoolLanplus(ipmitool, bmc, suite, "admin", "password", args));
        assertEquals(0, r.exit(), r::toString);
        return r;
    }

    @ParameterizedTest(name = "lanplus -C {0}: power status/on/off/cycle")
    @ValueSource(ints = {3, 17})
    void lanplusPower(int suite) {
        SimulatedBmc bmc = fleet.bmc(suite == 3 ? 0 : 1);
        await(bmc.power(PowerState.OFF));
        assertTrue(lanplus(bmc, suite, "power", "status").output().contains("Chassis Power is off"));
        assertTrue(lanplus(bmc, suite, "power", "on").output().contains("Chassis Power Control: Up/On"));
        assertEquals(PowerState.ON, bmc.power());
        assertTrue(lanplus(bmc, suite, "power", "status").output().contains("Chassis Power is on"));
        long boots = bmc.counters().boots();
        assertTrue(lanplus(bmc, suite, "power", "cycle").output().contains("Chassis Power Control: Cycle"));
        assertEquals(PowerState.ON, bmc.power());
        assertEquals(boots + 1, bmc.counters().boots(), "a power cycle boots the system once");
        assertTrue(lanplus(bmc, suite, "power", "off").output().contains("Chassis Power Control: Down/Off"));
        assertEquals(PowerState.OFF, bmc.power());
        assertTrue(lanplus(bmc, suite, "power", "status").output().contains("Chassis Power is off"));
        assertEquals(0, bmc.activeSessions(), "ipmitool closes its sessions");
        assertEquals(0, bmc.counters().internalErrors());
        BmcCounters c = bmc.counters();
        assertEquals(c.sessionsOpened(), c.sessionsClosed(), c::toString);
        assertTrue(c.sessionsOpened() >= 6, c::toString); // one session per ipmitool run
    }

    @ParameterizedTest(name = "lanplus -C {0}: bootdev + bootparam get 5")
    @ValueSource(ints = {3, 17})
    void lanplusBootdev(int suite) {
        SimulatedBmc bmc = fleet.bmc(2);
        await(bmc.power(PowerState.OFF));

        assertTrue(lanplus(bmc, suite, "chassis", "bootdev", "pxe").output().contains("Set Boot Device to pxe"));
        assertEquals(BootDevice.PXE, bmc.bootDevice());
        assertTrue(bmc.bootFlagsValid());
        assertFalse(bmc.bootPersistent());
        assertFalse(bmc.bootEfi());
        String get5 = lanplus(bmc, suite, "chassis", "bootparam", "get", "5").output();
        assertTrue(get5.contains("Force PXE"), get5);
        assertTrue(get5.contains("Options apply to only next boot"), get5);

        lanplus(bmc, suite, "chassis", "bootdev", "disk", "options=persistent");
        assertEquals(BootDevice.DISK, bmc.bootDevice());
        assertTrue(bmc.bootPersistent());
        assertFalse(bmc.bootEfi());
        get5 = lanplus(bmc, suite, "chassis", "bootparam", "get", "5").output();
        assertTrue(get5.contains("Force Boot from default Hard-Drive"), get5);
        assertTrue(get5.contains("Options apply to all future boots"), get5);

        lanplus(bmc, suite, "chassis", "bootdev", "bios", "options=efiboot");
        assertEquals(BootDevice.BIOS_SETUP, bmc.bootDevice());
        assertTrue(bmc.bootEfi());
        assertFalse(bmc.bootPersistent());
        get5 = lanplus(bmc, suite, "chassis", "bootparam", "get", "5").output();
        assertTrue(get5.contains("Force Boot into BIOS Setup"), get5);
        assertTrue(get5.contains("BIOS EFI boot"), get5);
        assertEquals(0, bmc.bootOptionsSetInProgress(), "ipmitool leaves parameter 0 at 'set complete'");

        // one-time flags are consumed by the next boot
        lanplus(bmc, suite, "power", "on");
        assertEquals(
                BootDevice.BIOS_SETUP, bmc.lastBoot().orElseThrow().device().orElseThrow());
        assertFalse(bmc.bootFlagsValid(), "one-time boot flags clear after the boot");
        lanplus(bmc, suite, "power", "off");
    }

    @ParameterizedTest(name = "lanplus -C {0}: mc info")
    @ValueSource(ints = {3, 17})
    void lanplusMcInfo(int suite) {
        String out = lanplus(fleet.bmc(3), suite, "mc", "info").output();
        assertTrue(out.contains("Device ID                 : 32"), out);
        assertTrue(out.contains("IPMI Version              : 2.0"), out);
        assertTrue(out.contains("Firmware Revision         : 1.00"), out);
    }

    /**
     * The commands Ironic's ipmitool driver sends for inject_nmi ({@code power diag}), send_raw ({@code raw}) and
     * bmc_reset ({@code mc reset}): what Anvil's IPMI client sends for the same API calls.
     */
    @Test
    void lanplusDiagRawAndMcReset() {
        SimulatedBmc bmc = fleet.bmc(4);
        await(bmc.power(PowerState.ON));
        long nmis = bmc.counters().diagnosticInterrupts();
        assertTrue(lanplus(bmc, 17, "chassis", "power", "diag").output().contains("Chassis Power Control: Diag"));
        assertEquals(nmis + 1, bmc.counters().diagnosticInterrupts());
        assertEquals(PowerState.ON, bmc.power(), "an NMI leaves the power alone");
        String raw = lanplus(bmc, 17, "raw", "0x06", "0x01").output();
        assertTrue(raw.trim().startsWith("20 01 01 00 02 85"), raw);
        long resets = bmc.counters().bmcResets();
        assertTrue(lanplus(bmc, 17, "mc", "reset", "warm").output().contains("Sent warm reset command to MC"));
        assertTrue(lanplus(bmc, 3, "mc", "reset", "cold").output().contains("Sent cold reset command to MC"));
        assertEquals(resets + 2, bmc.counters().bmcResets());
        lanplus(bmc, 17, "power", "off");
    }

    @Test
    void lanplusResetSoftAndAutoSuite() {
        SimulatedBmc bmc = fleet.bmc(3);
        await(bmc.power(PowerState.ON));
        long boots = bmc.counters().boots();
        assertTrue(lanplus(bmc, 17, "power", "reset").output().contains("Chassis Power Control: Reset"));
        assertEquals(boots + 1, bmc.counters().boots());
        assertTrue(lanplus(bmc, 3, "power", "soft").output().contains("Chassis Power Control: Soft"));
        assertEquals(PowerState.OFF, bmc.power());
        // without -C ipmitool asks Get Channel Cipher Suites (pre-session, RMCP+ framing) and picks 17
        java.util.List<String> cmd = new java.util.ArrayList<>(
                ipmitoolLanplus(ipmitool, bmc, 17, "admin", "password", "channel", "getciphers", "ipmi"));
        cmd.subList(3, 5).clear(); // drop "-C 17"
        SimTestSupport.ProcResult r = run(T, cmd);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.output().contains("17   N/A     hmac_sha256     sha256_128      aes_cbc_128"), r::toString);
        assertTrue(r.output().contains("3    N/A     hmac_sha1       hmac_sha1_96    aes_cbc_128"), r::toString);
    }

    @Test
    void lanV15Md5() {
        SimulatedBmc bmc = fleet.bmc(3);
        await(bmc.power(PowerState.OFF));
        SimTestSupport.ProcResult r = run(T, ipmitoolLan(ipmitool, bmc, "MD5", "admin", "password", "power", "status"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.output().contains("Chassis Power is off"), r::toString);
        r = run(T, ipmitoolLan(ipmitool, bmc, "MD5", "admin", "password", "power", "on"));
        assertTrue(r.output().contains("Chassis Power Control: Up/On"), r::toString);
        assertEquals(PowerState.ON, bmc.power());
        r = run(T, ipmitoolLan(ipmitool, bmc, "MD5", "admin", "password", "power", "status"));
        assertTrue(r.output().contains("Chassis Power is on"), r::toString);
        r = run(T, ipmitoolLan(ipmitool, bmc, "MD5", "admin", "password", "power", "off"));
        assertTrue(r.output().contains("Chassis Power Control: Down/Off"), r::toString);
        assertEquals(PowerState.OFF, bmc.power());
        r = run(T, ipmitoolLan(ipmitool, bmc, "MD5", "admin", "password", "mc", "info"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.output().contains("IPMI Version              : 2.0"), r::toString);
        assertEquals(0, bmc.activeSessions(), "ipmitool -I lan closes its session");
        assertEquals(0, bmc.counters().internalErrors());
    }
}
