package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.client.IpmiTimeoutException;
import io.anvil.ipmi.client.RetryPolicy;
import io.anvil.ipmi.codec.RmcpMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One request awaiting its answer, with retransmission on the client's {@link Deadlines} (docs/ipmi.md#retransmits).
 * Each try asks {@code nextPacket} for a new datagram, so in-session requests get a fresh session sequence number per
 * retransmission (docs/ipmi.md#sequence-numbers) while the rqSeq inside stays the same.
 * Confined to the client's worker context.
 */
final class Exchange<T> {

    private final Deadlines deadlines;
    private final String bmc;
    private final String what;
    private final RetryPolicy policy;
    private final Supplier<RmcpMessage> nextPacket;
    private final Consumer<RmcpMessage> send;
    private final Counters counters;
    private final Promise<T> promise = Promise.promise();
    private final long startedAt = System.nanoTime();
    private int tries;
    private Deadlines.Deadline deadline;
    private Throwable tentative;

    Exchange(
            Deadlines deadlines,
            String bmc,
            String what,
            RetryPolicy policy,
            Supplier<RmcpMessage> nextPacket,
            Consumer<RmcpMessage> send,
            Counters counters) {
        this.deadlines = deadlines;
        this.bmc = bmc;
        this.what = what;
        this.policy = policy;
        this.nextPacket = nextPacket;
        this.send = send;
        this.counters = counters;
    }

    /** Sends the first try; the future completes with the answer, or fails with {@link IpmiTimeoutException}. */
    Future<T> start() {
        counters.pending.incrementAndGet();
        promise.future().onComplete(ar -> counters.pending.decrementAndGet());
        transmit();
        return promise.future();
    }

    Future<T> future() {
        return promise.future();
    }

    String what() {
        return what;
    }

    private void transmit() {
        if (promise.future().isComplete()) {
            return;
        }
        RmcpMessage packet;
        try {
            packet = nextPacket.get();
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        tries++;
        if (tries > 1) {
            counters.retransmits.incrementAndGet();
        }
        send.accept(packet);
        deadline = deadlines.schedule(policy.timeoutMillis(tries), this::onTimer);
    }

    private void onTimer() {
        deadline = null;
        if (promise.future().isComplete()) {
            return;
        }
        if (tries < policy.maxTries()) {
            transmit();
        } else {
            counters.timeouts.incrementAndGet();
            promise.tryFail(new IpmiTimeoutException(bmc, what, tries, (System.nanoTime() - startedAt) / 1_000_000));
        }
    }

    /**
     * An answer arrived but was refused (e.g. a RAKP2 whose HMAC does not verify). Session-setup answers are
     * not authenticated, so a corrupted or forged copy must not end the handshake while the genuine answer
     * may still be on its way: the failure stands only if nothing acceptable arrives within {@code graceMs}.
     * A wrong password thus costs {@code graceMs} more, not a full timeout.
     */
    void failSoon(Throwable cause, long graceMs) {
        if (promise.future().isComplete() || tentative != null) {
            return;
        }
        tentative = cause;
        deadlines.schedule(graceMs, () -> fail(cause));
    }

    boolean complete(T value) {
        cancelTimer();
        return promise.tryComplete(value);
    }

    boolean fail(Throwable cause) {
        cancelTimer();
        return promise.tryFail(cause);
    }

    private void cancelTimer() {
        if (deadline != null) {
            deadline.cancel();
            deadline = null;
        }
    }
}
