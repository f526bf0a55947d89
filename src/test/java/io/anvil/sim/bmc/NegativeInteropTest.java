package io.anvil.sim.bmc;

import static io.anvil.sim.bmc.SimTestSupport.await;
import static io.anvil.sim.bmc.SimTestSupport.ipmitoolLanplus;
import static io.anvil.sim.bmc.SimTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Wrong password, unknown user, insufficient privilege, session exhaustion — with ipmitool as the client. */
class NegativeInteropTest {

    private static final Duration T = Duration.ofSeconds(60);
    private static Vertx vertx;
    private static SimulatedFleet fleet;
    private static String ipmitool;

    @BeforeAll
    static void start() {
        ipmitool = TestServices.requireTool("ipmitool");
        vertx = Vertx.vertx();
        fleet = await(SimulatedFleet.start(
                vertx, new FleetOptions().count(5).maxSessions(3).handshakeTimeout(Duration.ofMillis(300))));
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            await(fleet.close());
        }
        if (vertx != null) {
            await(vertx.close());
        }
    }

    @Test
    void wrongPassword() {
        SimulatedBmc bmc = fleet.bmc(0);
        for (int suite : new int[] {3, 17}) {
            long before = bmc.counters().handshakesAbandoned();
            SimTestSupport.ProcResult r =
                    run(T, ipmitoolLanplus(ipmitool, bmc, suite, "admin", "wrong", "-v", "power", "status"));
            assertNotEquals(0, r.exit(), r::toString);
            assertTrue(r.output().contains("RAKP 2 HMAC is invalid"), r::toString);
            // ipmitool gives up silently after RAKP2: the BMC sees the handshake abandoned (slot reclaimed)
            await(bmc.when(c -> c.handshakesAbandoned() == before + 1));
        }
        assertEquals(0, bmc.activeSessions());
        assertEquals(0, bmc.sessionSlotsInUse(), "the failed handshake's slot is freed");
    }

    @Test
    void unknownUser() {
        SimulatedBmc bmc = fleet.bmc(1);
        SimTestSupport.ProcResult r =
                run(T, ipmitoolLanplus(ipmitool, bmc, 17, "nobody", "password", "-v", "power", "status"));
        assertNotEquals(0, r.exit(), r::toString);
        assertTrue(r.output().contains("RAKP 2 message indicates an error : unauthorized name"), r::toString);
        assertEquals(1, bmc.counters().unknownUsers());
        assertEquals(0, bmc.sessionSlotsInUse());
    }

    @Test
    void userLevelSessionCannotPowerOn() {
        SimulatedBmc bmc = fleet.bmc(2);
        await(bmc.power(PowerState.OFF));
        List<String> cmd = ipmitoolLanplus(ipmitool, bmc, 3, "user", "userpass", "-L", "USER", "power", "on");
        SimTestSupport.ProcResult r = run(T, cmd);
        assertNotEquals(0, r.exit(), r::toString);
        assertTrue(r.output().contains("Insufficient privilege level"), r::toString);
        assertEquals(PowerState.OFF, bmc.power());
        assertTrue(bmc.counters().privilegeDenied() >= 1, bmc.counters()::toString);
        // reading is allowed at USER level
        r = run(T, ipmitoolLanplus(ipmitool, bmc, 3, "user", "userpass", "-L", "USER", "power", "status"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.output().contains("Chassis Power is off"), r::toString);
        // asking RAKP1 for ADMINISTRATOR with a USER account is refused in RAKP2
        r = run(T, ipmitoolLanplus(ipmitool, bmc, 3, "user", "userpass", "-v", "power", "status"));
        assertNotEquals(0, r.exit(), r::toString);
        assertTrue(r.output().contains("RAKP 2 message indicates an error : unauthorized role"), r::toString);
    }

    @Test
    void userLevelSessionGetsD4FromChassisControl() throws Exception {
        SimulatedBmc bmc = fleet.bmc(2);
        try (TestConsole c = new TestConsole(bmc)) {
            assertEquals(0, c.open(CipherSuite.SUITE_17, "user", "userpass", Privilege.USER));
            assertEquals(
                    0xD4,
                    c.command(new ChassisControl.Request(ChassisControl.Action.POWER_UP))
                            .completionCode());
            assertEquals(0x81, c.raise(Privilege.OPERATOR).completionCode(), "USER account cannot raise to OPERATOR");
            assertEquals(0, c.closeSession().completionCode());
        }
    }

    @Test
    void sessionExhaustion() throws Exception {
        SimulatedBmc bmc = fleet.bmc(3);
        List<TestConsole> leaked = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                TestConsole c = new TestConsole(bmc);
                leaked.add(c);
                assertEquals(0, c.open(CipherSuite.SUITE_3, "admin", "password", Privilege.ADMINISTRATOR));
            }
            assertEquals(3, bmc.activeSessions());
            SimTestSupport.ProcResult r =
                    run(T, ipmitoolLanplus(ipmitool, bmc, 17, "admin", "password", "power", "status"));
            assertNotEquals(0, r.exit(), r::toString);
            assertTrue(r.output().contains("insufficient resources for session"), r::toString);
            assertTrue(bmc.counters().sessionsRefused() >= 1);
            try (TestConsole extra = new TestConsole(bmc)) {
                assertEquals(
                        RmcpPlusStatus.INSUFFICIENT_RESOURCES,
                        extra.open(CipherSuite.SUITE_17, "admin", "password", Privilege.ADMINISTRATOR));
            }
            // closing one frees a slot
            assertEquals(0, leaked.get(0).closeSession().completionCode());
            assertEquals(2, bmc.activeSessions());
            r = run(T, ipmitoolLanplus(ipmitool, bmc, 17, "admin", "password", "power", "status"));
            assertEquals(0, r.exit(), r::toString);
        } finally {
            leaked.forEach(TestConsole::close);
            await(bmc.closeAllSessions());
        }
    }

    @Test
    void bmcGoneAndBack() {
        SimulatedBmc bmc = fleet.bmc(4);
        bmc.faults(BmcFaults.NONE.withSilent(true));
        List<String> cmd = new ArrayList<>(List.of(
                ipmitool,
                "-I",
                "lanplus",
                "-C",
                "17",
                "-H",
                bmc.host(),
                "-p",
                String.valueOf(bmc.port()),
                "-U",
                "admin",
                "-P",
                "password",
                "-N",
                "1",
                "-R",
                "1",
                "power",
                "status"));
        SimTestSupport.ProcResult r = run(T, cmd);
        assertNotEquals(0, r.exit(), r::toString);
        assertTrue(bmc.counters().droppedByFault() >= 1);
        bmc.faults(BmcFaults.NONE);
        r = run(T, cmd);
        assertEquals(0, r.exit(), r::toString);
    }
}
