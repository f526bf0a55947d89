package io.anvil.sim.bmc;

import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One simulated BMC's running counters. Single writer (the BMC's event-loop thread), so a plain {@code ++} on a
 * volatile is safe and any thread may read; {@link #snapshot()} is what the public API hands out. Also holds the
 * tests' "wait until the counters say X" promises, checked after every datagram and every expiry.
 */
final class LiveCounters {

    volatile long received;
    volatile long answered;
    volatile long droppedByFault;
    volatile long rejected;
    volatile long commands;
    volatile long sessionsOpened;
    volatile long sessionsClosed;
    volatile long sessionsExpired;
    volatile long sessionsRefused;
    volatile long authFailures;
    volatile long handshakesAbandoned;
    volatile long unknownUsers;
    volatile long privilegeDenied;
    volatile long chassisControls;
    volatile long powerOns;
    volatile long powerOffs;
    volatile long boots;
    volatile long internalErrors;
    volatile long diagnosticInterrupts;
    volatile long bmcResets;
    volatile long solActivations;
    volatile long solCharsIn;
    volatile long solCharsOut;
    volatile long solBreaks;
    volatile long solRetransmits;

    /** Lazy: an idle BMC holds no list. Loop only. */
    private List<Waiter> waiters;

    private record Waiter(Predicate<BmcCounters> condition, Promise<BmcCounters> promise) {}

    BmcCounters snapshot() {
        return new BmcCounters(
                received,
                answered,
                droppedByFault,
                rejected,
                commands,
                sessionsOpened,
                sessionsClosed,
                sessionsExpired,
                sessionsRefused,
                authFailures,
                handshakesAbandoned,
                unknownUsers,
                privilegeDenied,
                chassisControls,
                powerOns,
                powerOffs,
                boots,
                internalErrors,
                diagnosticInterrupts,
                bmcResets,
                solActivations,
                solCharsIn,
                solCharsOut,
                solBreaks,
                solRetransmits);
    }

    /** Completes {@code promise} now when the condition holds, else once it does. Loop only. */
    void whenever(Predicate<BmcCounters> condition, Promise<BmcCounters> promise) {
        BmcCounters now = snapshot();
        if (condition.test(now)) {
            promise.tryComplete(now);
            return;
        }
        if (waiters == null) {
            waiters = new ArrayList<>(2);
        }
        waiters.add(new Waiter(condition, promise));
    }

    /** Completes the waiters whose condition now holds (a throwing condition fails its waiter). Loop only. */
    void checkWaiters() {
        if (waiters == null) {
            return;
        }
        BmcCounters now = snapshot();
        waiters.removeIf(w -> {
            try {
                if (w.condition().test(now)) {
                    w.promise().tryComplete(now);
                    return true;
                }
                return false;
            } catch (RuntimeException e) {
                w.promise().tryFail(e);
                return true;
            }
        });
        if (waiters.isEmpty()) {
            waiters = null;
        }
    }
}
