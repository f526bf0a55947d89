package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.V20SessionPacket;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.crypto.RakpExchange;
import io.anvil.ipmi.codec.crypto.SessionKeys;
import io.anvil.ipmi.codec.lan.IpmiMessage;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.rmcpplus.AlgorithmProposal;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionRequest;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionResponse;
import io.anvil.ipmi.codec.rmcpplus.Rakp1;
import io.anvil.ipmi.codec.rmcpplus.Rakp2;
import io.anvil.ipmi.codec.rmcpplus.Rakp3;
import io.anvil.ipmi.codec.rmcpplus.Rakp4;
import io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus;
import io.anvil.ipmi.codec.session.RmcpPlusSession;
import io.anvil.ipmi.codec.sol.SolPacket;
import java.net.InetSocketAddress;

/**
 * The BMC side of IPMI v2.0 / RMCP+ (the counterpart of the client's {@code RmcpPlusSessionMachine}): the login
 * (Open Session, RAKP messages 1–4, IPMI v2.0 §13.17–§13.23) and the framing of every later packet, which the
 * session's keys verify, decrypt and seal around the {@link CommandDispatcher}. Stateless: the handshake state
 * lives in the {@link SimSession}; runs on the BMC's event loop. See docs/ipmi.md for the whole stack.
 */
final class RmcpPlusHandshake {

    /** Suites in the order an Open Session Request with "any" records gets them. */
    private static final int[] SUITE_PREFERENCE = {17, 3, 2, 1, 0};

    private static final byte[] NONE = new byte[0];

    private RmcpPlusHandshake() {}

    /** Every datagram in RMCP+ framing (authentication type 6). */
    static void onPacket(SimulatedBmc bmc, V20SessionPacket p, InetSocketAddress peer) throws IpmiDecodeException {
        int type = p.payloadType();
        if (PayloadType.isSessionSetup(type)) {
            if (p.authenticated() || p.encrypted() || bmc.fleet().suites().isEmpty()) {
                bmc.counters.rejected++;
                return;
            }
            switch (type) {
                case PayloadType.OPEN_SESSION_REQUEST -> openSession(bmc, OpenSessionRequest.decode(p.payload()), peer);
                case PayloadType.RAKP_1 -> rakp1(bmc, Rakp1.decode(p.payload()), peer);
                case PayloadType.RAKP_3 -> rakp3(bmc, Rakp3.decode(p.payload()), peer);
                default -> bmc.counters.rejected++; // responses (0x11, 0x13, 0x15) are not for a BMC
            }
            return;
        }
        if (p.sessionId() == 0) {
            // pre-session IPMI message in RMCP+ framing (ipmitool sends Get Channel Cipher Suites this way)
            if (type != PayloadType.IPMI || p.authenticated() || p.encrypted()) {
                bmc.counters.rejected++;
                return;
            }
            IpmiResponse response =
                    CommandDispatcher.presession(bmc, IpmiMessages.decodeRequest(p.payload()), false, null);
            if (response == null) {
                bmc.counters.rejected++;
                return;
            }
            bmc.send(V20SessionPacket.presession(PayloadType.IPMI, response.encode()), peer);
            return;
        }
        SimSession s = bmc.sessions.get(p.sessionId());
        if (s == null || !s.rmcpPlus || !s.active() || bmc.sessions.expired(s, System.nanoTime())) {
            bmc.counters.rejected++;
            return;
        }
        if (type == PayloadType.SOL) {
            // Serial-over-LAN data and acknowledgements (IPMI v2.0 §15.9), only for the session that activated it
            SolPacket sol = SolPacket.decode(s.plus.open(p));
            s.lastActivityNanos = System.nanoTime();
            bmc.console().onPacket(s, sol);
            return;
        }
        IpmiMessage message = s.plus.openMessage(p);
        if (!(message instanceof IpmiRequest request)) {
            bmc.counters.rejected++;
            return;
        }
        s.lastActivityNanos = System.nanoTime();
        IpmiResponse response = CommandDispatcher.inSession(bmc, s, request);
        V20SessionPacket out = s.plus.seal(response);
        bmc.sessions.finishClose(); // before sending: whoever reads the answer sees the session gone
        bmc.send(out, peer);
    }

    /** RMCP+ Open Session Request → Response (IPMI v2.0 §13.17, §13.18): picks a suite, takes a session slot. */
    private static void openSession(SimulatedBmc bmc, OpenSessionRequest req, InetSocketAddress peer) {
        int forced = bmc.faults().openSessionStatus();
        if (forced != 0) {
            sendSetup(
                    bmc,
                    PayloadType.OPEN_SESSION_RESPONSE,
                    OpenSessionResponse.error(req, forced).encode(),
                    peer);
            return;
        }
        SimulatedFleet fleet = bmc.fleet();
        AlgorithmProposal a = req.algorithms();
        CipherSuite suite = null;
        for (int id : SUITE_PREFERENCE) {
            CipherSuite c = fleet.suites().get(id);
            if (c != null
                    && matches(a.authentication(), c.authentication().id())
                    && matches(a.integrity(), c.integrity().id())
                    && matches(a.confidentiality(), c.confidentiality().id())) {
                suite = c;
                break;
            }
        }
        int status = RmcpPlusStatus.NO_ERRORS;
        if (suite == null) {
            status = fleet.suites().values().stream()
                            .noneMatch(c -> matches(
                                    a.authentication(), c.authentication().id()))
                    ? RmcpPlusStatus.INVALID_AUTHENTICATION_ALGORITHM
                    : fleet.suites().values().stream()
                                    .noneMatch(c ->
                                            matches(a.integrity(), c.integrity().id()))
                            ? RmcpPlusStatus.INVALID_INTEGRITY_ALGORITHM
                            : fleet.suites().values().stream()
                                            .noneMatch(c -> matches(
                                                    a.confidentiality(),
                                                    c.confidentiality().id()))
                                    ? RmcpPlusStatus.INVALID_CONFIDENTIALITY_ALGORITHM
                                    : RmcpPlusStatus.NO_CIPHER_SUITE_MATCH;
        } else if (req.requestedMaxPrivilege() > Privilege.OEM.code()) {
            status = RmcpPlusStatus.INVALID_ROLE;
        } else if (req.consoleSessionId() == 0) {
            status = RmcpPlusStatus.INVALID_SESSION_ID;
        }
        if (status != RmcpPlusStatus.NO_ERRORS) {
            sendSetup(
                    bmc,
                    PayloadType.OPEN_SESSION_RESPONSE,
                    OpenSessionResponse.error(req, status).encode(),
                    peer);
            return;
        }
        long now = System.nanoTime();
        if (!bmc.sessions.makeRoom(fleet.opts().maxSessions(), now)) {
            bmc.counters.sessionsRefused++;
            bmc.event("open session refused: no session slot (" + bmc.sessions.activeCount() + " active)");
            sendSetup(
                    bmc,
                    PayloadType.OPEN_SESSION_RESPONSE,
                    OpenSessionResponse.error(req, RmcpPlusStatus.INSUFFICIENT_RESOURCES)
                            .encode(),
                    peer);
            return;
        }
        SimSession s = new SimSession(bmc.sessions.newSessionId(), true, peer, SimSession.State.OPENED, now);
        s.consoleSessionId = req.consoleSessionId();
        s.suite = suite;
        // "0 = highest level matching": answer what the channel allows, not 0 (FreeIPMI rejects a response with 0)
        s.openSessionMaxPrivilege = req.requestedMaxPrivilege() == 0
                ? Privilege.ADMINISTRATOR.code()
                : Math.min(req.requestedMaxPrivilege(), Privilege.ADMINISTRATOR.code());
        bmc.sessions.put(s);
        sendSetup(
                bmc,
                PayloadType.OPEN_SESSION_RESPONSE,
                OpenSessionResponse.accepted(req, s.openSessionMaxPrivilege, s.id, suite)
                        .encode(),
                peer);
    }

    private static boolean matches(int proposed, int algorithm) {
        return proposed == AlgorithmProposal.ANY || proposed == algorithm;
    }

    /** RAKP Message 1 → 2 (IPMI v2.0 §13.20, §13.21): names the user; we prove we know its key. */
    private static void rakp1(SimulatedBmc bmc, Rakp1 r1, InetSocketAddress peer) {
        SimSession s = bmc.sessions.get(r1.bmcSessionId());
        long now = System.nanoTime();
        if (s == null
                || !s.rmcpPlus
                || s.active()
                || s.state == SimSession.State.CHALLENGED
                || bmc.sessions.expired(s, now)) {
            rakp2Error(bmc, r1.tag(), RmcpPlusStatus.INVALID_SESSION_ID, s == null ? 0 : s.consoleSessionId, peer);
            return;
        }
        s.lastActivityNanos = now;
        BmcFaults faults = bmc.faults();
        int forced = faults.rakp2Status();
        int priv = r1.requestedPrivilege();
        SimUser user = bmc.fleet().user(r1.username());
        int status = forced != 0
                ? forced
                : priv < Privilege.CALLBACK.code() || priv > Privilege.OEM.code()
                        ? RmcpPlusStatus.INVALID_ROLE
                        : user == null
                                ? RmcpPlusStatus.UNAUTHORIZED_NAME
                                : priv > user.maxPrivilege().code()
                                        ? RmcpPlusStatus.UNAUTHORIZED_ROLE
                                        : RmcpPlusStatus.NO_ERRORS;
        if (status != RmcpPlusStatus.NO_ERRORS) {
            if (user == null && forced == 0 && status == RmcpPlusStatus.UNAUTHORIZED_NAME) {
                bmc.counters.unknownUsers++;
                bmc.event("RAKP1 unknown user '" + r1.usernameString() + "'");
            }
            bmc.sessions.remove(s);
            rakp2Error(bmc, r1.tag(), status, s.consoleSessionId, peer);
            return;
        }
        byte[] rc = bmc.fleet().randomBytes(16);
        byte[] guid = bmc.guid();
        RakpExchange exchange = new RakpExchange(
                s.suite.authentication(),
                s.consoleSessionId,
                s.id,
                r1.consoleRandom(),
                rc,
                guid,
                r1.role(),
                r1.username());
        byte[] code = exchange.rakp2AuthCode(user.passwordBytes());
        if (faults.corruptRakp2()) {
            BmcFaults.corrupt(code);
        }
        s.exchange = exchange;
        s.user = user;
        s.maxPrivilege = privilegeOf(priv);
        s.state = SimSession.State.RAKP2_SENT;
        sendSetup(
                bmc,
                PayloadType.RAKP_2,
                new Rakp2(r1.tag(), RmcpPlusStatus.NO_ERRORS, s.consoleSessionId, rc, guid, code).encode(),
                peer);
    }

    private static void rakp2Error(
            SimulatedBmc bmc, int tag, int status, int consoleSessionId, InetSocketAddress peer) {
        sendSetup(bmc, PayloadType.RAKP_2, new Rakp2(tag, status, consoleSessionId, NONE, NONE, NONE).encode(), peer);
    }

    /**
     * RAKP Message 3 → 4 (IPMI v2.0 §13.22, §13.23): the console proves it knows the key; both derive the session
     * keys and the session is established.
     */
    private static void rakp3(SimulatedBmc bmc, Rakp3 r3, InetSocketAddress peer) {
        SimSession s = bmc.sessions.get(r3.bmcSessionId());
        long now = System.nanoTime();
        if (s == null || !s.rmcpPlus || s.state != SimSession.State.RAKP2_SENT || bmc.sessions.expired(s, now)) {
            sendSetup(
                    bmc,
                    PayloadType.RAKP_4,
                    new Rakp4(r3.tag(), RmcpPlusStatus.INVALID_SESSION_ID, s == null ? 0 : s.consoleSessionId, NONE)
                            .encode(),
                    peer);
            return;
        }
        if (r3.status() != RmcpPlusStatus.NO_ERRORS) {
            // The console rejected our RAKP2 auth code: a wrong password on its side (IPMI v2.0 §13.22: RAKP3
            // carries the console's error status instead of an auth code).
            bmc.counters.authFailures++;
            bmc.event("RAKP3 from " + peer + " aborted with " + RmcpPlusStatus.describe(r3.status()) + " (user '"
                    + s.user.name() + "', wrong password?)");
            bmc.sessions.remove(s);
            return;
        }
        byte[] kuid = s.user.passwordBytes();
        if (!s.exchange.verifyRakp3(kuid, r3.keyExchangeAuthCode())) {
            bmc.counters.authFailures++;
            bmc.event("RAKP3 auth code invalid for user '" + s.user.name() + "' (wrong password)");
            bmc.sessions.remove(s);
            sendSetup(
                    bmc,
                    PayloadType.RAKP_4,
                    new Rakp4(r3.tag(), RmcpPlusStatus.INVALID_INTEGRITY_CHECK_VALUE, s.consoleSessionId, NONE)
                            .encode(),
                    peer);
            return;
        }
        byte[] kg = bmc.fleet().opts().bmcKey();
        SessionKeys keys = s.exchange.deriveKeys(kg != null ? kg : kuid); // no BMC key: K_g = K_uid
        byte[] icv = s.exchange.rakp4Icv(keys.sik());
        if (bmc.faults().corruptRakp4()) {
            BmcFaults.corrupt(icv);
        }
        s.plus = RmcpPlusSession.forBmc(s.suite, keys, s.id, s.consoleSessionId);
        s.exchange = null;
        s.lastActivityNanos = now;
        bmc.sessions.activate(s);
        bmc.event(String.format(
                "session %08x opened (RMCP+ suite %d, user '%s', max %s)",
                s.id, s.suite.id(), s.user.name(), s.maxPrivilege));
        sendSetup(
                bmc,
                PayloadType.RAKP_4,
                new Rakp4(r3.tag(), RmcpPlusStatus.NO_ERRORS, s.consoleSessionId, icv).encode(),
                peer);
    }

    private static void sendSetup(SimulatedBmc bmc, int payloadType, byte[] payload, InetSocketAddress peer) {
        bmc.send(V20SessionPacket.presession(payloadType, payload), peer);
    }

    private static Privilege privilegeOf(int code) {
        for (Privilege p : Privilege.values()) {
            if (p.code() == code) {
                return p;
            }
        }
        return Privilege.USER;
    }
}
