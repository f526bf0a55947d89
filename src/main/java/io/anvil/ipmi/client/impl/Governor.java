package io.anvil.ipmi.client.impl;

import io.anvil.ipmi.client.BadCredentialsException;
import io.anvil.ipmi.client.CircuitOpenException;
import io.anvil.ipmi.client.ClientClosedException;
import io.anvil.ipmi.client.ClientStats;
import io.anvil.ipmi.client.IpmiTimeoutException;
import io.anvil.ipmi.client.SessionLimitException;
import io.anvil.ipmi.client.SessionSetupException;
import io.anvil.ipmi.client.UnknownUserException;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * "One BMC, one governor" (docs/architecture.md#invariants, invariant 6; docs/ipmi.md#governor): every operation on one
 * BMC, whoever asks, waits here in FIFO order. At most {@code maxInFlight} run at once; the next one starts no earlier
 * than {@code spacing} after the later of the previous start and the previous end; a {@link CircuitBreaker} fails
 * operations fast after repeated failures.
 *
 * <p>An operation is a {@code Supplier<Future<T>>} (e.g. the whole set-boot-device sequence), so the cap
 * holds across its commands. Confined to the client's worker context, except {@link #snapshot()}.
 */
final class Governor {

    private static final int RECENT = 256;

    private final Vertx vertx;
    private final String bmc;
    private final int maxInFlight;
    private final long spacingNanos;
    private final CircuitBreaker breaker;
    private final Counters counters;
    private final ArrayDeque<Job<?>> queue = new ArrayDeque<>();
    private long nextTicket;
    private int inFlight;
    private long lastStart = Long.MIN_VALUE;
    private long lastEnd = Long.MIN_VALUE;
    private long spacingTimer = -1;
    private boolean closed;
    private Promise<Void> drained;

    // read by snapshot() from any thread
    private volatile int queuedGauge;
    private volatile int inFlightGauge;
    private volatile int maxInFlightObserved;
    private volatile long started;
    private volatile long failed;
    private final ArrayDeque<ClientStats.Operation> recent = new ArrayDeque<>();
    /** Told when the circuit leaves the closed state or comes back to it. */
    private Runnable circuitListener = () -> {};

    Governor(Vertx vertx, String bmc, int maxInFlight, long spacingNanos, CircuitBreaker breaker, Counters counters) {
        this.vertx = vertx;
        this.bmc = bmc;
        this.maxInFlight = maxInFlight;
        this.spacingNanos = spacingNanos;
        this.breaker = breaker;
        this.counters = counters;
    }

    private static final class Job<T> {
        final long ticket;
        final String label;
        final Supplier<Future<T>> work;
        final Promise<T> promise = Promise.promise();
        long startNanos;

        Job(long ticket, String label, Supplier<Future<T>> work) {
            this.ticket = ticket;
            this.label = label;
            this.work = work;
        }
    }

    /** {@code listener} runs (on the client's context) each time the circuit opens from closed or closes again. */
    void onCircuitChange(Runnable listener) {
        this.circuitListener = listener;
    }

    <T> Future<T> submit(String label, Supplier<Future<T>> work) {
        if (closed) {
            return Future.failedFuture(new ClientClosedException(bmc));
        }
        long now = System.nanoTime();
        if (breaker.rejectsNow(now)) {
            return rejected(now);
        }
        Job<T> job = new Job<>(nextTicket++, label, work);
        queue.add(job);
        queuedGauge = queue.size();
        drain();
        return job.promise.future();
    }

    private <T> Future<T> rejected(long now) {
        counters.circuitRejections.incrementAndGet();
        return Future.failedFuture(
                new CircuitOpenException(bmc, TimeUnit.NANOSECONDS.toMillis(breaker.retryAfterNanos(now))));
    }

    private void drain() {
        while (!queue.isEmpty() && inFlight < maxInFlight) {
            long now = System.nanoTime();
            long last = Math.max(lastStart, lastEnd);
            if (last != Long.MIN_VALUE && now - last < spacingNanos) {
                scheduleDrain(spacingNanos - (now - last));
                return;
            }
            CircuitBreaker.Decision decision = breaker.decide(now);
            if (decision == CircuitBreaker.Decision.WAIT) {
                return; // the half-open probe's outcome will drain again
            }
            Job<?> job = queue.poll();
            queuedGauge = queue.size();
            if (decision == CircuitBreaker.Decision.REJECT) {
                fail(job, rejected(now).cause());
                continue;
            }
            start(job, now);
        }
    }

    private void scheduleDrain(long delayNanos) {
        if (spacingTimer >= 0) {
            return;
        }
        long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999));
        spacingTimer = vertx.setTimer(ms, id -> {
            spacingTimer = -1;
            drain();
        });
    }

    private <T> void start(Job<T> job, long now) {
        inFlight++;
        inFlightGauge = inFlight;
        maxInFlightObserved = Math.max(maxInFlightObserved, inFlight);
        started++;
        lastStart = now;
        job.startNanos = now;
        Future<T> f = Futures.attempt(job.work);
        f.onComplete(ar -> {
            long end = System.nanoTime();
            inFlight--;
            inFlightGauge = inFlight;
            lastEnd = end;
            record(job, end, ar.succeeded());
            boolean wasClosed = breaker.state() == CircuitBreaker.State.CLOSED;
            if (ar.succeeded() || !countsAsFailure(ar.cause())) {
                breaker.onSuccess();
            } else {
                if (breaker.onFailure(end)) {
                    counters.circuitOpens.incrementAndGet();
                }
            }
            if (wasClosed != (breaker.state() == CircuitBreaker.State.CLOSED)) {
                circuitListener.run();
            }
            if (ar.failed()) {
                failed++;
            }
            job.promise.handle(ar);
            if (closed && inFlight == 0 && drained != null) {
                drained.tryComplete();
            }
            drain();
        });
    }

    /**
     * Failures that say "this BMC is unreachable or refuses us": they open the circuit. A completion code,
     * a privilege error or a boot read-back mismatch proves the BMC answers, so they count as success.
     * Bad credentials count as failures, so a wrong password does not hammer the BMC (account lockout).
     */
    static boolean countsAsFailure(Throwable t) {
        return t instanceof IpmiTimeoutException
                || t instanceof BadCredentialsException
                || t instanceof UnknownUserException
                || t instanceof SessionLimitException
                || t instanceof SessionSetupException;
    }

    private void fail(Job<?> job, Throwable cause) {
        job.promise.fail(cause);
    }

    private synchronized void record(Job<?> job, long end, boolean ok) {
        if (recent.size() == RECENT) {
            recent.removeFirst();
        }
        recent.addLast(new ClientStats.Operation(job.ticket, job.label, job.startNanos, end, ok));
    }

    /** Stops taking work, fails what is queued; the future completes when nothing runs any more. */
    Future<Void> close() {
        closed = true;
        if (spacingTimer >= 0) {
            vertx.cancelTimer(spacingTimer);
            spacingTimer = -1;
        }
        Job<?> job;
        while ((job = queue.poll()) != null) {
            fail(job, new ClientClosedException(bmc));
        }
        queuedGauge = 0;
        drained = Promise.promise();
        if (inFlight == 0) {
            drained.complete();
        }
        return drained.future();
    }

    /** The breaker's state for a gauge: 0 closed, 1 open, 2 half-open (probing). Any thread. */
    double circuitState() {
        return switch (breaker.state()) {
            case CLOSED -> 0;
            case OPEN -> 1;
            case HALF_OPEN -> 2;
        };
    }

    boolean idle() {
        return inFlight == 0 && queue.isEmpty();
    }

    synchronized ClientStats.BmcStats snapshot() {
        List<ClientStats.Operation> ops = new ArrayList<>(recent);
        return new ClientStats.BmcStats(
                bmc, breaker.state().name(), queuedGauge, inFlightGauge, maxInFlightObserved, started, failed, ops);
    }
}
