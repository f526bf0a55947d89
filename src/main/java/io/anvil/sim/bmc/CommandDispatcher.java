package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.command.ActivatePayload;
import io.anvil.ipmi.codec.command.CloseSession;
import io.anvil.ipmi.codec.command.DeactivatePayload;
import io.anvil.ipmi.codec.command.GetPayloadActivationStatus;
import io.anvil.ipmi.codec.command.SetSessionPrivilegeLevel;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.lan.NetFn;
import java.net.InetSocketAddress;

/**
 * Routes one IPMI request of a simulated BMC to its handler: the few commands allowed outside a session, the
 * session-management commands (which act on the {@link SessionTable}), and every other command after the
 * privilege check and the forced-completion-code fault ({@link BmcCommands} answers those). Stateless; runs on
 * the BMC's event loop.
 */
final class CommandDispatcher {

    private static final byte[] NONE = new byte[0];

    private CommandDispatcher() {}

    /**
     * Commands allowed outside a session (IPMI v2.0 §22.13, §22.15, §22.16); null = drop silently. Get Session
     * Challenge exists only in IPMI v1.5 framing ({@code peer} is then the console's address).
     */
    static IpmiResponse presession(SimulatedBmc bmc, IpmiRequest req, boolean v15Framing, InetSocketAddress peer) {
        if (req.netFn() != NetFn.APP) {
            return null;
        }
        SimulatedFleet fleet = bmc.fleet();
        return switch (req.command()) {
            case 0x38 -> BmcCommands.channelAuthCapabilities(fleet, req);
            case 0x54 -> BmcCommands.channelCipherSuites(fleet, req);
            case 0x39 ->
                v15Framing && !fleet.v15Types().isEmpty() ? V15Handshake.getSessionChallenge(bmc, req, peer) : null;
            default -> null;
        };
    }

    /** A request inside an established session. */
    static IpmiResponse inSession(SimulatedBmc bmc, SimSession s, IpmiRequest req) {
        bmc.counters.commands++;
        int netFn = req.netFn();
        int cmd = req.command();
        if (netFn == NetFn.APP) {
            switch (cmd) {
                case 0x38:
                    return BmcCommands.channelAuthCapabilities(bmc.fleet(), req);
                case 0x54:
                    return BmcCommands.channelCipherSuites(bmc.fleet(), req);
                case 0x3B:
                    return setSessionPrivilege(bmc, s, req);
                case 0x3C:
                    return closeSession(bmc, s, req);
                default:
                    break;
            }
        }
        Privilege required = BmcCommands.requiredPrivilege(netFn, cmd);
        if (required == null) {
            return req.respond(0xC1, NONE); // invalid command
        }
        if (s.privilege.code() < required.code()) {
            bmc.counters.privilegeDenied++;
            bmc.event(String.format(
                    "netFn %02x cmd %02x denied: session at %s, needs %s", netFn, cmd, s.privilege, required));
            return req.respond(0xD4, NONE);
        }
        int forced = bmc.faults().completionCode();
        if (forced != 0) {
            return req.respond(forced, NONE);
        }
        if (netFn == NetFn.APP && cmd >= ActivatePayload.COMMAND && cmd <= GetPayloadActivationStatus.COMMAND) {
            return payloadCommand(bmc, s, req);
        }
        return BmcCommands.execute(bmc, req);
    }

    /**
     * Activate Payload, Deactivate Payload and Get Payload Activation Status (IPMI v2.0 §24.1, §24.2, §24.4) for
     * the SOL payload; only RMCP+ sessions carry payloads other than IPMI messages.
     */
    private static IpmiResponse payloadCommand(SimulatedBmc bmc, SimSession s, IpmiRequest req) {
        try {
            switch (req.command()) {
                case ActivatePayload.COMMAND: {
                    if (!s.rmcpPlus) {
                        return req.respond(0xD5, NONE); // not supported in this session's protocol
                    }
                    int cc = bmc.console().activate(s, ActivatePayload.Request.decode(req.data()));
                    if (cc != 0) {
                        return req.respond(cc, NONE);
                    }
                    int port = ((InetSocketAddress) bmc.channel().localAddress()).getPort();
                    return req.respond(
                            0x00,
                            new ActivatePayload.Response(
                                            SimulatedConsole.MAX_PAYLOAD, SimulatedConsole.MAX_PAYLOAD, port)
                                    .encode());
                }
                case DeactivatePayload.COMMAND:
                    return req.respond(bmc.console().deactivate(s, DeactivatePayload.Request.decode(req.data())), NONE);
                default: {
                    GetPayloadActivationStatus.Request q = GetPayloadActivationStatus.Request.decode(req.data());
                    boolean sol = q.payloadType() == PayloadType.SOL;
                    return req.respond(
                            0x00,
                            new GetPayloadActivationStatus.Response(sol ? 1 : 0, sol && bmc.solActive() ? 1 : 0)
                                    .encode());
                }
            }
        } catch (IpmiDecodeException e) {
            return req.respond(0xC7, NONE); // request data length invalid
        }
    }

    /** Set Session Privilege Level (IPMI v2.0 §22.18): up to the session's and the user's limit. */
    private static IpmiResponse setSessionPrivilege(SimulatedBmc bmc, SimSession s, IpmiRequest req) {
        Privilege p;
        try {
            p = SetSessionPrivilegeLevel.Request.decode(req.data()).privilege();
        } catch (IpmiDecodeException e) {
            return req.respond(0xCC, NONE);
        }
        if (p != Privilege.UNSPECIFIED) {
            if (p.code() > s.maxPrivilege.code()
                    || p.code() > s.user.maxPrivilege().code()) {
                bmc.counters.privilegeDenied++;
                return req.respond(0x81, NONE); // exceeds channel/user limit
            }
            s.privilege = p;
        }
        return req.respond(0x00, new byte[] {(byte) s.privilege.code()});
    }

    /**
     * Close Session (IPMI v2.0 §22.19): one's own session, or another with ADMINISTRATOR. The session ends after
     * its answer is sealed ({@link SessionTable#finishClose()}).
     */
    private static IpmiResponse closeSession(SimulatedBmc bmc, SimSession s, IpmiRequest req) {
        int id;
        try {
            id = CloseSession.Request.decode(req.data()).sessionId();
        } catch (IpmiDecodeException e) {
            return req.respond(0xC7, NONE);
        }
        if (id == 0) {
            return req.respond(0x88, NONE); // session handles are not supported
        }
        SimSession target = bmc.sessions.get(id);
        if (target == null || !target.active()) {
            return req.respond(0x87, NONE);
        }
        if (target != s && s.privilege.code() < Privilege.ADMINISTRATOR.code()) {
            bmc.counters.privilegeDenied++;
            return req.respond(0xD4, NONE);
        }
        bmc.sessions.closeAfterReply(id);
        return req.respond(0x00, NONE);
    }
}
