package io.anvil.ipmi.client.impl;

import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.INACTIVE_SESSION_ID;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.INSUFFICIENT_RESOURCES;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.INSUFFICIENT_RESOURCES_FOR_ROLE;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.INVALID_AUTHENTICATION_ALGORITHM;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.INVALID_CONFIDENTIALITY_ALGORITHM;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.INVALID_INTEGRITY_ALGORITHM;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.INVALID_INTEGRITY_CHECK_VALUE;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.INVALID_ROLE;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.INVALID_SESSION_ID;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.NO_CIPHER_SUITE_MATCH;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.NO_MATCHING_AUTHENTICATION_PAYLOAD;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.NO_MATCHING_INTEGRITY_PAYLOAD;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.UNAUTHORIZED_NAME;
import static io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus.UNAUTHORIZED_ROLE;

import io.anvil.ipmi.client.BadCredentialsException;
import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.InsufficientPrivilegeException;
import io.anvil.ipmi.client.IpmiClientException;
import io.anvil.ipmi.client.IpmiTimeoutException;
import io.anvil.ipmi.client.SessionLimitException;
import io.anvil.ipmi.client.SessionSetupException;
import io.anvil.ipmi.client.UnknownUserException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.RmcpMessage;
import io.anvil.ipmi.codec.V20SessionPacket;
import io.anvil.ipmi.codec.crypto.CipherSuite;
import io.anvil.ipmi.codec.crypto.RakpExchange;
import io.anvil.ipmi.codec.crypto.SessionKeys;
import io.anvil.ipmi.codec.lan.IpmiRequest;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionRequest;
import io.anvil.ipmi.codec.rmcpplus.OpenSessionResponse;
import io.anvil.ipmi.codec.rmcpplus.Rakp1;
import io.anvil.ipmi.codec.rmcpplus.Rakp2;
import io.anvil.ipmi.codec.rmcpplus.Rakp3;
import io.anvil.ipmi.codec.rmcpplus.Rakp4;
import io.anvil.ipmi.codec.rmcpplus.RmcpPlusStatus;
import io.anvil.ipmi.codec.session.RmcpPlusSession;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * IPMI v2.0 / RMCP+ session (IPMI v2.0 §13.17–§13.32; docs/ipmi.md#open-session-and-rakp):
 * <pre>
 * Get Channel Auth Caps (v2 bit) → for each cipher suite [configured | learned | 17, 3]:
 *   Open Session (SIDm, requested privilege, suite)  ── status 0x04/05/06/07/10/11, other algorithms
 *                                                       chosen, or no answer → next suite
 *   RAKP1 (Rm, role 0x10|priv, user) → RAKP2: status 0x0D unknown user; HMAC_Kuid check = password check
 *   RAKP3 (HMAC_Kuid)                → RAKP4: ICV under SIK check (Kg)
 *   → keys K1/K2, {@link RmcpPlusSession} (integrity + AES, sequence window)
 * </pre>
 * A RAKP step that times out, or an "invalid/inactive session id" status (a retransmitted RAKP1/RAKP3
 * arriving after the BMC moved on), restarts the whole handshake with a new SIDm, up to
 * {@code handshakeAttempts} times, as ipmitool does.
 */
final class RmcpPlusSessionMachine extends ClientSession {

    private static final List<Integer> DEFAULT_SUITES = List.of(17, 3);
    private static final Set<Integer> SUITE_REJECTED = Set.of(
            INVALID_AUTHENTICATION_ALGORITHM,
            INVALID_INTEGRITY_ALGORITHM,
            NO_MATCHING_AUTHENTICATION_PAYLOAD,
            NO_MATCHING_INTEGRITY_PAYLOAD,
            INVALID_CONFIDENTIALITY_ALGORITHM,
            NO_CIPHER_SUITE_MATCH);

    private int consoleSessionId;
    private RmcpPlusSession session;
    /** Receives verified, decrypted SOL payloads (IPMI v2.0 §15.9) when this session carries one. */
    java.util.function.Consumer<byte[]> solHandler;
    /** Told when the session ends. */
    Runnable onEnd;

    /** The suite is not acceptable to this BMC: try the next one. */
    private static final class SuiteRejected extends RuntimeException {
        SuiteRejected(String message) {
            super(message, null, false, false);
        }
    }

    /** A transient handshake failure: start over. */
    private static final class Restart extends RuntimeException {
        Restart(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    RmcpPlusSessionMachine(BmcEndpoint endpoint, BmcTarget target) {
        super(endpoint, target);
    }

    @Override
    protected Future<Void> establish() {
        return channelAuthCapabilities(true).compose(caps -> {
            if (!caps.supportsIpmi20()) {
                return Future.failedFuture(new SessionSetupException(
                        bmc(), "BMC does not offer IPMI 2.0 (RMCP+) on this channel; configure ProtocolVersion.V1_5"));
            }
            List<Integer> suites = target.cipherSuite() != null
                    ? List.of(target.cipherSuite())
                    : endpoint.learnedSuite != null ? List.of(endpoint.learnedSuite) : DEFAULT_SUITES;
            return trySuites(suites, 0, 1, new ArrayList<>());
        });
    }

    private Future<Void> trySuites(List<Integer> suites, int index, int attempt, List<String> rejections) {
        int id = suites.get(index);
        CipherSuite suite = CipherSuite.byId(id).orElse(null);
        if (suite == null) {
            return Future.failedFuture(new SessionSetupException(
                    bmc(), "cipher suite " + id + " is not supported" + " by this client (supported: 0, 1, 2, 3, 17)"));
        }
        return handshake(suite, suites.size() > 1).recover(err -> {
            if (err instanceof SuiteRejected) {
                rejections.add("suite " + id + ": " + err.getMessage());
                if (index + 1 < suites.size()) {
                    return trySuites(suites, index + 1, 1, rejections);
                }
                if (target.cipherSuite() == null) {
                    endpoint.learnedSuite = null; // probe 17, 3 again next time
                }
                return Future.failedFuture(new SessionSetupException(
                        bmc(), "no cipher suite accepted (" + String.join("; ", rejections) + ")"));
            }
            if (err instanceof Restart && attempt < endpoint.client.options.getHandshakeAttempts()) {
                endpoint.client.counters.handshakeRestarts.incrementAndGet();
                return trySuites(suites, index, attempt + 1, rejections);
            }
            if (err instanceof Restart) {
                return Future.failedFuture(
                        err.getCause() instanceof IpmiClientException
                                ? err.getCause()
                                : new SessionSetupException(bmc(), err.getMessage(), -1, err.getCause()));
            }
            return Future.failedFuture(err);
        });
    }

    /** One Open Session + RAKP 1–4 run with a fresh SIDm. */
    private Future<Void> handshake(CipherSuite suite, boolean mayFallBack) {
        unregister();
        int sidm;
        do {
            sidm = endpoint.client.random.nextInt();
        } while (endpoint.consoleSessionIdInUse(sidm));
        consoleSessionId = sidm;
        final int sidmFinal = sidm;
        int tag = endpoint.nextTag();
        OpenSessionRequest open = OpenSessionRequest.of(tag, target.privilege().code(), sidm, suite);
        return endpoint.sendSetup(
                        sidm,
                        PayloadType.OPEN_SESSION_RESPONSE,
                        V20SessionPacket.presession(PayloadType.OPEN_SESSION_REQUEST, open.encode()),
                        "Open Session Request",
                        payload -> {
                            OpenSessionResponse response = OpenSessionResponse.decode(payload);
                            if (!response.isSuccess()) {
                                throw statusError("Open Session", response.status(), true);
                            }
                            if (response.algorithms() == null
                                    || !response.algorithms().matches(suite)) {
                                throw new SuiteRejected("BMC chose algorithms " + response.algorithms()
                                        + " instead of the proposed ones");
                            }
                            return response;
                        })
                .recover(err -> Future.failedFuture(
                        err instanceof IpmiTimeoutException && mayFallBack
                                ? new SuiteRejected("no answer to Open Session")
                                : err))
                .compose(response -> rakp(suite, sidmFinal, response.bmcSessionId(), tag));
    }

    private Future<Void> rakp(CipherSuite suite, int sidm, int sidc, int tag) {
        byte[] kuid = target.password().getBytes(StandardCharsets.UTF_8);
        byte[] username = target.username().getBytes(StandardCharsets.UTF_8);
        if (kuid.length > 20 || username.length > 16) {
            return Future.failedFuture(new SessionSetupException(
                    bmc(), "RMCP+ allows user names of up to 16 bytes and passwords of up to 20 bytes"));
        }
        byte[] rm = new byte[16];
        endpoint.client.random.nextBytes(rm);
        int role = Rakp1.role(target.privilege(), true);
        Rakp1 rakp1 = new Rakp1(tag, sidc, rm, role, username);
        return endpoint.sendSetup(
                        sidm,
                        PayloadType.RAKP_2,
                        V20SessionPacket.presession(PayloadType.RAKP_1, rakp1.encode()),
                        "RAKP Message 1",
                        payload -> {
                            Rakp2 rakp2 = Rakp2.decode(payload);
                            if (!rakp2.isSuccess()) {
                                throw statusError("RAKP2", rakp2.status(), false);
                            }
                            RakpExchange exchange = new RakpExchange(
                                    suite.authentication(),
                                    sidm,
                                    sidc,
                                    rm,
                                    rakp2.bmcRandom(),
                                    rakp2.bmcGuid(),
                                    role,
                                    username);
                            if (!exchange.verifyRakp2(kuid, rakp2.keyExchangeAuthCode())) {
                                throw new BadCredentialsException(
                                        bmc(),
                                        "RAKP2 HMAC does not verify: wrong password for" + " user '" + target.username()
                                                + "'",
                                        null);
                            }
                            return exchange;
                        })
                .recover(this::restartOnTimeout)
                .compose(exchange -> {
                    Rakp3 rakp3 = new Rakp3(tag, RmcpPlusStatus.NO_ERRORS, sidc, exchange.rakp3AuthCode(kuid));
                    byte[] sik = exchange.sessionIntegrityKey(target.kg() != null ? target.kg() : kuid);
                    return endpoint.sendSetup(
                                    sidm,
                                    PayloadType.RAKP_4,
                                    V20SessionPacket.presession(PayloadType.RAKP_3, rakp3.encode()),
                                    "RAKP Message 3",
                                    payload -> {
                                        Rakp4 rakp4 = Rakp4.decode(payload);
                                        if (!rakp4.isSuccess()) {
                                            if (rakp4.status() == INVALID_INTEGRITY_CHECK_VALUE) {
                                                throw new BadCredentialsException(
                                                        bmc(),
                                                        "BMC rejected our RAKP3 ("
                                                                + RmcpPlusStatus.describe(rakp4.status()) + ")",
                                                        null);
                                            }
                                            throw statusError("RAKP4", rakp4.status(), false);
                                        }
                                        if (!exchange.verifyRakp4(sik, rakp4.integrityCheckValue())) {
                                            throw new BadCredentialsException(
                                                    bmc(),
                                                    "RAKP4 integrity check value does not"
                                                            + " verify: wrong BMC key (Kg)?",
                                                    null);
                                        }
                                        return rakp4;
                                    })
                            .recover(this::restartOnTimeout)
                            .map(rakp4 -> {
                                session = RmcpPlusSession.forConsole(
                                        suite, SessionKeys.fromSik(suite.authentication(), sik), sidm, sidc);
                                endpoint.register(sidm, this);
                                endpoint.learnedSuite = suite.id();
                                return (Void) null;
                            });
                });
    }

    private <T> Future<T> restartOnTimeout(Throwable err) {
        return Future.failedFuture(err instanceof IpmiTimeoutException ? new Restart(err.getMessage(), err) : err);
    }

    private RuntimeException statusError(String step, int status, boolean openSession) {
        String text = step + " refused: " + RmcpPlusStatus.describe(status);
        if (SUITE_REJECTED.contains(status)) {
            return new SuiteRejected(RmcpPlusStatus.describe(status));
        }
        switch (status) {
            case UNAUTHORIZED_NAME:
                return new UnknownUserException(
                        bmc(),
                        "user '" + target.username() + "' unknown to the BMC (" + RmcpPlusStatus.describe(status)
                                + ")");
            case INVALID_ROLE:
            case UNAUTHORIZED_ROLE:
                return new InsufficientPrivilegeException(
                        bmc(),
                        "privilege " + target.privilege() + " refused for" + " user '" + target.username() + "' ("
                                + RmcpPlusStatus.describe(status) + ")");
            case INSUFFICIENT_RESOURCES:
            case INSUFFICIENT_RESOURCES_FOR_ROLE:
                return new SessionLimitException(bmc(), text);
            case INVALID_SESSION_ID:
            case INACTIVE_SESSION_ID:
                if (!openSession) {
                    return new Restart(text, new SessionSetupException(bmc(), text, status, null));
                }
                return new SessionSetupException(bmc(), text, status, null);
            default:
                return new SessionSetupException(bmc(), text, status, null);
        }
    }

    /** An in-session datagram whose header names our SIDm. */
    void onPacket(V20SessionPacket packet) {
        if (session == null) {
            endpoint.client.counters.unmatched.incrementAndGet();
            return;
        }
        if (packet.payloadType() == PayloadType.SOL) {
            if (solHandler == null) {
                endpoint.client.counters.unmatched.incrementAndGet();
                return;
            }
            byte[] plaintext;
            try {
                plaintext = session.open(packet);
            } catch (io.anvil.ipmi.codec.IpmiDecodeException e) {
                endpoint.client.counters.malformed(e);
                return;
            }
            solHandler.accept(plaintext);
            return;
        }
        deliver(() -> session.openMessage(packet));
    }

    /** Seals a payload other than an IPMI message (SOL) with the session's integrity and confidentiality. */
    RmcpMessage sealPayload(int payloadType, byte[] plaintext) {
        return session.seal(payloadType, plaintext);
    }

    @Override
    protected void onFinished() {
        if (onEnd != null) {
            onEnd.run();
        }
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
        return session.remoteSessionId();
    }

    @Override
    protected void unregister() {
        if (consoleSessionId != 0) {
            endpoint.unregisterV20(consoleSessionId, this);
        }
    }

    /** Cipher suite in use, once established. */
    Integer suite() {
        return session == null ? null : session.suite().id();
    }
}
