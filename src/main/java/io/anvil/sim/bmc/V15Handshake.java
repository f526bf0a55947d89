package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.command.ActivateSession;
import io.anvil.ipmi.codec.command.GetSessionChallenge;
import io.anvil.ipmi.codec.lan.IpmiMessage;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.lan.NetFn;
import io.anvil.ipmi.codec.session.V15Session;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The BMC side of IPMI v1.5 sessions (the counterpart of the client's {@code V15SessionMachine}): the login (Get
 * Session Challenge, Activate Session, IPMI v2.0 §22.16, §22.17) and the framing of every later packet, which the
 * session's auth code signs around the {@link CommandDispatcher}. Stateless: the handshake state lives in the
 * {@link SimSession}; runs on the BMC's event loop. See docs/ipmi.md for the whole stack.
 */
final class V15Handshake {

    private static final byte[] NONE = new byte[0];

    private V15Handshake() {}

    /** Every datagram in IPMI v1.5 framing. */
    static void onPacket(SimulatedBmc bmc, V15SessionPacket p, InetSocketAddress peer) throws IpmiDecodeException {
        if (p.sessionId() == 0) {
            if (p.authType() != AuthType.NONE) {
                bmc.counters.rejected++;
                return;
            }
            IpmiResponse response =
                    CommandDispatcher.presession(bmc, IpmiMessages.decodeRequest(p.message()), true, peer);
            if (response == null) {
                bmc.counters.rejected++;
                return;
            }
            bmc.send(V15SessionPacket.presession(response.encode()), peer);
            return;
        }
        SimSession s = bmc.sessions.get(p.sessionId());
        long now = System.nanoTime();
        if (s == null || s.rmcpPlus || bmc.sessions.expired(s, now)) {
            bmc.counters.rejected++;
            return;
        }
        if (s.state == SimSession.State.CHALLENGED) {
            activateSession(bmc, s, p, peer);
            return;
        }
        IpmiMessage message = s.v15.openMessage(p);
        if (!(message instanceof IpmiRequest request)) {
            bmc.counters.rejected++;
            return;
        }
        s.lastActivityNanos = now;
        IpmiResponse response = CommandDispatcher.inSession(bmc, s, request);
        V15SessionPacket out = s.v15.seal(response);
        bmc.sessions.finishClose();
        bmc.send(out, peer);
    }

    /** Get Session Challenge (IPMI v2.0 §22.16): names the user, takes a slot, hands out the challenge. */
    static IpmiResponse getSessionChallenge(SimulatedBmc bmc, IpmiRequest req, InetSocketAddress peer) {
        SimulatedFleet fleet = bmc.fleet();
        GetSessionChallenge.Request r;
        try {
            r = GetSessionChallenge.Request.decode(req.data());
        } catch (IpmiDecodeException e) {
            return req.respond(0xCC, NONE);
        }
        if (!fleet.v15Types().contains(r.authType())) {
            return req.respond(0xCC, NONE);
        }
        if (r.username().length == 0) {
            return req.respond(0x82, NONE); // null user name not enabled
        }
        SimUser user = fleet.user(r.username());
        if (user == null) {
            bmc.counters.unknownUsers++;
            bmc.event("Get Session Challenge: unknown user '" + r.usernameString() + "'");
            return req.respond(0x81, NONE); // invalid user name
        }
        long now = System.nanoTime();
        if (!bmc.sessions.makeRoom(2 * fleet.opts().maxSessions(), now)) {
            return req.respond(0xC0, NONE); // node busy
        }
        SimSession s = new SimSession(bmc.sessions.newSessionId(), false, peer, SimSession.State.CHALLENGED, now);
        s.user = user;
        s.authType = r.authType();
        s.challenge = fleet.randomBytes(16);
        bmc.sessions.put(s);
        return req.respond(0x00, new GetSessionChallenge.Response(s.id, s.challenge).encode());
    }

    /** Activate Session (IPMI v2.0 §22.17): the signed echo of the challenge establishes the session. */
    private static void activateSession(SimulatedBmc bmc, SimSession s, V15SessionPacket p, InetSocketAddress peer)
            throws IpmiDecodeException {
        IpmiRequest req = IpmiMessages.decodeRequest(p.message());
        if (req.netFn() != NetFn.APP || req.command() != ActivateSession.COMMAND) {
            bmc.counters.rejected++;
            return;
        }
        byte[] password = s.user.passwordBytes();
        if (p.authType() != s.authType || !V15Session.verify(p, password)) {
            bmc.counters.authFailures++;
            bmc.event("Activate Session: bad auth code for user '" + s.user.name() + "' (wrong password)");
            bmc.sessions.remove(s);
            return;
        }
        ActivateSession.Request a;
        try {
            a = ActivateSession.Request.decode(req.data());
        } catch (IpmiDecodeException e) {
            sendSigned(bmc, s, req.respond(0xCC, NONE), peer);
            return;
        }
        if (!Arrays.equals(a.challenge(), s.challenge)) {
            bmc.counters.authFailures++;
            bmc.sessions.remove(s);
            return;
        }
        int cc = a.authType() != s.authType
                ? 0xCC
                : a.maxPrivilege() == Privilege.UNSPECIFIED
                        ? 0xCC
                        : a.maxPrivilege().code() > s.user.maxPrivilege().code()
                                ? 0x86
                                : bmc.sessions.activeCount()
                                                >= bmc.fleet().opts().maxSessions()
                                        ? 0x81
                                        : 0;
        if (cc != 0) {
            if (cc == 0x81) {
                bmc.counters.sessionsRefused++;
            }
            bmc.sessions.remove(s);
            sendSigned(bmc, s, req.respond(cc, NONE), peer);
            return;
        }
        int inbound = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        s.v15 = new V15Session(s.authType, password, s.id, a.initialOutboundSequence(), true);
        s.maxPrivilege = a.maxPrivilege();
        s.challenge = null;
        s.lastActivityNanos = System.nanoTime();
        bmc.sessions.activate(s);
        bmc.event(String.format(
                "session %08x opened (IPMI v1.5 %s, user '%s', max %s)",
                s.id, s.authType, s.user.name(), s.maxPrivilege));
        IpmiResponse response =
                req.respond(0x00, new ActivateSession.Response(s.authType, s.id, inbound, a.maxPrivilege()).encode());
        bmc.send(s.v15.seal(response), peer);
    }

    /** An error answer to Activate Session, signed with the user's password (no session keys exist yet). */
    private static void sendSigned(SimulatedBmc bmc, SimSession s, IpmiResponse response, InetSocketAddress peer) {
        bmc.send(V15Session.sign(s.authType, s.user.passwordBytes(), s.id, 0, response.encode()), peer);
    }
}
