package io.anvil.sim.bmc;

import io.anvil.ipmi.codec.Privilege;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One simulated BMC's session slots: established sessions and handshakes in progress, their idle expiry, and the
 * eviction rule when the table is full. Confined to the BMC's event loop; the two sizes the public API reports are
 * published through volatiles. The map is created on the first session and dropped with the last one, so an idle
 * BMC holds none.
 */
final class SessionTable {

    private final SimulatedBmc bmc;
    private Map<Integer, SimSession> sessions;
    private int activeCount;
    private volatile int publishedActive;
    private volatile int publishedSlots;
    /** A session that Close Session ended: removed only after its answer was sealed with its keys. */
    private int closeAfterReply;
    /**
     * No session here can expire before this instant: the earliest expiry the last sweep saw (activity only moves a
     * session's expiry later), lowered by each session that starts or is established since. Lets the once-a-second
     * sweep of every BMC skip the tables with nothing due without looking at their sessions.
     */
    private long noExpiryBeforeNanos;

    SessionTable(SimulatedBmc bmc) {
        this.bmc = bmc;
    }

    /** Established sessions (any thread). */
    int activeSessions() {
        return publishedActive;
    }

    /** Established sessions plus handshakes in progress (any thread). */
    int slotsInUse() {
        return publishedSlots;
    }

    /** Established sessions (loop only). */
    int activeCount() {
        return activeCount;
    }

    SimSession get(int id) {
        return sessions == null ? null : sessions.get(id);
    }

    void put(SimSession s) {
        if (sessions == null) {
            sessions = new HashMap<>(8);
        }
        sessions.put(s.id, s);
        expiresNoEarlierThan(s);
        publish();
    }

    /** The handshake succeeded: the session is established and starts at USER (or lower, if that is its limit). */
    void activate(SimSession s) {
        s.state = SimSession.State.ACTIVE;
        s.privilege = s.maxPrivilege.code() < Privilege.USER.code() ? s.maxPrivilege : Privilege.USER;
        activeCount++;
        bmc.counters.sessionsOpened++;
        expiresNoEarlierThan(s); // an idle timeout shorter than the handshake's would bring its expiry forward
        publish();
    }

    private void expiresNoEarlierThan(SimSession s) {
        long at = s.lastActivityNanos + limitNanos(s);
        if (sessions.size() == 1 || at - noExpiryBeforeNanos < 0) {
            noExpiryBeforeNanos = at;
        }
    }

    void remove(SimSession s) {
        if (sessions != null && sessions.remove(s.id) != null) {
            bmc.sessionGone(s);
            if (s.active()) {
                activeCount--;
            }
            if (sessions.isEmpty()) {
                sessions = null;
            }
            publish();
        }
    }

    /** Drops every session and handshake (as a BMC reset would). */
    void clear() {
        if (sessions != null) {
            sessions.values().forEach(bmc::sessionGone);
        }
        sessions = null;
        activeCount = 0;
        publish();
    }

    private void publish() {
        publishedActive = activeCount;
        publishedSlots = sessions == null ? 0 : sessions.size();
    }

    /** A random non-zero id not in use (0 means "no session" on the wire). */
    int newSessionId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (true) {
            int id = r.nextInt();
            if (id != 0 && (sessions == null || !sessions.containsKey(id))) {
                return id;
            }
        }
    }

    /**
     * True (and the slot freed) when {@code s} has been idle longer than its timeout: the idle timeout for an
     * established session, the handshake timeout for one still logging in.
     */
    boolean expired(SimSession s, long now) {
        if (!idleTooLong(s, now)) {
            return false;
        }
        remove(s);
        bmc.counters.sessionsExpired++;
        if (s.state == SimSession.State.RAKP2_SENT) {
            bmc.counters.handshakesAbandoned++;
        }
        bmc.counters.checkWaiters();
        return true;
    }

    private boolean idleTooLong(SimSession s, long now) {
        return now - s.lastActivityNanos > limitNanos(s);
    }

    private long limitNanos(SimSession s) {
        FleetOptions o = bmc.fleet().opts();
        return (s.active() ? o.idleTimeout() : o.handshakeTimeout()).toNanos();
    }

    /**
     * Drops expired sessions; called on the loop by the fleet's sweeper (every BMC, every second) and before
     * allocations. Nothing is allocated unless a session did expire: the sweep of 14,000 BMCs with a live session each
     * copied every table once a second, a fifth of a simulator's CPU during a power-sync pass; and a table with
     * nothing due yet is not iterated at all (the iteration alone was still ~15 % of a simulator's CPU).
     */
    void purgeExpired(long now) {
        if (sessions == null || now - noExpiryBeforeNanos <= 0) {
            return;
        }
        List<SimSession> idle = null;
        long earliest = Long.MAX_VALUE;
        for (SimSession s : sessions.values()) {
            if (idleTooLong(s, now)) {
                idle = idle == null ? new ArrayList<>(2) : idle;
                idle.add(s);
            } else {
                long wait = s.lastActivityNanos + limitNanos(s) - now;
                earliest = Math.min(earliest, wait);
            }
        }
        noExpiryBeforeNanos = now + (earliest == Long.MAX_VALUE ? 0 : earliest);
        if (idle != null) {
            for (SimSession s : idle) {
                if (expired(s, now)) {
                    bmc.event(String.format("session %08x expired", s.id));
                }
            }
        }
    }

    /**
     * True when a new entry fits under {@code limit}; when the table is full, the oldest unfinished handshake
     * is evicted to make room (established sessions are never evicted: that is session exhaustion).
     */
    boolean makeRoom(int limit, long now) {
        purgeExpired(now);
        if (sessions == null || sessions.size() < limit) {
            return true;
        }
        SimSession oldest = null;
        for (SimSession s : sessions.values()) {
            if (!s.active() && (oldest == null || s.lastActivityNanos < oldest.lastActivityNanos)) {
                oldest = s;
            }
        }
        if (oldest == null) {
            return false;
        }
        remove(oldest);
        if (oldest.state == SimSession.State.RAKP2_SENT) {
            bmc.counters.handshakesAbandoned++;
        }
        return true;
    }

    /** Close Session accepted: the session ends once its answer is sealed (see {@link #finishClose()}). */
    void closeAfterReply(int id) {
        closeAfterReply = id;
    }

    /** Ends the session a Close Session named, if any; called after sealing the answer, before sending it. */
    void finishClose() {
        if (closeAfterReply != 0) {
            SimSession s = get(closeAfterReply);
            closeAfterReply = 0;
            if (s != null) {
                remove(s);
                bmc.counters.sessionsClosed++;
                bmc.event(String.format("session %08x closed", s.id));
            }
        }
    }
}
