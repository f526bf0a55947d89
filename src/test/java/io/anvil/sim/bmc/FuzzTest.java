package io.anvil.sim.bmc;

import static io.anvil.sim.bmc.SimTestSupport.await;
import static io.anvil.sim.bmc.SimTestSupport.ipmitoolLan;
import static io.anvil.sim.bmc.SimTestSupport.ipmitoolLanplus;
import static io.anvil.sim.bmc.SimTestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.anvil.ipmi.codec.AsfPresencePing;
import io.anvil.ipmi.codec.AsfPresencePong;
import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.RmcpMessage;
import io.anvil.ipmi.codec.RmcpWire;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.V20SessionPacket;
import io.anvil.ipmi.codec.command.ActivateSession;
import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.ipmi.codec.command.CloseSession;
import io.anvil.ipmi.codec.command.GetChannelAuthCapabilities;
import io.anvil.ipmi.codec.command.GetChannelCipherSuites;
import io.anvil.ipmi.codec.command.GetChassisStatus;
import io.anvil.ipmi.codec.command.GetDeviceId;
import io.anvil.ipmi.codec.command.GetSessionChallenge;
import io.anvil.ipmi.codec.command.GetSystemBootOptions;
import io.anvil.ipmi.codec.command.SetSessionPrivilegeLevel;
import io.anvil.ipmi.codec.command.SetSystemBootOptions;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionRequest;
import io.anvil.ipmi.codec.rmcpplus.Rakp1;
import io.anvil.ipmi.codec.rmcpplus.Rakp3;
import io.anvil.testsupport.TestServices;
import io.vertx.core.Vertx;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * ~10,000 random and mutated datagrams at one simulated BMC over real UDP: nothing escapes, no buffer
 * leaks (paranoid leak detection, reports captured from the log), the session table stays bounded, and the
 * BMC still answers ipmitool (RMCP+ and v1.5) afterwards.
 */
class FuzzTest {

    private static final int DATAGRAMS = 10_000;
    private static Vertx vertx;
    private static SimulatedFleet fleet;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        fleet = await(SimulatedFleet.start(
                vertx,
                new FleetOptions()
                        .count(1)
                        .maxSessions(4)
                        .v15AuthTypes(java.util.EnumSet.of(
                                AuthType.NONE, AuthType.MD2, AuthType.MD5, AuthType.STRAIGHT_PASSWORD))
                        .cipherSuites(0, 1, 2, 3, 17)));
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
    void randomAndMutatedDatagrams() throws Exception {
        SimulatedBmc bmc = fleet.bmc(0);
        Logger leakLogger = (Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector");
        ListAppender<ILoggingEvent> leaks = new ListAppender<>();
        leaks.start();
        leakLogger.addAppender(leaks);
        Random random = new Random(42);
        try (TestConsole session17 = new TestConsole(bmc);
                TestConsole session3 = new TestConsole(bmc);
                TestConsole sync = new TestConsole(bmc);
                DatagramSocket fuzz = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            assertEquals(0, session17.open(CipherSuite.SUITE_17, "admin", "password", Privilege.ADMINISTRATOR));
            assertEquals(0, session3.open(CipherSuite.SUITE_3, "admin", "password", Privilege.ADMINISTRATOR));
            List<byte[]> templates = templates(session17, session3, random);

            for (int i = 0; i < DATAGRAMS; i++) {
                byte[] d = random.nextInt(10) == 0
                        ? randomBytes(random, random.nextInt(300))
                        : mutate(templates.get(random.nextInt(templates.size())), random);
                fuzz.send(new DatagramPacket(d, d.length, bmc.address()));
                if (i % 50 == 49) {
                    // the BMC has processed everything sent so far once it answers this ping (bursts are
                    // small so that its socket buffer does not overflow; a lost ping is retried)
                    int tag = (i / 50) % 0xFE;
                    assertTrue(ping(sync, tag), "BMC stopped answering after " + (i + 1) + " datagrams");
                    assertTrue(bmc.sessionSlotsInUse() <= 8, "session table bounded (max sessions + v1.5 challenges)");
                }
            }
            BmcCounters c = bmc.counters();
            assertEquals(0, c.internalErrors(), c::toString);
            // every datagram was either dropped by the stateless codec or reached the BMC's session layer
            assertTrue(c.received() + fleet.codecStats().malformed() >= DATAGRAMS, c + " " + fleet.codecStats());
            assertTrue(c.received() > DATAGRAMS / 4, "enough datagrams get past the codec: " + c);
            assertTrue(c.rejected() > 0 && c.answered() > 0, c::toString);
            assertEquals(2, bmc.activeSessions(), "the fuzzer cannot establish or kill sessions without keys");
            assertEquals(
                    0,
                    session17.command(GetDeviceId.REQUEST).completionCode(),
                    "established sessions survive the fuzz");
        }
        await(bmc.closeAllSessions());
        await(bmc.power(PowerState.OFF));

        String ipmitool = TestServices.requireTool("ipmitool");
        System.gc(); // let paranoid leak detection find unreleased buffers on the next allocations
        Duration t = Duration.ofSeconds(30);
        for (int suite : new int[] {3, 17}) {
            SimTestSupport.ProcResult r =
                    run(t, ipmitoolLanplus(ipmitool, bmc, suite, "admin", "password", "power", "status"));
            assertEquals(0, r.exit(), r::toString);
            assertTrue(r.output().contains("Chassis Power is off"), r::toString);
        }
        SimTestSupport.ProcResult r = run(t, ipmitoolLan(ipmitool, bmc, "MD5", "admin", "password", "mc", "info"));
        assertEquals(0, r.exit(), r::toString);
        leakLogger.detachAppender(leaks);
        assertTrue(
                leaks.list.stream().noneMatch(e -> e.getFormattedMessage().contains("LEAK")),
                () -> "Netty reported leaks: " + leaks.list);
        assertEquals(0, bmc.counters().internalErrors());
    }

    private static boolean ping(TestConsole sync, int tag) {
        for (int attempt = 0; attempt < 5; attempt++) {
            sync.send(new AsfPresencePing(tag));
            for (RmcpMessage m = sync.receive(); m != null; m = sync.receive()) {
                if (m instanceof AsfPresencePong p && p.tag() == tag) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Valid datagrams of every kind the BMC parses, including live in-session ones. */
    private static List<byte[]> templates(TestConsole s17, TestConsole s3, Random random) {
        List<byte[]> t = new ArrayList<>();
        t.add(RmcpWire.encode(new AsfPresencePing(1)));
        t.add(RmcpWire.encode(
                V15SessionPacket.presession(GetChannelAuthCapabilities.Request.ipmi20(Privilege.ADMINISTRATOR)
                        .toRequest(1)
                        .encode())));
        t.add(RmcpWire.encode(V15SessionPacket.presession(GetSessionChallenge.Request.of(AuthType.MD5, "admin")
                .toRequest(2)
                .encode())));
        t.add(RmcpWire.encode(V20SessionPacket.presession(
                PayloadType.IPMI,
                GetChannelCipherSuites.Request.page(0).toRequest(3).encode())));
        byte[] challenge = randomBytes(random, 16);
        byte[] activate = new ActivateSession.Request(AuthType.MD5, Privilege.ADMINISTRATOR, challenge, 7)
                .toRequest(4)
                .encode();
        t.add(RmcpWire.encode(new V15SessionPacket(AuthType.MD5, 0, 0x1234, randomBytes(random, 16), activate)));
        for (CipherSuite suite : CipherSuite.SUPPORTED) {
            t.add(RmcpWire.encode(V20SessionPacket.presession(
                    PayloadType.OPEN_SESSION_REQUEST,
                    OpenSessionRequest.of(0, 4, 0xA0A2A3A4, suite).encode())));
        }
        t.add(RmcpWire.encode(V20SessionPacket.presession(
                PayloadType.RAKP_1,
                new Rakp1(0, s17.bmcSessionId(), randomBytes(random, 16), 0x14, "admin".getBytes()).encode())));
        t.add(RmcpWire.encode(V20SessionPacket.presession(
                PayloadType.RAKP_3, new Rakp3(0, 0, s3.bmcSessionId(), randomBytes(random, 20)).encode())));
        for (TestConsole s : List.of(s17, s3)) {
            t.add(RmcpWire.encode(s.seal(GetDeviceId.REQUEST)));
            t.add(RmcpWire.encode(s.seal(GetChassisStatus.REQUEST)));
            t.add(RmcpWire.encode(s.seal(new SetSessionPrivilegeLevel.Request(Privilege.ADMINISTRATOR))));
            t.add(RmcpWire.encode(s.seal(new ChassisControl.Request(ChassisControl.Action.POWER_UP))));
            t.add(RmcpWire.encode(
                    s.seal(SetSystemBootOptions.Request.bootFlags(BootFlags.forDevice(BootDevice.PXE, true, true)))));
            t.add(RmcpWire.encode(s.seal(GetSystemBootOptions.Request.of(5))));
            t.add(RmcpWire.encode(s.seal(new CloseSession.Request(0x11223344))));
        }
        return t;
    }

    private static byte[] mutate(byte[] template, Random random) {
        byte[] d = template.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            switch (random.nextInt(5)) {
                case 0 -> { // flip a bit, sparing the RMCP header most of the time so the damage goes deep
                    if (d.length > 0) {
                        int i = random.nextInt(10) == 0
                                ? random.nextInt(d.length)
                                : 4 + random.nextInt(Math.max(1, d.length - 4));
                        if (i < d.length) {
                            d[i] ^= (byte) (1 << random.nextInt(8));
                        }
                    }
                }
                case 1 -> { // random byte value
                    if (d.length > 4) {
                        d[4 + random.nextInt(d.length - 4)] = (byte) random.nextInt(256);
                    }
                }
                case 2 -> d = Arrays.copyOf(d, random.nextInt(d.length + 1)); // truncate
                case 3 -> { // extend
                    byte[] tail = randomBytes(random, 1 + random.nextInt(40));
                    byte[] x = Arrays.copyOf(d, d.length + tail.length);
                    System.arraycopy(tail, 0, x, d.length, tail.length);
                    d = x;
                }
                default -> { // corrupt a length field region (bytes 13..16 hold v1.5/v2 lengths)
                    if (d.length > 16) {
                        d[13 + random.nextInt(4)] = (byte) random.nextInt(256);
                    }
                }
            }
        }
        return d;
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        if (n > 0 && random.nextBoolean()) {
            b[0] = 0x06; // looks like RMCP half the time
        }
        return b;
    }
}
