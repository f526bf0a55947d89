package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.RmcpMessage;
import io.anvil.ipmi.codec.RmcpWire;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.V20SessionPacket;
import io.anvil.ipmi.codec.command.CloseSession;
import io.anvil.ipmi.codec.command.CommandRequest;
import io.anvil.ipmi.codec.command.GetChannelAuthCapabilities;
import io.anvil.ipmi.codec.command.SetSessionPrivilegeLevel;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.crypto.RakpExchange;
import io.anvil.ipmi.codec.crypto.SessionKeys;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.lan.RqSeqCounter;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionRequest;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionResponse;
import io.anvil.ipmi.codec.rmcpplus.Rakp1;
import io.anvil.ipmi.codec.rmcpplus.Rakp2;
import io.anvil.ipmi.codec.rmcpplus.Rakp3;
import io.anvil.ipmi.codec.rmcpplus.Rakp4;
import io.anvil.ipmi.codec.session.RmcpPlusSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A deliberately tiny, blocking RMCP+ console for simulator tests only (not Anvil's IPMI client): one
 * socket, one outstanding request, no retries. Used to hold sessions open (exhaustion), to produce valid
 * packets for the fuzzer and to drive the simulator where no real tool can (suite 0/1/2, exact bytes).
 */
final class TestConsole implements AutoCloseable {

    /** {@link #open} results that are not RMCP+ status codes: what the console itself found wrong. */
    static final int RAKP2_HMAC_INVALID = -2;

    static final int RAKP4_ICV_INVALID = -4;

    private final DatagramSocket socket;
    private final InetSocketAddress bmc;
    private final SecureRandom random = new SecureRandom();
    private final RqSeqCounter rqSeq = new RqSeqCounter();
    private RmcpPlusSession session;
    private int bmcSessionId;

    TestConsole(SimulatedBmc bmc) {
        this.bmc = bmc.address();
        try {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setSoTimeout(2000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(byte[] datagram) {
        try {
            socket.send(new DatagramPacket(datagram, datagram.length, bmc));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(RmcpMessage m) {
        send(RmcpWire.encode(m));
    }

    /** Next datagram from the BMC, or null after the socket timeout. */
    RmcpMessage receive() {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
            return RmcpWire.decode(Arrays.copyOf(buf, p.getLength()));
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IpmiDecodeException e) {
            throw new AssertionError("BMC sent an undecodable datagram: " + e);
        }
    }

    RmcpMessage exchange(RmcpMessage m) {
        send(m);
        RmcpMessage r = receive();
        if (r == null) {
            throw new AssertionError("no answer from " + bmc + " to " + m);
        }
        return r;
    }

    private byte[] setup(int type, byte[] payload, int expectedType) {
        RmcpMessage r = exchange(V20SessionPacket.presession(type, payload));
        if (!(r instanceof V20SessionPacket p) || p.payloadType() != expectedType) {
            throw new AssertionError("unexpected answer " + r);
        }
        return p.payload();
    }

    /** Pre-session Get Channel Auth Capabilities in v1.5 framing. */
    IpmiResponse authCapabilities() throws IpmiDecodeException {
        byte[] msg = GetChannelAuthCapabilities.Request.ipmi20(Privilege.ADMINISTRATOR)
                .toRequest(rqSeq.next())
                .encode();
        RmcpMessage r = exchange(V15SessionPacket.presession(msg));
        return IpmiMessages.decodeResponse(((V15SessionPacket) r).message());
    }

    /** Result of a handshake attempt: the first non-zero RMCP+ status seen, or 0 when the session is up. */
    int open(CipherSuite suite, String user, String password, Privilege privilege) throws IpmiDecodeException {
        int sidm = random.nextInt(Integer.MAX_VALUE - 1) + 1;
        OpenSessionResponse open = OpenSessionResponse.decode(setup(
                PayloadType.OPEN_SESSION_REQUEST,
                OpenSessionRequest.of(1, privilege.code(), sidm, suite).encode(),
                PayloadType.OPEN_SESSION_RESPONSE));
        if (!open.isSuccess()) {
            return open.status();
        }
        byte[] rm = new byte[16];
        random.nextBytes(rm);
        byte[] name = user.getBytes(StandardCharsets.UTF_8);
        int role = Rakp1.role(privilege, true);
        Rakp2 rakp2 = Rakp2.decode(setup(
                PayloadType.RAKP_1, new Rakp1(2, open.bmcSessionId(), rm, role, name).encode(), PayloadType.RAKP_2));
        if (!rakp2.isSuccess()) {
            return rakp2.status();
        }
        RakpExchange x = new RakpExchange(
                suite.authentication(), sidm, open.bmcSessionId(), rm, rakp2.bmcRandom(), rakp2.bmcGuid(), role, name);
        byte[] kuid = password.getBytes(StandardCharsets.UTF_8);
        if (!x.verifyRakp2(kuid, rakp2.keyExchangeAuthCode())) {
            return RAKP2_HMAC_INVALID;
        }
        Rakp4 rakp4 = Rakp4.decode(setup(
                PayloadType.RAKP_3,
                new Rakp3(3, 0, open.bmcSessionId(), x.rakp3AuthCode(kuid)).encode(),
                PayloadType.RAKP_4));
        if (!rakp4.isSuccess()) {
            return rakp4.status();
        }
        SessionKeys keys = x.deriveKeys(kuid);
        if (!x.verifyRakp4(keys.sik(), rakp4.integrityCheckValue())) {
            return RAKP4_ICV_INVALID;
        }
        session = RmcpPlusSession.forConsole(suite, keys, sidm, open.bmcSessionId());
        bmcSessionId = open.bmcSessionId();
        return 0;
    }

    /** One in-session request (session must be open). */
    IpmiResponse command(CommandRequest request) throws IpmiDecodeException {
        RmcpMessage r = exchange(session.seal(request.toRequest(rqSeq.next())));
        return (IpmiResponse) session.openMessage((V20SessionPacket) r);
    }

    IpmiResponse raise(Privilege p) throws IpmiDecodeException {
        return command(new SetSessionPrivilegeLevel.Request(p));
    }

    /** A sealed in-session packet, sent by the caller (or mutated by the fuzzer). */
    V20SessionPacket seal(CommandRequest request) {
        return session.seal(request.toRequest(rqSeq.next()));
    }

    int bmcSessionId() {
        return bmcSessionId;
    }

    IpmiResponse closeSession() throws IpmiDecodeException {
        IpmiResponse r = command(new CloseSession.Request(bmcSessionId));
        session = null;
        return r;
    }

    @Override
    public void close() {
        socket.close();
    }
}
