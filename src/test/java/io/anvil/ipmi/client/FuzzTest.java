package io.anvil.ipmi.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.RmcpWire;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.command.GetChannelAuthCapabilities;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Random and mutated datagrams aimed at the client's socket while requests are pending: nothing escapes
 * to the Vert.x context, pending requests still complete, nothing stays pending, no ByteBuf leaks
 * (surefire runs with paranoid leak detection; its reports are caught here).
 */
@ExtendWith(VertxExtension.class)
class FuzzTest {

    private static IpmiSim sim;
    private static List<byte[]> corpus;
    private final List<Throwable> escaped = new CopyOnWriteArrayList<>();
    private ListAppender<ILoggingEvent> leaks;

    @BeforeAll
    static void start() throws Exception {
        corpus = bmcPackets();
        sim = IpmiSim.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (sim != null) {
            sim.close();
        }
    }

    @BeforeEach
    void watch(Vertx vertx) {
        vertx.exceptionHandler(escaped::add);
        leaks = new ListAppender<>();
        leaks.start();
        ((Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector")).addAppender(leaks);
    }

    @AfterEach
    void unwatch() {
        ((Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector")).detachAppender(leaks);
    }

    /** Every BMC→console datagram of the captured conversations (ipmi_sim, pyghmi; v1.5 and RMCP+). */
    private static List<byte[]> bmcPackets() throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (String file : List.of("session-traces.txt", "more-traces.txt")) {
            try (InputStream in = FuzzTest.class.getResourceAsStream("/ipmi-vectors/" + file)) {
                String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
                for (int i = 0; i + 1 < lines.length; i++) {
                    if (lines[i].contains("BMC->C") && lines[i + 1].trim().startsWith("raw:")) {
                        out.add(HexFormat.of()
                                .parseHex(lines[i + 1].trim().substring(4).replace(" ", "")));
                    }
                }
            }
        }
        assertTrue(out.size() > 50, "corpus: " + out.size());
        return out;
    }

    private static byte[] flip(byte[] in, Random rnd, int flips) {
        byte[] b = in.clone();
        for (int i = 0; i < flips && b.length > 0; i++) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
        return b;
    }

    /**
     * One fuzz datagram: garbage, RMCP-looking garbage, a mutated/truncated capture, or a mutated real answer.
     * Never a well-formed pre-session IPMI message: those are unauthenticated by design (any of them is a valid
     * answer as far as the protocol can tell), so they are not malformed input.
     */
    private static byte[] mutant(Random rnd, byte[] realAnswer) {
        byte[] b;
        do {
            b = candidate(rnd, realAnswer);
        } while (isWellFormedPreSession(b));
        return b;
    }

    private static boolean isWellFormedPreSession(byte[] datagram) {
        try {
            return RmcpWire.decode(datagram) instanceof V15SessionPacket p
                    && p.sessionId() == 0
                    && IpmiMessages.decode(p.message()) != null;
        } catch (Exception e) {
            return false;
        }
    }

    private static byte[] candidate(Random rnd, byte[] realAnswer) {
        switch (rnd.nextInt(6)) {
            case 0: {
                byte[] b = new byte[rnd.nextInt(90)];
                rnd.nextBytes(b);
                return b;
            }
            case 1: {
                byte[] b = new byte[4 + rnd.nextInt(80)];
                rnd.nextBytes(b);
                b[0] = 0x06;
                b[1] = 0x00;
                b[2] = (byte) 0xFF;
                b[3] = 0x07;
                b[4 % b.length] = (byte) (rnd.nextBoolean() ? 0x06 : rnd.nextInt(5));
                return b;
            }
            case 2:
                return flip(corpus.get(rnd.nextInt(corpus.size())), rnd, 1 + rnd.nextInt(4));
            case 3: {
                byte[] c = corpus.get(rnd.nextInt(corpus.size()));
                return java.util.Arrays.copyOf(c, rnd.nextInt(c.length + 1));
            }
            case 4:
                return realAnswer == null
                        ? new byte[] {1}
                        : java.util.Arrays.copyOf(realAnswer, rnd.nextInt(realAnswer.length));
            default:
                return realAnswer == null ? corpus.get(rnd.nextInt(corpus.size())) : flip(realAnswer, rnd, 1);
        }
    }

    @Test
    void garbageWhileAPreSessionRequestIsPendingThenTheRealAnswer(Vertx vertx) throws Exception {
        Random rnd = new Random(7);
        DatagramSocket fakeBmc = vertx.createDatagramSocket();
        fakeBmc.handler(p -> {
            try {
                V15SessionPacket packet =
                        (V15SessionPacket) RmcpWire.decode(p.data().getBytes());
                IpmiRequest request = IpmiMessages.decodeRequest(packet.message());
                byte[] answer;
                if (request.command() == GetChannelAuthCapabilities.COMMAND) {
                    answer = RmcpWire.encode(V15SessionPacket.presession(
                            request.respond(0, new GetChannelAuthCapabilities.Response(1, 0x17, 0x06, 0, 0, 0).encode())
                                    .encode()));
                } else {
                    answer = RmcpWire.encode(V15SessionPacket.presession(
                            request.respond(0x81, new byte[0]).encode())); // Get Session Challenge: invalid user name
                }
                for (int i = 0; i < 1500; i++) {
                    fakeBmc.send(
                            Buffer.buffer(mutant(rnd, answer)),
                            p.sender().port(),
                            p.sender().host());
                }
                fakeBmc.send(
                        Buffer.buffer(answer), p.sender().port(), p.sender().host());
            } catch (Exception e) {
                escaped.add(e);
            }
        });
        Await.result(fakeBmc.listen(0, "127.0.0.1"));
        IpmiClient client =
                Await.result(IpmiClient.create(vertx, new IpmiClientOptions().setRetry(RetryPolicy.of(3_000, 0, 2))));
        try {
            BmcTarget bmc = BmcTarget.of("127.0.0.1", fakeBmc.localAddress().port(), "admin", "password")
                    .v15(AuthType.MD5);
            // both steps complete despite 3000 bad datagrams: the typed error proves the second step ran
            Await.failure(client.getDeviceId(bmc), UnknownUserException.class);
            ClientStats stats = client.stats();
            assertTrue(stats.malformedDropped() > 1000, stats.toString());
            assertEquals(0, stats.requestsPending(), "nothing left waiting");
            assertEquals(0, stats.timeouts());
        } finally {
            Await.result(client.close());
            Await.result(fakeBmc.close());
        }
        assertEquals(List.of(), escaped, "no exception reached the Vert.x context");
        assertNoLeaks();
    }

    static Stream<Arguments> flavours() {
        return Stream.of(
                Arguments.of("v2.0 suite 3", (UnaryOperator<BmcTarget>) t -> t.withCipherSuite(3)),
                Arguments.of("v2.0 suite 2", (UnaryOperator<BmcTarget>) t -> t.withCipherSuite(2)),
                Arguments.of("v1.5 MD5", (UnaryOperator<BmcTarget>) t -> t.v15(AuthType.MD5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flavours")
    void mutatedCopiesBeforeEveryRealAnswerFromIpmiSim(String name, UnaryOperator<BmcTarget> flavour, Vertx vertx) {
        UdpRelay relay = Await.result(new UdpRelay(vertx, sim.port(), 0, 1).start());
        Random rnd = new Random(name.hashCode());
        relay.injector((real, toClient) -> {
            for (int i = 0; i < 8; i++) {
                toClient.accept(mutant(rnd, real));
            }
        });
        IpmiClient client = Await.result(
                IpmiClient.create(vertx, new IpmiClientOptions().setMinCommandSpacing(java.time.Duration.ZERO)));
        try {
            BmcTarget bmc = flavour.apply(BmcTarget.of("127.0.0.1", relay.port(), "admin", "password"));
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(i % 2 == 0 ? client.getChassisStatus(bmc) : client.getSensorReading(bmc, 1));
            }
            Await.result(Future.all(calls));
            ClientStats stats = client.stats();
            assertTrue(stats.malformedDropped() > 100, stats.toString());
            assertEquals(0, stats.requestsPending());
            assertEquals(1, stats.sessionsOpened(), "the session survived the noise: " + stats);
        } finally {
            Await.result(client.close());
            Await.result(relay.close());
        }
        assertEquals(List.of(), escaped, "no exception reached the Vert.x context");
        assertNoLeaks();
    }

    private void assertNoLeaks() {
        System.gc();
        // leak reports are emitted on a later allocation; the next test or client provokes them too
        List<String> reports = leaks.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("LEAK"))
                .toList();
        assertEquals(List.of(), reports);
    }
}
