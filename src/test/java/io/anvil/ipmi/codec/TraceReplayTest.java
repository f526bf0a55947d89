package io.anvil.ipmi.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.ActivateSession;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.crypto.RakpExchange;
import io.anvil.ipmi.codec.crypto.SessionKeys;
import io.anvil.ipmi.codec.lan.IpmiMessage;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionRequest;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionResponse;
import io.anvil.ipmi.codec.rmcpplus.Rakp1;
import io.anvil.ipmi.codec.rmcpplus.Rakp2;
import io.anvil.ipmi.codec.rmcpplus.Rakp3;
import io.anvil.ipmi.codec.rmcpplus.Rakp4;
import io.anvil.ipmi.codec.session.RmcpPlusSession;
import io.anvil.ipmi.codec.session.V15Session;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replays every captured conversation through the codec with only the password as a secret, playing both
 * ends: the console-side session opens what the BMC sent and the BMC-side session opens what the console
 * sent; each side also re-seals the plaintext (same sequence number and IV) and must reproduce the captured
 * datagram byte for byte. This is the Java twin of ipmi_decode.py's "0 failures over 281 packets".
 */
class TraceReplayTest {

    /** Per console port: handshake material and the two live sessions. */
    private static final class Conversation {
        int sidm;
        int sidc;
        CipherSuite suite;
        Rakp1 rakp1;
        RakpExchange exchange;
        SessionKeys keys;
        RmcpPlusSession console;
        RmcpPlusSession bmc;
        V15Session v15Console;
        V15Session v15Bmc;
        int v15BmcFirstSeq;
        IpmiRequest pending;
    }

    private final Map<String, Conversation> conversations = new HashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();

    @Test
    void sessionTraces() throws Exception {
        replay(Traces.load("session-traces.txt"));
        // the same numbers grep finds in the annotated decode (authtype=[1-9], authtype=0, RAKP2, "RMCP+ IPMI", msg:)
        assertEquals(Map.of("v15-auth", 32, "v15-none", 32, "rakp", 2, "v20-session", 28, "messages", 92), counts);
    }

    @Test
    void moreTraces() throws Exception {
        replay(Traces.load("more-traces.txt"));
        assertEquals(Map.of("v15-auth", 10, "v15-none", 18, "rakp", 7, "v20-session", 82, "messages", 110), counts);
    }

    private void count(String what) {
        counts.merge(what, 1, Integer::sum);
    }

    private void replay(List<Traces.Packet> packets) throws Exception {
        for (Traces.Packet p : packets) {
            if (p.raw().length == 1) {
                continue;
            }
            Conversation c = conversations.computeIfAbsent(p.file() + p.consolePort(), k -> new Conversation());
            RmcpMessage m = Pipelines.decode(p.raw());
            try {
                if (m instanceof V15SessionPacket v15) {
                    replayV15(p, c, v15);
                } else if (m instanceof V20SessionPacket v20) {
                    replayV20(p, c, v20);
                }
            } catch (IpmiDecodeException | AssertionError e) {
                throw new AssertionError(p + ": " + e, e);
            }
        }
    }

    private void replayV15(Traces.Packet p, Conversation c, V15SessionPacket packet) throws Exception {
        if (packet.authType() != AuthType.NONE) {
            assertTrue(V15Session.verify(packet, Traces.PASSWORD), "auth code");
            count("v15-auth");
        } else {
            count("v15-none");
        }
        byte[] msgBytes;
        boolean inSession = c.v15Console != null && packet.sessionId() == c.v15Console.sessionId();
        if (inSession && p.toBmc()) {
            // the console's packets are exactly what our console-side session seals
            assertArrayEquals(p.raw(), RmcpWire.encode(c.v15Console.seal(packet.message())));
            msgBytes = c.v15Bmc.open(packet);
        } else if (inSession) {
            msgBytes = c.v15Console.open(packet);
        } else {
            msgBytes = packet.message();
        }
        IpmiMessage message = IpmiMessages.decode(msgBytes);
        count("messages");
        correlate(c, message);
        if (message instanceof IpmiRequest rq && rq.command() == ActivateSession.COMMAND) {
            c.v15BmcFirstSeq = ActivateSession.Request.decode(rq.data()).initialOutboundSequence();
        }
        if (message instanceof IpmiResponse rs && rs.command() == ActivateSession.COMMAND && rs.isSuccess()) {
            ActivateSession.Response a = ActivateSession.Response.decode(rs.data());
            // Activate Session answers with NONE when the session runs without auth (ipmitool -A NONE)
            c.v15Console =
                    new V15Session(a.authType(), Traces.PASSWORD, a.sessionId(), a.initialInboundSequence(), true);
            c.v15Bmc = new V15Session(a.authType(), Traces.PASSWORD, a.sessionId(), c.v15BmcFirstSeq, true);
        }
    }

    private void replayV20(Traces.Packet p, Conversation c, V20SessionPacket packet) throws Exception {
        byte[] payload = packet.payload();
        switch (packet.payloadType()) {
            case PayloadType.OPEN_SESSION_REQUEST -> {
                OpenSessionRequest rq = OpenSessionRequest.decode(payload);
                assertArrayEquals(payload, rq.encode());
                c.sidm = rq.consoleSessionId();
                c.suite = rq.algorithms().suite().orElseThrow();
            }
            case PayloadType.OPEN_SESSION_RESPONSE -> {
                OpenSessionResponse rs = OpenSessionResponse.decode(payload);
                assertArrayEquals(payload, rs.encode());
                assertTrue(rs.isSuccess() && rs.algorithms().matches(c.suite));
                assertEquals(c.sidm, rs.consoleSessionId());
                c.sidc = rs.bmcSessionId();
            }
            case PayloadType.RAKP_1 -> {
                c.rakp1 = Rakp1.decode(payload);
                assertArrayEquals(payload, c.rakp1.encode());
                assertEquals(c.sidc, c.rakp1.bmcSessionId());
            }
            case PayloadType.RAKP_2 -> {
                Rakp2 r2 = Rakp2.decode(payload);
                assertArrayEquals(payload, r2.encode());
                c.exchange = new RakpExchange(
                        c.suite.authentication(),
                        c.sidm,
                        c.sidc,
                        c.rakp1.consoleRandom(),
                        r2.bmcRandom(),
                        r2.bmcGuid(),
                        c.rakp1.role(),
                        c.rakp1.username());
                assertTrue(c.exchange.verifyRakp2(Traces.PASSWORD, r2.keyExchangeAuthCode()), "RAKP2 HMAC");
                c.keys = c.exchange.deriveKeys(Traces.PASSWORD);
                count("rakp");
            }
            case PayloadType.RAKP_3 -> {
                Rakp3 r3 = Rakp3.decode(payload);
                assertArrayEquals(payload, r3.encode());
                assertTrue(c.exchange.verifyRakp3(Traces.PASSWORD, r3.keyExchangeAuthCode()), "RAKP3 HMAC");
            }
            case PayloadType.RAKP_4 -> {
                Rakp4 r4 = Rakp4.decode(payload);
                assertArrayEquals(payload, r4.encode());
                assertTrue(c.exchange.verifyRakp4(c.keys.sik(), r4.integrityCheckValue()), "RAKP4 ICV");
                c.console = RmcpPlusSession.forConsole(c.suite, c.keys, c.sidm, c.sidc);
                c.bmc = RmcpPlusSession.forBmc(c.suite, c.keys, c.sidc, c.sidm);
            }
            case PayloadType.IPMI -> {
                RmcpPlusSession receiver = p.toBmc() ? c.bmc : c.console;
                RmcpPlusSession sender = p.toBmc() ? c.console : c.bmc;
                byte[] plaintext = receiver.open(packet);
                byte[] iv = Arrays.copyOf(payload, 16);
                assertArrayEquals(
                        p.raw(),
                        RmcpWire.encode(sender.seal(PayloadType.IPMI, plaintext, packet.sessionSequence(), iv)));
                IpmiMessage message = IpmiMessages.decode(plaintext);
                assertEquals(p.toBmc(), message instanceof IpmiRequest, "requests go to the BMC, responses come back");
                correlate(c, message);
                count("v20-session");
                count("messages");
            }
            default -> throw new AssertionError("unexpected payload type " + packet.payloadType());
        }
        if (packet.payloadType() != PayloadType.IPMI) {
            assertEquals(0, packet.sessionId(), "session-setup payloads are pre-session");
            assertEquals(0, packet.sessionSequence(), "session-setup payloads are pre-session");
        }
    }

    /** Every response answers the previous request: same rqSeq, netFn|1, cmd. */
    private static void correlate(Conversation c, IpmiMessage message) {
        if (message instanceof IpmiRequest rq) {
            c.pending = rq;
        } else if (message instanceof IpmiResponse rs && c.pending != null) {
            assertEquals(c.pending.correlationKey(), rs.correlationKey());
        }
    }
}
