package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Typed errors against ipmi_sim, and timeouts / circuit breaker against a UDP port that never answers. */
@ExtendWith(VertxExtension.class)
class IpmiClientFailureTest {

    private static IpmiSim sim;
    private static IpmiClient client;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        sim = IpmiSim.start();
        // short retries: v1.5 wrong passwords show up as an unanswered Activate Session
        client = Await.result(IpmiClient.create(
                vertx,
                new IpmiClientOptions().setRetry(RetryPolicy.of(200, 100, 3)).setCircuitFailureThreshold(0)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            Await.result(client.close());
        }
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void wrongPasswordRmcpPlusIsBadCredentials() {
        BadCredentialsException e = Await.failure(
                client.getDeviceId(sim.admin().withCipherSuite(3).withPassword("wrong")),
                BadCredentialsException.class);
        assertTrue(e.getMessage().contains("RAKP2"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong\""), "no password in messages");
    }

    @Test
    void wrongPasswordWithDefaultSuitesIsBadCredentials() {
        Await.failure(client.getDeviceId(sim.admin().withPassword("wrong")), BadCredentialsException.class);
    }

    @Test
    void wrongPasswordV15IsBadCredentials() {
        BadCredentialsException e = Await.failure(
                client.getDeviceId(sim.admin().v15(AuthType.MD5).withPassword("wrong")), BadCredentialsException.class);
        assertTrue(e.getMessage().contains("Activate Session"), e.getMessage());
    }

    @Test
    void unknownUserIsTyped() {
        UnknownUserException e = Await.failure(
                client.getDeviceId(sim.admin().withCipherSuite(3).withUsername("nobody")), UnknownUserException.class);
        assertTrue(e.getMessage().contains("0x0d"), e.getMessage());
        Await.failure(
                client.getDeviceId(sim.admin().v15(AuthType.MD5).withUsername("nobody")), UnknownUserException.class);
    }

    @Test
    void userLevelSessionCannotControlTheChassis() {
        BmcTarget user = BmcTarget.of("127.0.0.1", sim.port(), "", "test")
                .withPrivilege(Privilege.USER)
                .withCipherSuite(3);
        Await.result(client.getChassisStatus(user)); // USER may read
        InsufficientPrivilegeException e = Await.failure(
                client.chassisControl(user, ChassisControl.Action.POWER_UP), InsufficientPrivilegeException.class);
        assertTrue(e.getMessage().contains("0xd4"), e.getMessage());
        BmcTarget userV15 = BmcTarget.of("127.0.0.1", sim.port(), "", "test")
                .withPrivilege(Privilege.USER)
                .v15(AuthType.MD5);
        Await.failure(
                client.chassisControl(userV15, ChassisControl.Action.POWER_UP), InsufficientPrivilegeException.class);
    }

    @Test
    void operatorMayControlPower() {
        BmcTarget oper = BmcTarget.of("127.0.0.1", sim.port(), "oper", "operpass")
                .withPrivilege(Privilege.OPERATOR)
                .withCipherSuite(3);
        Await.result(client.chassisControl(oper, ChassisControl.Action.POWER_UP));
        assertTrue(Await.result(client.getChassisStatus(oper)).powerOn());
        Await.result(client.chassisControl(oper, ChassisControl.Action.POWER_DOWN));
    }

    @Test
    void unsupportedCommandIsANamedCompletionCode() {
        // Get Chassis Capabilities exists; netFn 0x30 (OEM) cmd 0x99 does not on ipmi_sim
        var r = Await.result(client.raw(sim.admin().withCipherSuite(3), 0x30, 0x99, new byte[0]));
        assertEquals(0xC1, r.completionCode(), r.completionCodeDescription());
        CompletionCodeException e = Await.failure(
                client.getSensorReading(sim.admin().withCipherSuite(3), 0x55), CompletionCodeException.class);
        assertTrue(e.getMessage().contains("Get Sensor Reading failed: 0x"), e.getMessage());
    }

    /** A UDP socket that counts what it receives and never answers. */
    private static DatagramSocket silentPeer(Vertx vertx, AtomicInteger received) {
        DatagramSocket s = vertx.createDatagramSocket();
        s.handler(p -> received.incrementAndGet());
        return Await.result(s.listen(0, "127.0.0.1"));
    }

    @Test
    void silentBmcTimesOutAfterEveryRetry(Vertx vertx) {
        AtomicInteger received = new AtomicInteger();
        DatagramSocket silent = silentPeer(vertx, received);
        IpmiClient c =
                Await.result(IpmiClient.create(vertx, new IpmiClientOptions().setRetry(RetryPolicy.of(100, 50, 4))));
        try {
            BmcTarget bmc = BmcTarget.of("127.0.0.1", silent.localAddress().port(), "admin", "password");
            long t0 = System.nanoTime();
            IpmiTimeoutException e = Await.failure(c.getDeviceId(bmc), IpmiTimeoutException.class);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(4, e.tries());
            assertEquals("Get Channel Authentication Capabilities", e.request());
            // a timeout is the behaviour under test: it came only after the whole retry schedule
            int schedule = 100 + 150 + 200 + 250;
            assertTrue(ms >= schedule, "waited the retry policy's schedule: " + ms + " ms");
            assertEquals(4, received.get(), "first try + 3 retransmissions reached the wire");
            ClientStats stats = c.stats();
            assertEquals(3, stats.retransmits());
            assertEquals(1, stats.timeouts());
            assertEquals(0, stats.sessionsOpened());
        } finally {
            Await.result(c.close());
            Await.result(silent.close());
        }
    }

    @Test
    void circuitBreakerOpensAfterRepeatedTimeoutsAndFailsFast(Vertx vertx) {
        AtomicInteger received = new AtomicInteger();
        DatagramSocket silent = silentPeer(vertx, received);
        IpmiClient c = Await.result(IpmiClient.create(
                vertx,
                new IpmiClientOptions()
                        .setRetry(RetryPolicy.of(50, 0, 2))
                        .setCircuitFailureThreshold(2)
                        .setCircuitCooldown(Duration.ofMillis(500))));
        try {
            BmcTarget bmc = BmcTarget.of("127.0.0.1", silent.localAddress().port(), "admin", "password");
            Await.failure(c.getDeviceId(bmc), IpmiTimeoutException.class);
            Await.failure(c.getDeviceId(bmc), IpmiTimeoutException.class);
            assertEquals(4, received.get());
            assertEquals("OPEN", c.stats().bmcs().get(bmc.address()).circuit());

            long timeouts = c.stats().timeouts();
            CircuitOpenException open = Await.failure(c.getDeviceId(bmc), CircuitOpenException.class);
            assertEquals(timeouts, c.stats().timeouts(), "failed fast: no retry schedule ran");
            assertTrue(open.retryAfterMillis() > 0 && open.retryAfterMillis() <= 500);
            assertEquals(4, received.get(), "nothing sent while open");

            Await.result(vertx.timer(600)); // cool-down over: one probe goes out, fails, re-opens
            Await.failure(c.getDeviceId(bmc), IpmiTimeoutException.class);
            assertEquals(6, received.get());
            Await.failure(c.getDeviceId(bmc), CircuitOpenException.class);
            assertEquals(6, received.get());
            assertEquals(2, c.stats().circuitRejections());
        } finally {
            Await.result(c.close());
            Await.result(silent.close());
        }
    }

    @Test
    void halfOpenProbeThatSucceedsClosesTheCircuit(Vertx vertx) {
        UdpRelay relay = Await.result(new UdpRelay(vertx, sim.port(), 1.0, 1).start());
        IpmiClient c = Await.result(IpmiClient.create(
                vertx,
                new IpmiClientOptions()
                        .setRetry(RetryPolicy.of(50, 0, 2))
                        .setCircuitFailureThreshold(1)
                        .setCircuitCooldown(Duration.ofMillis(300))));
        try {
            BmcTarget bmc =
                    BmcTarget.of("127.0.0.1", relay.port(), "admin", "password").withCipherSuite(3);
            Await.failure(c.getChassisStatus(bmc), IpmiTimeoutException.class);
            Await.failure(c.getChassisStatus(bmc), CircuitOpenException.class);
            relay.dropRate(0); // the BMC is back
            Await.result(vertx.timer(400));
            Await.result(c.getChassisStatus(bmc)); // the probe
            assertEquals("CLOSED", c.stats().bmcs().get(bmc.address()).circuit());
            Await.result(c.getChassisStatus(bmc));
        } finally {
            Await.result(c.close());
            Await.result(relay.close());
        }
    }

    @Test
    void retransmissionsUseFreshSessionSequenceNumbersAndTheSameRqSeq(Vertx vertx) throws Exception {
        UdpRelay relay = Await.result(new UdpRelay(vertx, sim.port(), 0, 1).start());
        IpmiClient c = Await.result(IpmiClient.create(
                vertx,
                new IpmiClientOptions().setRetry(RetryPolicy.of(100, 0, 3)).setCircuitFailureThreshold(0)));
        try {
            // suite 2: authenticated but not encrypted, so the test can read the IPMI message
            BmcTarget bmc =
                    BmcTarget.of("127.0.0.1", relay.port(), "admin", "password").withCipherSuite(2);
            Await.result(c.getChassisStatus(bmc));
            int before = relay.fromClient.size();
            relay.blackholeAnswers = true;
            IpmiTimeoutException e = Await.failure(c.getChassisStatus(bmc), IpmiTimeoutException.class);
            assertEquals("Get Chassis Status", e.request());
            var tries = relay.fromClient.subList(before, relay.fromClient.size());
            assertEquals(3, tries.size());
            java.util.List<Integer> sessionSeqs = new java.util.ArrayList<>();
            java.util.Set<Integer> rqSeqs = new java.util.HashSet<>();
            for (byte[] datagram : tries) {
                var packet = (io.anvil.ipmi.codec.V20SessionPacket) io.anvil.ipmi.codec.RmcpWire.decode(datagram);
                sessionSeqs.add(packet.sessionSequence());
                rqSeqs.add(io.anvil.ipmi.codec.lan.IpmiMessages.decode(packet.payload())
                        .rqSeq());
            }
            assertEquals(1, rqSeqs.size(), "same rqSeq on every try");
            assertEquals(sessionSeqs.get(0) + 1, sessionSeqs.get(1), "fresh session sequence per try");
            assertEquals(sessionSeqs.get(1) + 1, sessionSeqs.get(2));
            assertEquals(0, c.stats().sessionsOpen(), "a session that stops answering is not reused");
        } finally {
            Await.result(c.close());
            Await.result(relay.close());
        }
    }
}
