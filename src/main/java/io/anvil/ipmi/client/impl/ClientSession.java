package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.ClientClosedException;
import io.anvil.ipmi.client.InsufficientPrivilegeException;
import io.anvil.ipmi.client.IpmiTimeoutException;
import io.anvil.ipmi.client.RetryPolicy;
import io.anvil.ipmi.codec.Privilege;
import io.anvil.ipmi.codec.RmcpMessage;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.command.CloseSession;
import io.anvil.ipmi.codec.command.CommandRequest;
import io.anvil.ipmi.codec.command.GetChannelAuthCapabilities;
import io.anvil.ipmi.codec.command.GetDeviceId;
import io.anvil.ipmi.codec.command.SetSessionPrivilegeLevel;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.vertx.core.Future;

/**
 * One session to one BMC for one {@link BmcTarget}, and its life cycle:
 * <pre>
 * IDLE --first command--> OPENING: establish() [protocol-specific] → Set Session Privilege Level --> ACTIVE
 * ACTIVE --commands--> ACTIVE          ACTIVE --close()/idle--> Close Session --> CLOSED
 * ACTIVE --a command times out--> CLOSED (presumed dead on the BMC side; the next operation opens a new one)
 * OPENING --failure--> CLOSED (a session already established at the BMC gets a Close Session first)
 * </pre>
 * Commands run only inside governor operations. Confined to the client's worker context.
 */
abstract class ClientSession {

    enum State {
        IDLE,
        OPENING,
        ACTIVE,
        CLOSING,
        CLOSED
    }

    /** Opens (verifies, decrypts, decodes) one in-session datagram. */
    @FunctionalInterface
    interface Opener {
        io.anvil.ipmi.codec.lan.IpmiMessage open() throws io.anvil.ipmi.codec.IpmiDecodeException;
    }

    /** Hands an in-session response to the endpoint; undecodable or unexpected datagrams are counted and dropped. */
    protected final void deliver(Opener opener) {
        io.anvil.ipmi.codec.lan.IpmiMessage message;
        try {
            message = opener.open();
        } catch (io.anvil.ipmi.codec.IpmiDecodeException e) {
            endpoint.client.counters.malformed(e);
            return;
        }
        if (message instanceof IpmiResponse response) {
            endpoint.onResponse(this, response);
        } else {
            endpoint.client.counters.unmatched.incrementAndGet();
        }
    }

    final BmcEndpoint endpoint;
    final BmcTarget target;
    State state = State.IDLE;
    private Future<Void> opening;
    /** Last command issued on behalf of a caller (keepalives excluded): drives the idle close. */
    long lastUsedNanos = System.nanoTime();
    /** Last command of any kind: drives the keepalive. */
    long lastTrafficNanos = System.nanoTime();

    /** Its next keepalive or idle close on the client's deadline queue (null while a keepalive runs, or closed). */
    Deadlines.Deadline housekeeping;

    ClientSession(BmcEndpoint endpoint, BmcTarget target) {
        this.endpoint = endpoint;
        this.target = target;
    }

    /** Protocol handshake up to an active session at USER level (RMCP+ RAKP, or v1.5 activation). */
    protected abstract Future<Void> establish();

    /** Wraps one request for this session: a fresh session sequence number on every call. */
    protected abstract RmcpMessage seal(IpmiRequest request);

    /** True once the BMC holds a session for us (so it must be closed). */
    protected abstract boolean establishedAtBmc();

    /** Session id that Close Session names: the BMC's (SIDc for RMCP+). */
    protected abstract int bmcSessionId();

    /** Removes this session's routes from the endpoint. */
    protected abstract void unregister();

    final String bmc() {
        return endpoint.name;
    }

    Future<Void> ensureOpen() {
        switch (state) {
            case ACTIVE:
                return Future.succeededFuture();
            case OPENING:
                return opening;
            case IDLE:
                break;
            default:
                // closing/closed while a caller held it: continue on the endpoint's current session
                ClientSession current = endpoint.session(target);
                return current != this ? current.ensureOpen() : Future.failedFuture(new ClientClosedException(bmc()));
        }
        state = State.OPENING;
        opening = establish().compose(v -> setPrivilege()).transform(ar -> {
            if (ar.succeeded()) {
                state = State.ACTIVE;
                lastTrafficNanos = System.nanoTime();
                endpoint.client.counters.sessionsOpened.incrementAndGet();
                endpoint.client.scheduleHousekeeping(this);
                return Future.succeededFuture();
            }
            Future<Void> cleanup = establishedAtBmc() ? sendClose() : Future.succeededFuture();
            return cleanup.transform(x -> {
                finish(false);
                return Future.<Void>failedFuture(ar.cause());
            });
        });
        return opening;
    }

    /** Sessions start at USER: raise them to the target privilege (docs/ipmi.md#privilege). */
    private Future<Void> setPrivilege() {
        Privilege wanted = target.privilege();
        return inSession(new SetSessionPrivilegeLevel.Request(wanted), "Set Session Privilege Level")
                .compose(r -> {
                    if (r.completionCode() == 0x80 || r.completionCode() == 0x81 || r.completionCode() == 0xD4) {
                        return Future.failedFuture(new InsufficientPrivilegeException(
                                bmc(),
                                "BMC refused privilege "
                                        + wanted + " for user '" + target.username() + "': "
                                        + r.completionCodeDescription()));
                    }
                    SetSessionPrivilegeLevel.Response granted = Commands.decode(
                            bmc(), "Set Session Privilege Level", r, SetSessionPrivilegeLevel.Response::decode);
                    if (granted.privilege().code() < wanted.code()) {
                        return Future.failedFuture(new InsufficientPrivilegeException(
                                bmc(),
                                "asked for privilege "
                                        + wanted + " for user '" + target.username() + "', BMC granted "
                                        + granted.privilege()));
                    }
                    return Future.<Void>succeededFuture();
                });
    }

    /** A caller's command: opens the session if needed. The response may carry any completion code. */
    Future<IpmiResponse> command(CommandRequest request, String name) {
        lastUsedNanos = System.nanoTime();
        return ensureOpen().compose(v -> inSession(request, name));
    }

    /** Keepalive: Get Device ID (USER level, no side effects) on an otherwise idle session. */
    Future<Void> keepalive() {
        if (state != State.ACTIVE) {
            return Future.succeededFuture();
        }
        endpoint.client.counters.keepalives.incrementAndGet();
        return inSession(GetDeviceId.REQUEST, "Get Device ID (keepalive)").mapEmpty();
    }

    private Future<IpmiResponse> inSession(CommandRequest request, String name) {
        return endpoint.sendCommand(
                        this, request.netFn(), request.command(), request.encode(), this::seal, endpoint.retry(), name)
                .onComplete(ar -> {
                    lastTrafficNanos = System.nanoTime();
                    if (ar.failed() && ar.cause() instanceof IpmiTimeoutException && state == State.ACTIVE) {
                        finish(true); // the BMC lost or expired our session: do not reuse it
                    }
                });
    }

    /** Close Session (bounded by the close retry policy), then forget the session whatever the answer. */
    Future<Void> close() {
        if (state != State.ACTIVE) {
            if (state == State.IDLE) {
                finish(false);
            }
            return Future.succeededFuture();
        }
        state = State.CLOSING;
        return sendClose().transform(ar -> {
            finish(true);
            return Future.succeededFuture();
        });
    }

    private Future<Void> sendClose() {
        RetryPolicy policy = endpoint.client.options.getCloseRetry();
        CloseSession.Request request = new CloseSession.Request(bmcSessionId());
        return endpoint.sendCommand(
                        this, request.netFn(), request.command(), request.encode(), this::seal, policy, "Close Session")
                .mapEmpty();
    }

    private void finish(boolean wasOpen) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (housekeeping != null) {
            housekeeping.cancel();
            housekeeping = null;
        }
        if (wasOpen) {
            endpoint.client.counters.sessionsClosed.incrementAndGet();
        }
        unregister();
        endpoint.forget(this);
        onFinished();
    }

    /** The session is gone (closed, dropped or failed to open). */
    protected void onFinished() {}

    // ---- pre-session helpers shared by both protocols -----------------------------------------------

    /** Get Channel Authentication Capabilities, pre-session in v1.5 framing (what every client sends). */
    Future<GetChannelAuthCapabilities.Response> channelAuthCapabilities(boolean v20) {
        GetChannelAuthCapabilities.Request request = new GetChannelAuthCapabilities.Request(
                GetChannelAuthCapabilities.CURRENT_CHANNEL, v20, target.privilege());
        return preSession(request, "Get Channel Authentication Capabilities")
                .map(r -> Commands.decode(
                        bmc(),
                        "Get Channel Authentication Capabilities",
                        r,
                        GetChannelAuthCapabilities.Response::decode));
    }

    Future<IpmiResponse> preSession(CommandRequest request, String name) {
        return endpoint.sendCommand(
                BmcEndpoint.PRESESSION,
                request.netFn(),
                request.command(),
                request.encode(),
                r -> V15SessionPacket.presession(r.encode()),
                endpoint.retry(),
                name);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + target + ", " + state + "]";
    }
}
