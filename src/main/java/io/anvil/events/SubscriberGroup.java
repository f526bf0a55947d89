package io.anvil.events;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscribers living on one event loop. Everything here runs on that loop's context: batches arrive in seq
 * order, and one timer per loop (not per subscriber) sends the keep-alives and closes idle clients.
 *
 * <p>That timer is a wheel: a round of {@code min(feed.keepalive, feed.idle_timeout)} is cut into slots of about
 * 250 ms, each subscriber sits in the slot its next keep-alive falls in, and a tick visits one slot. Ten thousand
 * subscribers then cost each tick the ~170 that are due, not a copy and a visit of all ten thousand; an idle client is
 * found within one round of its timeout.
 *
 * <p>Subscribers that filter by node are indexed by the uuids and names they name: an event is offered only to the
 * subscribers without a node filter and to those indexed under its node's uuid or name, so a fleet of per-node
 * watchers costs each event a few lookups instead of a visit to every subscriber. Each subscriber still gets its
 * events in seq order, in one call per batch; the others would have filtered the event out anyway (their
 * {@link Subscriber#position()} accounts for what they were not offered).
 */
final class SubscriberGroup {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriberGroup.class);
    /** The keep-alive and idle check tick; each subscriber is pinged once per feed.keepalive. */
    private static final long TICK_MS = 250;

    private final Vertx vertx;
    private final Context context;
    private final FeedSettings settings;
    private final Future<SubscriberGroup> registered;
    private final Set<Subscriber> subscribers = new LinkedHashSet<>();
    /** Subscribers without a node filter: offered every event. */
    private final Set<Subscriber> unfiltered = new LinkedHashSet<>();
    /** Node uuid or name → the subscribers whose filter names it. */
    private final Map<String, Set<Subscriber>> byNode = new HashMap<>();
    /** The keys each node-filtered subscriber is indexed under (its filter may change later). */
    private final Map<Subscriber, Set<String>> indexedUnder = new HashMap<>();

    /** The timer wheel: slot i holds the subscribers whose keep-alive falls in it (see the class comment). */
    private final List<Set<Subscriber>> wheel = new ArrayList<>();

    private final long start = System.nanoTime();
    private final long slotNanos;
    /** The last slot visited, counted from {@link #start}: a late tick visits every slot it skipped. */
    private long visited;

    private volatile long delivered = -1;
    private long timer = -1;

    SubscriberGroup(Vertx vertx, Context context, FeedSettings settings, Future<SubscriberGroup> registered) {
        this.vertx = vertx;
        this.context = context;
        this.settings = settings;
        this.registered = registered;
        long round = settings.keepalive().toNanos();
        long idle = settings.idleTimeout().toNanos();
        if (idle > 0 && idle < round) {
            round = idle;
        }
        int slots = (int) Math.max(1, Math.min(4096, Math.round(round / (double) (TICK_MS * 1_000_000))));
        this.slotNanos = Math.max(1_000_000, round / slots);
        for (int i = 0; i < slots; i++) {
            wheel.add(new LinkedHashSet<>());
        }
        this.visited = slotIndex(start);
    }

    Context context() {
        return context;
    }

    Future<SubscriberGroup> registered() {
        return registered;
    }

    /** On the reader's context, before the first batch is sent here. */
    void startFrom(long horizon) {
        delivered = horizon;
    }

    void startTimers() {
        // a short tick visits only the slot of subscribers whose keep-alive is due (each has its own phase)
        timer = vertx.setPeriodic(Math.max(1, slotNanos / 1_000_000), id -> tick());
    }

    /** The highest seq handed to this group's subscribers; later batches here hold only higher ones. */
    long delivered() {
        return delivered;
    }

    void deliver(List<FeedEvent> batch) {
        delivered = batch.get(batch.size() - 1).seq();
        // copies: a subscriber may close (and leave the group) while it is offered events
        for (Subscriber s : List.copyOf(unfiltered)) {
            offer(s, batch);
        }
        if (byNode.isEmpty()) {
            return;
        }
        Map<Subscriber, List<FeedEvent>> picked = new LinkedHashMap<>();
        for (FeedEvent e : batch) {
            pick(picked, byNode.get(e.nodeUuid()), e);
            pick(picked, byNode.get(e.nodeName()), e);
        }
        picked.forEach(SubscriberGroup::offer);
    }

    /**
     * One subscriber's failure (say its socket throws) must not cost the subscribers after it in this loop their
     * batch: it is closed with where to resume, and the others are served.
     */
    private static void offer(Subscriber s, List<FeedEvent> events) {
        try {
            s.offer(events);
        } catch (RuntimeException e) {
            LOG.warn("event feed: delivering to {} failed, closing it: {}", s.client(), e.toString());
            s.failed(e);
        }
    }

    /** Adds {@code e} to the sub-batch of each of {@code interested}, once (a filter may name a node twice). */
    private static void pick(Map<Subscriber, List<FeedEvent>> picked, Set<Subscriber> interested, FeedEvent e) {
        if (interested == null) {
            return;
        }
        for (Subscriber s : interested) {
            List<FeedEvent> events = picked.computeIfAbsent(s, k -> new ArrayList<>());
            if (events.isEmpty() || events.get(events.size() - 1) != e) {
                events.add(e);
            }
        }
    }

    /** Adds {@code s}; returns the seq its live events start after (replay covers up to it). */
    long add(Subscriber s) {
        subscribers.add(s);
        index(s);
        place(s);
        return delivered;
    }

    void remove(Subscriber s) {
        subscribers.remove(s);
        unindex(s);
        if (s.wheelSlot >= 0) {
            wheel.get(s.wheelSlot).remove(s);
            s.wheelSlot = -1;
        }
    }

    /** {@code s} has new filters: re-indexed before the next batch (same context, so none is in flight). */
    void refiltered(Subscriber s) {
        if (subscribers.contains(s)) {
            unindex(s);
            index(s);
        }
    }

    private void index(Subscriber s) {
        Set<String> nodes = s.filter().nodes();
        if (nodes.isEmpty()) {
            unfiltered.add(s);
            return;
        }
        Set<String> keys = Set.copyOf(nodes);
        indexedUnder.put(s, keys);
        for (String key : keys) {
            byNode.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(s);
        }
    }

    private void unindex(Subscriber s) {
        unfiltered.remove(s);
        Set<String> keys = indexedUnder.remove(s);
        if (keys == null) {
            return;
        }
        for (String key : keys) {
            Set<Subscriber> set = byNode.get(key);
            if (set != null && set.remove(s) && set.isEmpty()) {
                byNode.remove(key);
            }
        }
    }

    /** How many subscribers {@code e} would be offered to (tests of the index). */
    int audience(FeedEvent e) {
        Set<Subscriber> out = new java.util.HashSet<>(unfiltered);
        for (String key : java.util.Arrays.asList(e.nodeUuid(), e.nodeName())) {
            Set<Subscriber> set = key == null ? null : byNode.get(key);
            if (set != null) {
                out.addAll(set);
            }
        }
        return out.size();
    }

    void closeAll(int code, String reason) {
        for (Subscriber s : new ArrayList<>(subscribers)) {
            s.close(code, reason);
        }
    }

    int size() {
        return subscribers.size();
    }

    /** Subscribers on the timer wheel (tests: one that left must not stay there). */
    int onWheel() {
        int n = 0;
        for (Set<Subscriber> slot : wheel) {
            n += slot.size();
        }
        return n;
    }

    private long slotIndex(long nanos) {
        return Math.floorDiv(nanos - start, slotNanos);
    }

    /** Puts {@code s} in the slot its next keep-alive falls in (moving it if it was elsewhere). */
    private void place(Subscriber s) {
        int slot = (int) Math.floorMod(slotIndex(s.nextPing()), (long) wheel.size());
        if (s.wheelSlot == slot) {
            return;
        }
        if (s.wheelSlot >= 0) {
            wheel.get(s.wheelSlot).remove(s);
        }
        s.wheelSlot = slot;
        wheel.get(slot).add(s);
    }

    private void tick() {
        long now = System.nanoTime();
        long current = slotIndex(now);
        // a late tick catches up with the slots it skipped; more than a round late, each slot once is enough
        long from = Math.max(visited + 1, current - wheel.size() + 1);
        for (long i = from; i <= current; i++) {
            visit((int) Math.floorMod(i, (long) wheel.size()), now);
        }
        visited = Math.max(visited, current);
    }

    private void visit(int slot, long now) {
        Set<Subscriber> due = wheel.get(slot);
        if (due.isEmpty()) {
            return;
        }
        // a copy: a visit may close a subscriber (which leaves the group) or move it to another slot
        for (Subscriber s : due.toArray(new Subscriber[0])) {
            s.keepAlive(now, slotNanos);
            if (s.wheelSlot >= 0) {
                place(s); // still in the group: its next ping may fall in another slot
            }
        }
    }

    void stopTimers() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
