package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.AuthType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 20 % of datagrams lost in each direction (seeded): 100 commands all succeed through retransmissions
 * (fresh session sequence number per try, same rqSeq) and handshake restarts.
 */
@ExtendWith(VertxExtension.class)
class PacketLossTest {

    private static IpmiSim sim;

    @BeforeAll
    static void start() throws Exception {
        sim = IpmiSim.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (sim != null) {
            sim.close();
        }
    }

    static Stream<Arguments> flavours() {
        return Stream.of(
                Arguments.of("v2.0 suite 3", (UnaryOperator<BmcTarget>) t -> t.withCipherSuite(3)),
                Arguments.of("v1.5 MD5", (UnaryOperator<BmcTarget>) t -> t.v15(AuthType.MD5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flavours")
    void hundredCommandsSurviveTwentyPercentLoss(String name, UnaryOperator<BmcTarget> flavour, Vertx vertx) {
        UdpRelay relay = Await.result(new UdpRelay(vertx, sim.port(), 0.20, 42).start());
        // per try: 0.8 × 0.8 = 64 % success; 12 tries leave 0.36^12 ≈ 5e-6 per command
        IpmiClient client = Await.result(IpmiClient.create(
                vertx,
                new IpmiClientOptions()
                        .setRetry(RetryPolicy.of(150, 0, 12))
                        .setHandshakeAttempts(5)
                        .setMinCommandSpacing(java.time.Duration.ZERO)));
        try {
            BmcTarget bmc = flavour.apply(BmcTarget.of("127.0.0.1", relay.port(), "admin", "password"));
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(i % 2 == 0 ? client.getChassisStatus(bmc) : client.getDeviceId(bmc));
            }
            Await.result(Future.all(calls));
            ClientStats stats = client.stats();
            System.out.println("packet loss, " + name + ": relay dropped " + relay.dropped + ", " + stats);
            assertEquals(100, calls.stream().filter(Future::succeeded).count());
            assertTrue(relay.dropped.get() > 20, "the relay dropped datagrams: " + relay.dropped);
            assertTrue(stats.retransmits() > 10, "recovered by retransmission: " + stats);
            assertEquals(0, stats.timeouts(), stats.toString());
        } finally {
            Await.result(client.close());
            Await.result(relay.close());
        }
    }
}
