package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.ClientClosedException;
import io.anvil.ipmi.client.ProtocolVersion;
import io.anvil.ipmi.client.RetryPolicy;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.RmcpMessage;
import io.anvil.ipmi.codec.V15SessionPacket;
import io.anvil.ipmi.codec.V20SessionPacket;
import io.anvil.ipmi.codec.lan.CompletionCode;
import io.anvil.ipmi.codec.lan.IpmiMessage;
import io.anvil.ipmi.codec.lan.IpmiMessages;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.lan.IpmiResponse;
import io.anvil.ipmi.codec.lan.RqSeqCounter;
import io.vertx.core.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the client knows about one BMC address: its {@link Governor}, its sessions (one per
 * {@link BmcTarget}), the rqSeq counter and the tables that match answers to waiting requests.
 *
 * <p>Demultiplexing of an inbound datagram from this address (the transport already picked the endpoint):
 * <ul>
 *   <li>v1.5, session id 0 → pre-session IPMI response, matched on (rqSeq, netFn, cmd);</li>
 *   <li>v1.5, session id ≠ 0 → the v1.5 session with that id (during activation: the temporary id);</li>
 *   <li>RMCP+ Open Session Response / RAKP2 / RAKP4 → the handshake waiting on the SIDm at payload offset 4
 *       (not the message tag: OpenBMC answers with tag 0);</li>
 *   <li>RMCP+ in-session → the session whose SIDm is in the header, which verifies/decrypts it, then the
 *       response is matched on (rqSeq, netFn, cmd) <em>and</em> the session it came through.</li>
 * </ul>
 * Anything else is counted and dropped. Confined to the client's worker context.
 */
final class BmcEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(BmcEndpoint.class);

    /** Route of requests sent outside any session. */
    static final Object PRESESSION = new Object() {
        @Override
        public String toString() {
            return "pre-session";
        }
    };

    final IpmiClientImpl client;
    final InetSocketAddress address;
    final String name;
    final Governor governor;
    /** How long a refused session-setup answer waits for a better one (see {@link #sendSetup}). */
    static final long SETUP_GRACE_MS = 200;
    /** Starts at a random value: a replayed or stray answer is less likely to match. */
    private final RqSeqCounter rqSeq;

    private final Map<Integer, Pending> commands = new HashMap<>();
    private final Map<Integer, SetupPending> setups = new HashMap<>();
    private final Map<Integer, RmcpPlusSessionMachine> v20BySidm = new HashMap<>();
    private final Map<Integer, V15SessionMachine> v15ById = new HashMap<>();
    private final Map<BmcTarget, ClientSession> sessions = new HashMap<>();
    /** Cipher suite that last worked here (skips probing 17 on BMCs that only do 3). */
    Integer learnedSuite;

    private int tag;

    private record Pending(Object route, Exchange<IpmiResponse> exchange) {}

    /** Validates a session-setup answer inside the exchange; see {@link #sendSetup}. */
    @FunctionalInterface
    interface SetupCheck<T> {
        T check(byte[] payload) throws IpmiDecodeException;
    }

    private record SetupPending(int payloadType, int tag, Exchange<Object> exchange, SetupCheck<?> check) {}

    BmcEndpoint(IpmiClientImpl client, InetSocketAddress address, String name, Governor governor) {
        this.client = client;
        this.address = address;
        this.name = name;
        this.governor = governor;
        this.rqSeq = new RqSeqCounter(client.random.nextInt(64));
    }

    /** The session for these credentials, created (not yet opened) on first use. */
    ClientSession session(BmcTarget target) {
        return sessions.computeIfAbsent(
                target,
                t -> t.version() == ProtocolVersion.V1_5
                        ? new V15SessionMachine(this, t)
                        : new RmcpPlusSessionMachine(this, t));
    }

    /** Forgets a session (closed, dropped or failed to open) so the next operation starts a new one. */
    void forget(ClientSession s) {
        sessions.remove(s.target, s);
    }

    List<ClientSession> sessions() {
        return new ArrayList<>(sessions.values());
    }

    /**
     * Nothing here is in use or worth keeping: no session (idle ones were closed after session_idle_close), nothing
     * pending or queued, and a closed circuit (an open one remembers a failing BMC). Such an endpoint can be dropped
     * and made again on the next call, so a conductor keeps state only for the BMCs it talks to.
     */
    boolean unused() {
        return sessions.isEmpty()
                && commands.isEmpty()
                && setups.isEmpty()
                && governor.idle()
                && governor.circuitState() == 0;
    }

    int nextTag() {
        tag = (tag + 1) & 0x3F;
        return tag;
    }

    RetryPolicy retry() {
        return client.options.getRetry();
    }

    // ---- outbound -------------------------------------------------------------------------------------

    /**
     * Sends an IPMI request and waits for the matching response, retransmitting per {@code policy};
     * {@code sealer} wraps the request into a datagram and is called again for every try.
     * Completion code 0xCF ("duplicate request") is not an answer: the original's answer is awaited.
     */
    Future<IpmiResponse> sendCommand(
            Object route,
            int netFn,
            int command,
            byte[] data,
            Function<IpmiRequest, RmcpMessage> sealer,
            RetryPolicy policy,
            String what) {
        int seq = -1;
        for (int i = 0; i < 64 && seq < 0; i++) {
            int candidate = rqSeq.next();
            if (!commands.containsKey(
                    IpmiRequest.toBmc(netFn, command, candidate, data).correlationKey())) {
                seq = candidate;
            }
        }
        if (seq < 0) {
            return Future.failedFuture(new IllegalStateException("64 requests in flight to " + name));
        }
        IpmiRequest request = IpmiRequest.toBmc(netFn, command, seq, data);
        Exchange<IpmiResponse> exchange = new Exchange<>(
                client.deadlines, name, what, policy, () -> sealer.apply(request), this::send, client.counters);
        Pending pending = new Pending(route, exchange);
        int key = request.correlationKey();
        commands.put(key, pending);
        exchange.future().onComplete(ar -> commands.remove(key, pending));
        return exchange.start();
    }

    /**
     * Sends an RMCP+ session-setup datagram and waits for the payload of type {@code answerType} for SIDm
     * (the payload's first byte, the message tag, is the fallback key for error answers, see
     * {@link #onV20}). Each candidate answer goes through {@code check}: a value completes the exchange; an
     * {@link IpmiDecodeException} drops the datagram as malformed and keeps waiting; any other exception
     * (refusal, HMAC mismatch) fails the exchange unless an acceptable answer follows within a short grace
     * period — these payloads are unauthenticated, so a corrupted copy must not end the handshake.
     */
    @SuppressWarnings("unchecked")
    <T> Future<T> sendSetup(
            int consoleSessionId, int answerType, V20SessionPacket packet, String what, SetupCheck<T> check) {
        Exchange<Object> exchange =
                new Exchange<>(client.deadlines, name, what, retry(), () -> packet, this::send, client.counters);
        SetupPending pending = new SetupPending(answerType, packet.payload()[0] & 0xFF, exchange, check);
        setups.put(consoleSessionId, pending);
        exchange.future().onComplete(ar -> setups.remove(consoleSessionId, pending));
        return (Future<T>) exchange.start();
    }

    boolean consoleSessionIdInUse(int sidm) {
        return sidm == 0 || v20BySidm.containsKey(sidm) || setups.containsKey(sidm);
    }

    void register(int sidm, RmcpPlusSessionMachine s) {
        v20BySidm.put(sidm, s);
    }

    void unregisterV20(int sidm, RmcpPlusSessionMachine s) {
        v20BySidm.remove(sidm, s);
    }

    void register(int sessionId, V15SessionMachine s) {
        v15ById.put(sessionId, s);
    }

    void unregisterV15(int sessionId, V15SessionMachine s) {
        v15ById.remove(sessionId, s);
    }

    /** Sends a datagram that expects no matched answer (SOL packets: their acknowledgements are payloads too). */
    void sendDatagram(RmcpMessage message) {
        send(message);
    }

    private void send(RmcpMessage message) {
        client.transport.send(address, message);
    }

    // ---- inbound --------------------------------------------------------------------------------------

    /** One datagram from this BMC's address. Never throws. */
    void onDatagram(RmcpMessage message) {
        try {
            if (message instanceof V15SessionPacket p) {
                onV15(p);
            } else if (message instanceof V20SessionPacket p) {
                onV20(p);
            } else {
                client.counters.unmatched.incrementAndGet(); // ASF pong etc.: we never ping
            }
        } catch (RuntimeException e) {
            client.counters.malformed(IpmiDecodeException.Reason.INTERNAL);
            LOG.debug("datagram from {} dropped: {}", name, e.toString());
        }
    }

    private void onV15(V15SessionPacket p) {
        if (p.sessionId() != 0) {
            V15SessionMachine s = v15ById.get(p.sessionId());
            if (s == null) {
                client.counters.unmatched.incrementAndGet();
            } else {
                s.onPacket(p);
            }
            return;
        }
        IpmiMessage m;
        try {
            m = IpmiMessages.decode(p.message());
        } catch (IpmiDecodeException e) {
            client.counters.malformed(e);
            return;
        }
        if (m instanceof IpmiResponse r) {
            onResponse(PRESESSION, r);
        } else {
            client.counters.unmatched.incrementAndGet();
        }
    }

    private void onV20(V20SessionPacket p) {
        if (PayloadType.isSessionSetup(p.payloadType())) {
            byte[] payload = p.payload();
            if (payload.length < 2) {
                client.counters.malformed(IpmiDecodeException.Reason.TRUNCATED);
                return;
            }
            // Open Session Response, RAKP2 and RAKP4 all carry SIDm at offset 4 (LE); error answers may be
            // just "tag, status" (ipmi_sim refusing suite 17 sends 2 bytes)
            SetupPending pending = null;
            if (payload.length >= 8) {
                pending = setups.get((payload[4] & 0xFF)
                        | (payload[5] & 0xFF) << 8
                        | (payload[6] & 0xFF) << 16
                        | (payload[7] & 0xFF) << 24);
            }
            if (pending == null && payload[1] != 0) {
                pending = errorAnswerByTag(p.payloadType(), payload[0] & 0xFF);
            }
            if (pending == null || pending.payloadType != p.payloadType()) {
                client.counters.unmatched.incrementAndGet();
                return;
            }
            accept(pending, payload);
            return;
        }
        RmcpPlusSessionMachine s = p.sessionId() == 0 ? null : v20BySidm.get(p.sessionId());
        if (s == null) {
            client.counters.unmatched.incrementAndGet();
        } else {
            s.onPacket(p);
        }
    }

    private void accept(SetupPending pending, byte[] payload) {
        Object value;
        try {
            value = pending.check.check(payload);
        } catch (IpmiDecodeException e) {
            client.counters.malformed(e);
            return;
        } catch (RuntimeException e) {
            pending.exchange.failSoon(
                    e, Math.min(SETUP_GRACE_MS, retry().firstTimeout().toMillis()));
            return;
        }
        pending.exchange.complete(value);
    }

    /**
     * ipmi_sim 2.0.33 answers a refused Open Session (e.g. suite 17: status 0x04) with a 2-byte payload
     * (tag, status) and no SIDm, so an error answer without a matching SIDm goes to the one handshake waiting for that payload
     * type with that message tag — only if exactly one does. Successful answers are matched on SIDm only.
     */
    private SetupPending errorAnswerByTag(int payloadType, int tag) {
        SetupPending found = null;
        for (SetupPending candidate : setups.values()) {
            if (candidate.payloadType == payloadType && candidate.tag == tag) {
                if (found != null) {
                    return null;
                }
                found = candidate;
            }
        }
        return found;
    }

    /** A verified, decoded response that came through {@code route}. */
    void onResponse(Object route, IpmiResponse response) {
        Pending pending = commands.get(response.correlationKey());
        if (pending == null || pending.route != route) {
            client.counters.unmatched.incrementAndGet();
            return;
        }
        if (response.completionCode() == CompletionCode.DUPLICATE_REQUEST.code()) {
            return; // "already answered": the answer to the first try may still come
        }
        pending.exchange.complete(response);
    }

    /** Fails everything still waiting (end of shutdown). */
    void abortAll() {
        for (Pending p : new ArrayList<>(commands.values())) {
            p.exchange.fail(new ClientClosedException(name));
        }
        for (SetupPending p : new ArrayList<>(setups.values())) {
            p.exchange.fail(new ClientClosedException(name));
        }
    }
}
