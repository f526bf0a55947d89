package io.anvil.lock;

import io.anvil.metrics.AnvilMetrics;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of one lock service, for metrics and tests. */
public final class LockStats {
    final AtomicLong grants = new AtomicLong();
    final AtomicLong refusals = new AtomicLong();
    final AtomicLong polls = new AtomicLong();
    final AtomicLong wakeups = new AtomicLong();
    final AtomicLong renewals = new AtomicLong();
    final AtomicLong renewErrors = new AtomicLong();
    final AtomicLong leasesLost = new AtomicLong();
    final AtomicLong scriptLoads = new AtomicLong();
    final AtomicLong subscriptions = new AtomicLong();
    final AtomicLong commandErrors = new AtomicLong();
    final AtomicLong dataLosses = new AtomicLong();
    final AtomicLong unacknowledgedGrants = new AtomicLong();

    /** Binds every counter as a series read when scraped (docs/operations.md#locks). */
    public void bindTo(AnvilMetrics m) {
        m.counter("anvil.lock.grants", "Node locks granted", grants, AtomicLong::get);
        m.counter("anvil.lock.refusals", "Try-once refusals and bounded waits that ran out", refusals, AtomicLong::get);
        m.counter("anvil.lock.polls", "Acquire attempts made by queued waiters", polls, AtomicLong::get);
        m.counter(
                "anvil.lock.wakeups", "Wake-up messages received (a release woke a waiter)", wakeups, AtomicLong::get);
        m.counter("anvil.lock.renewals", "Lease renewals sent by the watchdog", renewals, AtomicLong::get);
        m.counter("anvil.lock.renew.errors", "Lease renewals that failed", renewErrors, AtomicLong::get);
        m.counter(
                "anvil.lock.leases.lost",
                "Leases lost before release (Redis no longer held them or renewals failed past the deadline)",
                leasesLost,
                AtomicLong::get);
        m.counter("anvil.lock.command.errors", "Redis lock commands that failed", commandErrors, AtomicLong::get);
        m.counter(
                "anvil.lock.data.losses",
                "Times Redis was found to have lost the lock data or failed over (each opens a quarantine)",
                dataLosses,
                AtomicLong::get);
        m.counter(
                "anvil.lock.grants.unacknowledged",
                "Grants not acknowledged by redis.wait_replicas replicas in time (retried or left)",
                unacknowledgedGrants,
                AtomicLong::get);
    }

    public long grants() {
        return grants.get();
    }

    /** Try-once refusals and bounded give-ups. */
    public long refusals() {
        return refusals.get();
    }

    /** Acquire calls made by queued waiters (first attempt, wake-ups, timed re-polls). */
    public long polls() {
        return polls.get();
    }

    /** Pub/sub wake-up messages received. */
    public long wakeups() {
        return wakeups.get();
    }

    /** Renew calls sent by the watchdog. */
    public long renewals() {
        return renewals.get();
    }

    public long renewErrors() {
        return renewErrors.get();
    }

    public long leasesLost() {
        return leasesLost.get();
    }

    /** SCRIPT LOADs after NOSCRIPT (Redis lost its script cache), plus the initial load. */
    public long scriptLoads() {
        return scriptLoads.get();
    }

    /** Successful (re)subscriptions of the wake-up channel. */
    public long subscriptions() {
        return subscriptions.get();
    }

    public long commandErrors() {
        return commandErrors.get();
    }

    /** Times an acquire found Redis had lost the lock service's data or failed over (each opens a quarantine). */
    public long dataLosses() {
        return dataLosses.get();
    }

    /** Grants that redis.wait_replicas replicas did not acknowledge in time. */
    public long unacknowledgedGrants() {
        return unacknowledgedGrants.get();
    }

    @Override
    public String toString() {
        return "LockStats{grants=" + grants + ", refusals=" + refusals + ", polls=" + polls + ", wakeups=" + wakeups
                + ", renewals=" + renewals + ", renewErrors=" + renewErrors + ", leasesLost=" + leasesLost
                + ", scriptLoads=" + scriptLoads + ", subscriptions=" + subscriptions + ", commandErrors="
                + commandErrors
                + ", dataLosses=" + dataLosses + ", unacknowledgedGrants=" + unacknowledgedGrants + "}";
    }
}
