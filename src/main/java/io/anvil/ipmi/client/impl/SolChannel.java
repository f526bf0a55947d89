package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.ClientClosedException;
import io.anvil.ipmi.client.IpmiProtocolException;
import io.anvil.ipmi.client.IpmiTimeoutException;
import io.anvil.ipmi.client.SolSession;
import io.anvil.ipmi.codec.IpmiDecodeException;
import io.anvil.ipmi.codec.PayloadType;
import io.anvil.ipmi.codec.command.ActivatePayload;
import io.anvil.ipmi.codec.command.DeactivatePayload;
import io.anvil.ipmi.codec.sol.SolInbound;
import io.anvil.ipmi.codec.sol.SolPacket;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The console side of one Serial-over-LAN payload (IPMI v2.0 §15.9, §24): its own {@link RmcpPlusSessionMachine}
 * (so the payload lives as long as the console, not as long as the shared command session), Activate Payload with a
 * deactivate-and-retry when an earlier console left the instance active, then SOL packets:
 * <ul>
 *   <li>outbound: one data packet in flight, sequence 1–15; retransmitted unchanged every {@link #RETRY_MS} until
 *       acknowledged, {@link #TRIES} times at most; a partial acknowledgement re-queues the rest in front; a NACK
 *       (BMC busy) waits a retry interval and sends again;</li>
 *   <li>inbound: every data packet is acknowledged with its full length accepted; a repeated sequence number is a
 *       retransmit, so only characters beyond the earlier copy are new (as ipmitool does).</li>
 * </ul>
 * Keep-alive: Get Device ID through the governor every keep-alive interval. Confined to the client's worker
 * context; output is handed to the caller's context.
 */
final class SolChannel implements SolSession {

    static final long RETRY_MS = 500;
    static final int TRIES = 8;
    static final int QUEUE_LIMIT = 64 * 1024;
    static final int INSTANCE = 1;

    private final IpmiClientImpl client;
    private final BmcEndpoint endpoint;
    private final Context caller;
    private final Handler<byte[]> output;
    private final RmcpPlusSessionMachine session;
    private final Promise<Void> ended = Promise.promise();
    private final ByteArrayOutputStream queued = new ByteArrayOutputStream();

    private int maxData = 251;
    private int outSequence;
    private SolPacket inFlight;
    private int tries;
    private long retryTimer = -1;
    private long keepaliveTimer = -1;
    private boolean breakPending;
    private final SolInbound inbound = new SolInbound();
    private boolean closing;

    private final AtomicLong charsSent = new AtomicLong();
    private final AtomicLong charsReceived = new AtomicLong();
    private final AtomicLong retransmits = new AtomicLong();

    BmcEndpoint endpoint() {
        return endpoint;
    }

    SolChannel(IpmiClientImpl client, BmcEndpoint endpoint, BmcTarget target, Context caller, Handler<byte[]> output) {
        this.client = client;
        this.endpoint = endpoint;
        this.caller = caller;
        this.output = output;
        this.session = new RmcpPlusSessionMachine(endpoint, target);
        this.session.solHandler = this::onPayload;
        this.session.onEnd = () -> {
            if (!closing) {
                end(new IpmiProtocolException(endpoint.name, "SOL session ended", null));
            }
        };
    }

    /** Opens the session and activates the payload; runs inside a governor operation. */
    Future<SolSession> activate() {
        return activatePayload(true)
                .map(r -> {
                    maxData = Math.max(1, Math.min(r.inboundPayloadSize(), 0xFFFF) - SolPacket.HEADER);
                    long every = client.options.getKeepaliveInterval().toMillis();
                    if (every > 0) {
                        keepaliveTimer = client.vertx.setPeriodic(every, id -> keepalive());
                    }
                    return (SolSession) this;
                })
                .recover(err -> session.close().transform(x -> {
                    end(err);
                    return Future.failedFuture(err);
                }));
    }

    private Future<ActivatePayload.Response> activatePayload(boolean mayTakeOver) {
        return session.command(ActivatePayload.Request.sol(INSTANCE), "Activate Payload")
                .compose(r -> {
                    if (r.completionCode() == ActivatePayload.ALREADY_ACTIVE && mayTakeOver) {
                        // a console that vanished (a conductor that died) left the instance active: end it, take it
                        return session.command(DeactivatePayload.Request.sol(INSTANCE), "Deactivate Payload")
                                .compose(x -> activatePayload(false));
                    }
                    return Future.succeededFuture(
                            Commands.decode(endpoint.name, "Activate Payload", r, ActivatePayload.Response::decode));
                });
    }

    private void keepalive() {
        if (closing) {
            return;
        }
        endpoint.governor.submit("keepalive", session::keepalive).onFailure(err -> {
            if (err instanceof IpmiTimeoutException) {
                end(err);
            }
        });
    }

    // ---- SolSession, from any context -----------------------------------------------------------------

    @Override
    public Future<Void> write(byte[] data) {
        byte[] copy = data.clone();
        return onWorker(() -> {
            if (closing) {
                return Future.failedFuture(new ClientClosedException(endpoint.name));
            }
            if (queued.size() + copy.length > QUEUE_LIMIT) {
                return Future.failedFuture(new IllegalStateException("SOL input queue full"));
            }
            queued.writeBytes(copy);
            flush();
            return Future.succeededFuture();
        });
    }

    @Override
    public Future<Void> sendBreak() {
        return onWorker(() -> {
            breakPending = true;
            flush();
            return Future.succeededFuture();
        });
    }

    @Override
    public Future<Void> close() {
        return onWorker(() -> {
            if (closing) {
                return ended.future().otherwiseEmpty();
            }
            closing = true;
            cancelTimers();
            client.forgetSol(this);
            return endpoint.governor
                    .submit("Deactivate Payload", () -> session.command(
                                    DeactivatePayload.Request.sol(INSTANCE), "Deactivate Payload")
                            .transform(x -> session.close()))
                    .transform(x -> {
                        ended.tryComplete();
                        return Future.<Void>succeededFuture();
                    });
        });
    }

    @Override
    public Future<Void> ended() {
        return ended.future();
    }

    @Override
    public SolStats stats() {
        return new SolStats(charsSent.get(), charsReceived.get(), retransmits.get());
    }

    private <T> Future<T> onWorker(java.util.function.Supplier<Future<T>> work) {
        Context here = io.vertx.core.Vertx.currentContext();
        Promise<T> result = Promise.promise();
        client.context.runOnContext(v -> work.get().onComplete(ar -> {
            if (here == null || here == client.context) {
                result.handle(ar);
            } else {
                here.runOnContext(x -> result.handle(ar));
            }
        }));
        return result.future();
    }

    // ---- packets, on the worker context ---------------------------------------------------------------

    private void flush() {
        if (closing || inFlight != null || (queued.size() == 0 && !breakPending)) {
            return;
        }
        byte[] all = queued.toByteArray();
        int n = Math.min(all.length, maxData);
        queued.reset();
        queued.write(all, n, all.length - n);
        outSequence = SolPacket.nextSequence(outSequence);
        inFlight = new SolPacket(outSequence, 0, 0, breakPending ? SolPacket.GENERATE_BREAK : 0, Arrays.copyOf(all, n));
        breakPending = false;
        tries = 1;
        transmit();
    }

    private void transmit() {
        send(inFlight);
        retryTimer = client.vertx.setTimer(RETRY_MS, id -> {
            retryTimer = -1;
            if (inFlight == null || closing) {
                return;
            }
            if (tries >= TRIES) {
                end(new IpmiTimeoutException(endpoint.name, "SOL data packet", TRIES, TRIES * RETRY_MS));
                return;
            }
            tries++;
            retransmits.incrementAndGet();
            client.counters.retransmits.incrementAndGet();
            transmit();
        });
    }

    private void send(SolPacket p) {
        endpoint.sendDatagram(session.sealPayload(PayloadType.SOL, p.encode()));
    }

    /** A verified, decrypted SOL payload from the BMC. */
    private void onPayload(byte[] plaintext) {
        SolPacket p;
        try {
            p = SolPacket.decode(plaintext);
        } catch (IpmiDecodeException e) {
            client.counters.malformed(e);
            return;
        }
        session.lastTrafficNanos = System.nanoTime();
        if (p.isAck() && inFlight != null && p.ackSequence() == inFlight.sequence()) {
            acknowledged(p);
        }
        if (p.carriesData()) {
            receive(p);
        }
        if ((p.flags() & SolPacket.DEACTIVATING) != 0 && !p.isNack()) {
            end(new IpmiProtocolException(endpoint.name, "the BMC deactivated SOL", null));
        }
    }

    private void acknowledged(SolPacket ack) {
        SolPacket sent = inFlight;
        cancelRetry();
        if (ack.isNack()) {
            // the BMC cannot take characters now (§15.9): same packet again after a retry interval
            retryTimer = client.vertx.setTimer(RETRY_MS, id -> {
                retryTimer = -1;
                if (inFlight == sent && !closing) {
                    transmit();
                }
            });
            return;
        }
        inFlight = null;
        int accepted = Math.min(ack.acceptedCount(), sent.length());
        charsSent.addAndGet(accepted);
        if (accepted < sent.length()) {
            byte[] after = queued.toByteArray();
            queued.reset();
            queued.write(sent.data(), accepted, sent.length() - accepted);
            queued.writeBytes(after);
        }
        flush();
    }

    private void receive(SolPacket p) {
        byte[] chars = inbound.fresh(p);
        send(SolInbound.ackFor(p));
        int fresh = chars.length;
        if (fresh > 0) {
            charsReceived.addAndGet(fresh);
            if (caller == null || caller == client.context) {
                output.handle(chars);
            } else {
                caller.runOnContext(v -> output.handle(chars));
            }
        }
    }

    /** The session is over, for whatever reason; the owner may activate again. */
    void end(Throwable cause) {
        if (ended.future().isComplete()) {
            return;
        }
        closing = true;
        cancelTimers();
        client.forgetSol(this);
        inFlight = null;
        if (session.state == ClientSession.State.ACTIVE) {
            endpoint.governor.submit("close SOL session", session::close);
        }
        ended.tryFail(cause);
    }

    private void cancelRetry() {
        if (retryTimer >= 0) {
            client.vertx.cancelTimer(retryTimer);
            retryTimer = -1;
        }
    }

    private void cancelTimers() {
        cancelRetry();
        if (keepaliveTimer >= 0) {
            client.vertx.cancelTimer(keepaliveTimer);
            keepaliveTimer = -1;
        }
    }
}
