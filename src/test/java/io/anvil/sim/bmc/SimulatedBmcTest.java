package io.anvil.sim.bmc;

import static io.anvil.sim.bmc.SimTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.V20SessionPacket;
import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.ipmi.codec.command.GetChannelAuthCapabilities;
import io.anvil.ipmi.codec.command.GetChassisStatus;
import io.anvil.ipmi.codec.command.GetDeviceId;
import io.anvil.ipmi.codec.command.GetSystemBootOptions;
import io.anvil.ipmi.codec.command.SetSystemBootOptions;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Simulator behaviour driven by the minimal in-test console: suites, chassis model, timeouts, faults. */
class SimulatedBmcTest {

    private Vertx vertx;
    private SimulatedFleet fleet;
    private final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            await(fleet.close());
        }
        await(vertx.close());
    }

    private SimulatedBmc start(FleetOptions options) {
        fleet = await(SimulatedFleet.start(vertx, options.eventListener((b, e) -> events.add(b.index() + " " + e))));
        return fleet.bmc(0);
    }

    private static TestConsole admin(SimulatedBmc bmc, CipherSuite suite) throws Exception {
        TestConsole c = new TestConsole(bmc);
        assertEquals(0, c.open(suite, "admin", "password", Privilege.ADMINISTRATOR));
        assertEquals(0, c.raise(Privilege.ADMINISTRATOR).completionCode());
        return c;
    }

    @Test
    void everySuiteWorksEndToEnd() throws Exception {
        SimulatedBmc bmc = start(new FleetOptions().cipherSuites(0, 1, 2, 3, 17));
        for (CipherSuite suite : CipherSuite.SUPPORTED) {
            try (TestConsole c = admin(bmc, suite)) {
                IpmiResponse r = c.command(GetDeviceId.REQUEST);
                assertEquals(0, r.completionCode(), "suite " + suite.id());
                assertEquals(0x20, GetDeviceId.Response.decode(r.data()).deviceId());
                assertEquals(0, c.closeSession().completionCode());
            }
        }
        assertEquals(5, bmc.counters().sessionsClosed());
        try (TestConsole c = new TestConsole(bmc)) {
            assertEquals(
                    0,
                    c.open(CipherSuite.SUITE_0, "admin", "anything", Privilege.ADMINISTRATOR),
                    "suite 0 authenticates nothing, as on real BMCs");
        }
    }

    @Test
    void suiteNotOfferedIsRefused() throws Exception {
        SimulatedBmc bmc = start(new FleetOptions().cipherSuites(3));
        try (TestConsole c = new TestConsole(bmc)) {
            assertEquals(
                    RmcpPlusStatus.INVALID_AUTHENTICATION_ALGORITHM,
                    c.open(CipherSuite.SUITE_17, "admin", "password", Privilege.ADMINISTRATOR));
            assertEquals(
                    RmcpPlusStatus.INVALID_INTEGRITY_ALGORITHM,
                    c.open(CipherSuite.SUITE_1, "admin", "password", Privilege.ADMINISTRATOR));
            GetChannelAuthCapabilities.Response caps = GetChannelAuthCapabilities.Response.decode(
                    c.authCapabilities().data());
            assertTrue(caps.supportsIpmi20());
            assertTrue(caps.supportsIpmi15());
        }
    }

    @Test
    void delayedPowerTransitionsAndWhenPower() throws Exception {
        SimulatedBmc bmc =
                start(new FleetOptions().powerOnDelay(Duration.ofMillis(200)).powerOffDelay(Duration.ofMillis(100)));
        try (TestConsole c = admin(bmc, CipherSuite.SUITE_17)) {
            assertEquals(
                    0,
                    c.command(new ChassisControl.Request(ChassisControl.Action.POWER_UP))
                            .completionCode());
            assertEquals(PowerState.OFF, bmc.power(), "power-on is delayed");
            assertTrue(bmc.powerTransitionPending());
            assertFalse(GetChassisStatus.Response.decode(
                            c.command(GetChassisStatus.REQUEST).data())
                    .powerOn());
            await(bmc.whenPower(PowerState.ON));
            assertTrue(GetChassisStatus.Response.decode(
                            c.command(GetChassisStatus.REQUEST).data())
                    .powerOn());
            assertEquals(
                    0,
                    c.command(new ChassisControl.Request(ChassisControl.Action.POWER_CYCLE))
                            .completionCode());
            await(bmc.whenPower(PowerState.OFF));
            await(bmc.whenPower(PowerState.ON));
            assertEquals(2, bmc.counters().boots());
            assertEquals(1, bmc.counters().powerOffs());
        }
    }

    @Test
    void softOffTakesTimeAndCanBeIgnored() throws Exception {
        SimulatedBmc bmc = start(new FleetOptions().initialPower(PowerState.ON).softOffDelay(Duration.ofMillis(150)));
        try (TestConsole c = admin(bmc, CipherSuite.SUITE_3)) {
            bmc.faults(BmcFaults.NONE.withIgnoreSoftOff(true));
            assertEquals(
                    0,
                    c.command(new ChassisControl.Request(ChassisControl.Action.SOFT_SHUTDOWN))
                            .completionCode());
            assertFalse(bmc.powerTransitionPending());
            assertEquals(PowerState.ON, bmc.power());
            bmc.faults(BmcFaults.NONE);
            assertEquals(
                    0,
                    c.command(new ChassisControl.Request(ChassisControl.Action.SOFT_SHUTDOWN))
                            .completionCode());
            assertEquals(PowerState.ON, bmc.power(), "the OS needs its time");
            await(bmc.whenPower(PowerState.OFF));
            assertEquals(
                    0xD5,
                    c.command(new ChassisControl.Request(ChassisControl.Action.POWER_CYCLE))
                            .completionCode(),
                    "power cycle needs the power on");
            assertEquals(
                    0xD5,
                    c.command(new ChassisControl.Request(ChassisControl.Action.DIAGNOSTIC_INTERRUPT))
                            .completionCode());
        }
    }

    @Test
    void bootOptionsAreStoredReadBackAndConsumed() throws Exception {
        SimulatedBmc bmc = start(new FleetOptions());
        try (TestConsole c = admin(bmc, CipherSuite.SUITE_17)) {
            assertEquals(
                    0, c.command(SetSystemBootOptions.Request.setInProgress(1)).completionCode());
            assertEquals(
                    0x81,
                    c.command(SetSystemBootOptions.Request.setInProgress(1)).completionCode(),
                    "set in progress twice");
            assertEquals(
                    0,
                    c.command(SetSystemBootOptions.Request.validBitClearing(0x04))
                            .completionCode());
            assertEquals(
                    0,
                    c.command(SetSystemBootOptions.Request.bootInfoAcknowledge(0x01, 0x01))
                            .completionCode());
            BootFlags persistentPxeEfi = BootFlags.forDevice(BootDevice.PXE, true, true);
            assertEquals(
                    0,
                    c.command(SetSystemBootOptions.Request.bootFlags(persistentPxeEfi))
                            .completionCode());
            assertEquals(
                    0, c.command(SetSystemBootOptions.Request.setInProgress(2)).completionCode());
            assertEquals(
                    0, c.command(SetSystemBootOptions.Request.setInProgress(0)).completionCode());

            IpmiResponse r = c.command(GetSystemBootOptions.Request.of(5));
            assertArrayEquals(
                    new byte[] {(byte) 0xE0, 0x04, 0, 0, 0},
                    GetSystemBootOptions.Response.decode(r.data()).parameterData());
            assertEquals(
                    0x04,
                    GetSystemBootOptions.Response.decode(c.command(GetSystemBootOptions.Request.of(3))
                                    .data())
                            .parameterData()[0]);
            assertEquals(0x80, c.command(GetSystemBootOptions.Request.of(7)).completionCode(), "unsupported param");

            c.command(new ChassisControl.Request(ChassisControl.Action.POWER_UP));
            assertEquals(persistentPxeEfi, bmc.lastBoot().orElseThrow());
            assertEquals(persistentPxeEfi, bmc.bootFlags(), "persistent flags survive the boot");

            c.command(SetSystemBootOptions.Request.bootFlags(BootFlags.forDevice(BootDevice.CDROM, false, false)));
            c.command(new ChassisControl.Request(ChassisControl.Action.HARD_RESET));
            assertEquals(BootDevice.CDROM, bmc.lastBoot().orElseThrow().device().orElseThrow());
            assertFalse(bmc.bootFlagsValid(), "one-time flags are cleared by the boot");
            assertEquals(
                    0,
                    GetSystemBootOptions.Response.decode(c.command(GetSystemBootOptions.Request.of(5))
                                            .data())
                                    .parameterData()[0]
                            & 0x80);
        }
    }

    @Test
    void idleSessionsExpire() throws Exception {
        SimulatedBmc bmc = start(new FleetOptions().idleTimeout(Duration.ofMillis(200)));
        try (TestConsole c = admin(bmc, CipherSuite.SUITE_3)) {
            assertEquals(1, bmc.activeSessions());
            await(bmc.when(k -> k.sessionsExpired() >= 1));
            assertEquals(0, bmc.activeSessions());
            assertThrows(AssertionError.class, () -> c.command(GetDeviceId.REQUEST), "expired session is dead");
        }
    }

    /**
     * The sweep skips a table until its earliest possible expiry: a session kept busy past that instant must be seen
     * as busy when the table is looked at again, while its idle neighbour expires.
     */
    @Test
    void aBusySessionOutlivesItsIdleNeighbour() throws Exception {
        SimulatedBmc bmc = start(new FleetOptions().idleTimeout(Duration.ofSeconds(2)));
        try (TestConsole busy = admin(bmc, CipherSuite.SUITE_3);
                TestConsole idle = admin(bmc, CipherSuite.SUITE_17)) {
            assertEquals(2, bmc.activeSessions());
            int commands = 0;
            while (bmc.counters().sessionsExpired() < 1) {
                assertEquals(0, busy.command(GetDeviceId.REQUEST).completionCode());
                commands++;
            }
            assertEquals(1, bmc.activeSessions(), "only the idle one expired");
            assertEquals(0, busy.command(GetDeviceId.REQUEST).completionCode(), "after " + commands + " commands");
            assertThrows(AssertionError.class, () -> idle.command(GetDeviceId.REQUEST), "the idle one is dead");
        }
    }

    @Test
    void replayedPacketIsRejected() throws Exception {
        SimulatedBmc bmc = start(new FleetOptions());
        try (TestConsole c = admin(bmc, CipherSuite.SUITE_17)) {
            V20SessionPacket p = c.seal(GetDeviceId.REQUEST);
            assertTrue(c.exchange(p) instanceof V20SessionPacket);
            long rejected = bmc.counters().rejected();
            c.send(p);
            await(bmc.when(k -> k.rejected() == rejected + 1));
            assertNull(c.receive(), "no answer to a replay");
        }
    }

    @Test
    void faultKnobs() throws Exception {
        SimulatedBmc bmc = start(new FleetOptions().count(1));
        try (TestConsole c = new TestConsole(bmc)) {
            bmc.faults(BmcFaults.NONE.withOpenSessionStatus(RmcpPlusStatus.INSUFFICIENT_RESOURCES));
            assertEquals(
                    RmcpPlusStatus.INSUFFICIENT_RESOURCES,
                    c.open(CipherSuite.SUITE_17, "admin", "password", Privilege.ADMINISTRATOR));
            bmc.faults(BmcFaults.NONE.withRakp2Status(RmcpPlusStatus.UNAUTHORIZED_NAME));
            assertEquals(
                    RmcpPlusStatus.UNAUTHORIZED_NAME,
                    c.open(CipherSuite.SUITE_17, "admin", "password", Privilege.ADMINISTRATOR));
            bmc.faults(BmcFaults.NONE.withCorruptRakp2(true));
            assertEquals(
                    TestConsole.RAKP2_HMAC_INVALID,
                    c.open(CipherSuite.SUITE_17, "admin", "password", Privilege.ADMINISTRATOR));
            bmc.faults(BmcFaults.NONE.withCorruptRakp4(true));
            assertEquals(
                    TestConsole.RAKP4_ICV_INVALID,
                    c.open(CipherSuite.SUITE_3, "admin", "password", Privilege.ADMINISTRATOR));
            bmc.faults(BmcFaults.NONE);
            assertEquals(
                    RmcpPlusStatus.INVALID_INTEGRITY_CHECK_VALUE,
                    c.open(CipherSuite.SUITE_3, "admin", "wrong", Privilege.ADMINISTRATOR)
                                    == TestConsole.RAKP2_HMAC_INVALID
                            ? RmcpPlusStatus.INVALID_INTEGRITY_CHECK_VALUE
                            : -1,
                    "a console with the wrong password sees our RAKP2 HMAC fail");
            assertEquals(0, c.open(CipherSuite.SUITE_3, "admin", "password", Privilege.ADMINISTRATOR));
            c.raise(Privilege.ADMINISTRATOR);
            bmc.faults(BmcFaults.NONE.withCompletionCode(0xC0));
            assertEquals(0xC0, c.command(GetDeviceId.REQUEST).completionCode());
            bmc.faults(BmcFaults.NONE.withResponseDelay(Duration.ofMillis(100)));
            long t0 = System.nanoTime();
            assertEquals(0, c.command(GetDeviceId.REQUEST).completionCode());
            assertTrue(System.nanoTime() - t0 >= 90_000_000L, "answer delayed");
            bmc.faults(BmcFaults.NONE.withDropRate(1.0));
            assertThrows(AssertionError.class, () -> c.command(GetDeviceId.REQUEST));
            assertNotEquals(0, bmc.counters().droppedByFault());
        }
        assertEquals(0, bmc.counters().internalErrors());
    }

    @Test
    void addressModeGivesEachBmcItsOwnLoopbackAddress() throws Exception {
        start(new FleetOptions().count(3).host("127.0.0.2").addressMode(FleetOptions.AddressMode.ADDRESSES));
        assertEquals("127.0.0.2", fleet.bmc(0).host());
        assertEquals("127.0.0.4", fleet.bmc(2).host());
        try (TestConsole c = new TestConsole(fleet.bmc(2))) {
            assertEquals(0, c.authCapabilities().completionCode());
        }
        assertEquals(1, fleet.bmc(2).counters().received());
        assertEquals(0, fleet.bmc(1).counters().received());
    }

    @Test
    void refusesBadOptions() {
        assertTrue(SimulatedFleet.start(vertx, new FleetOptions().count(0)).failed());
        assertTrue(
                SimulatedFleet.start(vertx, new FleetOptions().cipherSuites(5)).failed());
    }
}
