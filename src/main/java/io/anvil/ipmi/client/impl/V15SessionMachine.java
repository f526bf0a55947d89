package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.client.BadCredentialsException;
import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.InsufficientPrivilegeException;
import io.anvil.ipmi.client.IpmiTimeoutException;
import io.anvil.ipmi.client.SessionLimitException;
import io.anvil.ipmi.client.SessionSetupException;
import io.anvil.ipmi.client.UnknownUserException;
import io.anvil.ipmi.codec.AuthType;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.RmcpMessage;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.command.ActivateSession;
import io.anvil.ipmi.codec.command.GetChannelAuthCapabilities;
import io.anvil.ipmi.codec.command.GetSessionChallenge;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.session.V15Session;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * IPMI v1.5 session (IPMI v2.0 §13.6, docs/ipmi.md#v15-sessions):
 * <pre>
 * Get Channel Auth Caps → pick auth type (configured, else MD5 > MD2 > straight > none among those offered)
 * Get Session Challenge (auth type, user) → temporary session id + challenge     cc 0x81/0x82: unknown user
 * Activate Session, signed over the temporary id with sequence 0 → session id, first outbound sequence
 *   (no answer: ipmi_sim silently drops a wrong auth code → reported as bad credentials)
 * → {@link V15Session} (auth codes, sequence numbers from the BMC's value, tolerant receive window)
 * </pre>
 */
final class V15SessionMachine extends ClientSession {

    private static final List<AuthType> PREFERENCE =
            List.of(AuthType.MD5, AuthType.MD2, AuthType.STRAIGHT_PASSWORD, AuthType.NONE);

    private byte[] password;
    private AuthType authType;
    /** Id under which the endpoint routes to us: the temporary id while activating, then the session id. */
    private int routedId;

    private boolean activating;
    private V15Session session;

    V15SessionMachine(BmcEndpoint endpoint, BmcTarget target) {
        super(endpoint, target);
    }

    @Override
    protected Future<Void> establish() {
        password = target.password().getBytes(StandardCharsets.UTF_8);
        byte[] username = target.username().getBytes(StandardCharsets.UTF_8);
        if (password.length > 16 || username.length > 16) {
            return Future.failedFuture(
                    new SessionSetupException(bmc(), "IPMI v1.5 allows user names and passwords of up to 16 bytes"));
        }
        return channelAuthCapabilities(false).compose(caps -> {
            authType = chooseAuthType(caps);
            if (authType == null) {
                return Future.failedFuture(new SessionSetupException(
                        bmc(),
                        "BMC does not offer "
                                + (target.authType() != null
                                        ? "v1.5 auth type " + target.authType()
                                        : "any v1.5 auth type we speak")
                                + String.format(" (auth type bitmap 0x%02x)", caps.authTypes())));
            }
            GetSessionChallenge.Request challenge = new GetSessionChallenge.Request(authType, username);
            return preSession(challenge, "Get Session Challenge").compose(r -> {
                if (r.completionCode() == 0x81 || r.completionCode() == 0x82) {
                    return Future.failedFuture(new UnknownUserException(
                            bmc(),
                            "user '" + target.username() + "' refused by Get Session Challenge: "
                                    + r.completionCodeDescription()));
                }
                GetSessionChallenge.Response c =
                        Commands.decode(bmc(), "Get Session Challenge", r, GetSessionChallenge.Response::decode);
                return activate(c, !caps.perMessageAuthenticationDisabled());
            });
        });
    }

    private AuthType chooseAuthType(GetChannelAuthCapabilities.Response caps) {
        if (target.authType() != null) {
            return caps.supports(target.authType()) ? target.authType() : null;
        }
        for (AuthType t : PREFERENCE) {
            if (caps.supports(t)) {
                return t;
            }
        }
        return null;
    }

    private Future<Void> activate(GetSessionChallenge.Response challenge, boolean perMessageAuth) {
        int tempId = challenge.temporarySessionId();
        int outbound;
        do {
            outbound = endpoint.client.random.nextInt();
        } while (outbound == 0);
        ActivateSession.Request request =
                new ActivateSession.Request(authType, target.privilege(), challenge.challenge(), outbound);
        activating = true;
        route(tempId);
        return endpoint.sendCommand(
                        this,
                        request.netFn(),
                        request.command(),
                        request.encode(),
                        r -> V15Session.sign(authType, password, tempId, 0, r.encode()),
                        endpoint.retry(),
                        "Activate Session")
                .recover(err -> Future.failedFuture(
                        err instanceof IpmiTimeoutException && authType != AuthType.NONE
                                ? new BadCredentialsException(
                                        bmc(),
                                        "no answer to Activate Session after a successful"
                                                + " challenge: the BMC drops requests whose " + authType
                                                + " auth code is wrong, so"
                                                + " the password for user '" + target.username()
                                                + "' is most likely wrong",
                                        err)
                                : err))
                .compose(r -> {
                    activating = false;
                    switch (r.completionCode()) {
                        case 0x81:
                        case 0x82:
                        case 0x83:
                            return Future.failedFuture(new SessionLimitException(
                                    bmc(), "Activate Session: " + r.completionCodeDescription()));
                        case 0x86:
                            return Future.failedFuture(new InsufficientPrivilegeException(
                                    bmc(), "Activate Session: " + r.completionCodeDescription()));
                        default:
                            break;
                    }
                    ActivateSession.Response a =
                            Commands.decode(bmc(), "Activate Session", r, ActivateSession.Response::decode);
                    session = new V15Session(
                            a.authType(), password, a.sessionId(), a.initialInboundSequence(), perMessageAuth);
                    route(a.sessionId());
                    return Future.<Void>succeededFuture();
                });
    }

    private void route(int id) {
        unregister();
        routedId = id;
        endpoint.register(id, this);
    }

    /** A datagram whose header names our (temporary or real) session id. */
    void onPacket(V15SessionPacket packet) {
        byte[] bytes;
        if (session == null) {
            if (!activating) {
                endpoint.client.counters.unmatched.incrementAndGet();
                return;
            }
            // the Activate Session response: signed over the temporary id
            if (packet.authType() != AuthType.NONE && !V15Session.verify(packet, password)) {
                endpoint.client.counters.malformed(IpmiDecodeException.Reason.BAD_AUTH_CODE);
                return;
            }
            bytes = packet.message();
        } else {
            try {
                bytes = session.open(packet);
            } catch (IpmiDecodeException e) {
                endpoint.client.counters.malformed(e);
                return;
            }
        }
        byte[] opened = bytes;
        deliver(() -> IpmiMessages.decode(opened));
    }

    @Override
    protected RmcpMessage seal(IpmiRequest request) {
        return session.seal(request);
    }

    @Override
    protected boolean establishedAtBmc() {
        return session != null;
    }

    @Override
    protected int bmcSessionId() {
        return session.sessionId();
    }

    @Override
    protected void unregister() {
        if (routedId != 0) {
            endpoint.unregisterV15(routedId, this);
            routedId = 0;
        }
    }
}
