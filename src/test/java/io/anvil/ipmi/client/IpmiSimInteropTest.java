package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.ipmi.codec.command.GetDeviceId;
import io.anvil.ipmi.codec.command.GetSelInfo;
import io.anvil.ipmi.codec.command.GetSensorReading;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client against OpenIPMI's ipmi_sim, every session flavour ipmi_sim speaks: IPMI v1.5 with auth
 * none/straight/MD2/MD5, RMCP+ suites 1, 2, 3 and the default 17-then-3 (ipmi_sim lacks SHA-256, so 17 is
 * refused with status 0x04 and 3 is used).
 */
@ExtendWith(VertxExtension.class)
class IpmiSimInteropTest {

    private static IpmiSim sim;

    @BeforeAll
    static void startSim() throws Exception {
        sim = IpmiSim.start();
    }

    @AfterAll
    static void stopSim() throws Exception {
        if (sim != null) {
            sim.close();
        }
    }

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of("v1.5 none", (UnaryOperator<BmcTarget>) t -> t.v15(AuthType.NONE)),
                Arguments.of("v1.5 straight", (UnaryOperator<BmcTarget>) t -> t.v15(AuthType.STRAIGHT_PASSWORD)),
                Arguments.of("v1.5 MD2", (UnaryOperator<BmcTarget>) t -> t.v15(AuthType.MD2)),
                Arguments.of("v1.5 MD5", (UnaryOperator<BmcTarget>) t -> t.v15(AuthType.MD5)),
                Arguments.of("v2.0 suite 1", (UnaryOperator<BmcTarget>) t -> t.withCipherSuite(1)),
                Arguments.of("v2.0 suite 2", (UnaryOperator<BmcTarget>) t -> t.withCipherSuite(2)),
                Arguments.of("v2.0 suite 3", (UnaryOperator<BmcTarget>) t -> t.withCipherSuite(3)),
                Arguments.of("v2.0 default (17 then 3)", (UnaryOperator<BmcTarget>) t -> t));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configurations")
    void everyCommandOverOneReusedSession(String name, UnaryOperator<BmcTarget> config, Vertx vertx) throws Exception {
        BmcTarget bmc = config.apply(sim.admin());
        IpmiClient client = Await.result(IpmiClient.create(vertx, new IpmiClientOptions()));
        try {
            GetDeviceId.Response id = Await.result(client.getDeviceId(bmc));
            assertEquals(0x1291, id.manufacturerId());
            assertEquals(0x0F02, id.productId());
            assertEquals("9.08", id.firmwareRevision());
            assertEquals("2.0", id.ipmiVersionString());

            Await.result(client.chassisControl(bmc, ChassisControl.Action.POWER_UP));
            assertTrue(Await.result(client.getChassisStatus(bmc)).powerOn(), "power on");
            Await.result(client.chassisControl(bmc, ChassisControl.Action.POWER_DOWN));
            assertFalse(Await.result(client.getChassisStatus(bmc)).powerOn(), "power off");
            List<String> events = sim.events();
            assertTrue(events.contains("set power 1") && events.contains("set power 0"), events.toString());

            BootFlags pxe = Await.result(client.setBootDevice(bmc, BootDevice.PXE, true, true));
            assertEquals(BootDevice.PXE, pxe.device().orElseThrow());
            assertEquals(
                    BootDevice.PXE,
                    Await.result(client.getBootDevice(bmc)).device().orElseThrow());
            assertTrue(sim.events().contains("set boot pxe"));
            BootFlags disk = Await.result(client.setBootDevice(bmc, BootDevice.DISK, false, false));
            assertEquals(BootDevice.DISK, disk.device().orElseThrow());
            assertEquals(
                    BootDevice.DISK,
                    Await.result(client.getBootDevice(bmc)).device().orElseThrow());

            GetSelInfo.Response sel = Await.result(client.getSelInfo(bmc));
            assertEquals(0x51, sel.version());
            GetSensorReading.Response temp = Await.result(client.getSensorReading(bmc, 1));
            assertEquals(0x60, temp.reading());

            ClientStats stats = client.stats();
            assertEquals(1, stats.sessionsOpened(), "one session for every command: " + stats);
            assertEquals(1, stats.sessionsOpen());
            assertEquals(0, stats.timeouts());
        } finally {
            Await.result(client.close());
        }
        ClientStats after = client.stats();
        assertEquals(1, after.sessionsClosed(), "session closed on shutdown: " + after);
        assertEquals(0, after.sessionsOpen());
    }

    /** Get Session Info (App 0x3D, index 0 = this session): byte 3 = active sessions on the channel. */
    private static int activeSessions(IpmiClient observer, BmcTarget bmc) {
        IpmiResponse r = Await.result(observer.raw(bmc, 0x06, 0x3D, new byte[] {0x00}));
        assertEquals(0, r.completionCode(), r.completionCodeDescription());
        return r.data()[2] & 0x3F;
    }

    /**
     * What the vendor passthru's send_raw sends (docs/ipmi.md#raw-commands): a raw Get Device ID answered by OpenIPMI
     * exactly as the typed command decodes it, and an unknown command's completion code answered, not raised.
     */
    @Test
    void rawRequestsRoundTripThroughIpmiSim(Vertx vertx) throws Exception {
        IpmiClient client = Await.result(IpmiClient.create(vertx, new IpmiClientOptions()));
        try {
            BmcTarget bmc = sim.admin().withCipherSuite(3);
            IpmiResponse raw = Await.result(client.raw(bmc, 0x06, 0x01, new byte[0]));
            assertEquals(0x00, raw.completionCode(), raw.completionCodeDescription());
            assertEquals(Await.result(client.getDeviceId(bmc)), GetDeviceId.Response.decode(raw.data()));
            IpmiResponse unknown = Await.result(client.raw(bmc, 0x06, 0x7F, new byte[0]));
            assertTrue(unknown.completionCode() != 0x00, "an unknown command is refused with a completion code");
            assertEquals(1, client.stats().sessionsOpened(), "raw requests reuse the node's session");
        } finally {
            Await.result(client.close());
        }
    }

    @Test
    void closeOnShutdownFreesTheBmcSession(Vertx vertx) {
        BmcTarget bmc = sim.admin().withCipherSuite(3);
        IpmiClient observer = Await.result(IpmiClient.create(vertx, new IpmiClientOptions()));
        IpmiClient client = Await.result(IpmiClient.create(vertx, new IpmiClientOptions()));
        try {
            Await.result(client.getChassisStatus(bmc));
            Await.result(client.getChassisStatus(bmc.v15(AuthType.MD5)));
            int withClient = activeSessions(observer, bmc);
            Await.result(client.close());
            assertEquals(2, client.stats().sessionsClosed());
            assertEquals(withClient - 2, activeSessions(observer, bmc), "both sessions closed at the BMC");
        } finally {
            Await.result(observer.close());
        }
    }

    @Test
    void futuresCompleteOnTheCallersContext(Vertx vertx) {
        IpmiClient client = Await.result(IpmiClient.create(vertx, new IpmiClientOptions()));
        try {
            Context caller = vertx.getOrCreateContext();
            Promise<Context> seen = Promise.promise();
            caller.runOnContext(v -> client.getDeviceId(sim.admin().withCipherSuite(3))
                    .onComplete(ar -> seen.complete(Vertx.currentContext())));
            Context completedOn = Await.result(seen.future());
            assertSame(caller, completedOn);
            assertTrue(completedOn.isEventLoopContext());
        } finally {
            Await.result(client.close());
        }
    }

    @Test
    void sessionIsKeptAliveWhileIdle(Vertx vertx) {
        IpmiClientOptions options = new IpmiClientOptions().setKeepaliveInterval(java.time.Duration.ofMillis(300));
        IpmiClient client = Await.result(IpmiClient.create(vertx, options));
        try {
            BmcTarget bmc = sim.admin().withCipherSuite(3);
            Await.result(client.getChassisStatus(bmc));
            Await.result(vertx.timer(1_500));
            ClientStats stats = client.stats();
            assertTrue(stats.keepalives() >= 2, "keepalives sent while idle: " + stats);
            Await.result(client.getChassisStatus(bmc));
            assertEquals(1, client.stats().sessionsOpened(), "the kept-alive session was reused");
        } finally {
            Await.result(client.close());
        }
    }

    @Test
    void idleSessionIsClosedAndReopenedLazily(Vertx vertx) {
        IpmiClientOptions options = new IpmiClientOptions().setSessionIdleClose(java.time.Duration.ofMillis(300));
        IpmiClient client = Await.result(IpmiClient.create(vertx, options));
        try {
            BmcTarget bmc = sim.admin().withCipherSuite(3);
            Await.result(client.getChassisStatus(bmc));
            Await.result(vertx.timer(1_000));
            assertEquals(1, client.stats().sessionsClosed(), "idle session closed: " + client.stats());
            Await.result(client.getChassisStatus(bmc));
            assertEquals(2, client.stats().sessionsOpened());
        } finally {
            Await.result(client.close());
        }
    }

    @Test
    void everyChassisControlActionReachesTheHook(Vertx vertx) throws Exception {
        IpmiClient client = Await.result(IpmiClient.create(vertx, new IpmiClientOptions().setChannels(3)));
        try {
            BmcTarget bmc = sim.admin().withCipherSuite(3);
            Await.result(client.chassisControl(bmc, ChassisControl.Action.POWER_UP));
            Await.result(client.chassisControl(bmc, ChassisControl.Action.HARD_RESET));
            assertTrue(sim.events().contains("set reset 1"), sim.events().toString());
            Await.result(client.chassisControl(bmc, ChassisControl.Action.POWER_CYCLE));
            assertTrue(sim.events().contains("set power 0"), sim.events().toString());
            Await.result(client.chassisControl(bmc, ChassisControl.Action.SOFT_SHUTDOWN));
            assertTrue(sim.events().contains("set shutdown 1"), sim.events().toString());
            assertFalse(Await.result(client.getChassisStatus(bmc)).powerOn(), "soft off recorded power 0");
            // ipmi_sim has no NMI: whatever it answers must be a named completion code, not a hang
            client.chassisControl(bmc, ChassisControl.Action.DIAGNOSTIC_INTERRUPT)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .handle((v, e) -> {
                        assertTrue(
                                e == null
                                        || e.getCause() instanceof CompletionCodeException
                                        || e instanceof CompletionCodeException,
                                String.valueOf(e));
                        return null;
                    })
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(1, client.stats().sessionsOpened());
        } finally {
            Await.result(client.close());
        }
    }
}
