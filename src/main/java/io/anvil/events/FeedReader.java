package io.anvil.events;

import io.anvil.metrics.FeedMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one reader of new events in a conductor process (docs/events.md#across-conductors). Woken by a notification
 * (ours or another conductor's) or by the fallback poll, it advances the {@link CommitHorizon}, reads every event up
 * to it in seq order and hands each batch to the {@link FeedHub}. PostgreSQL is the source of truth: a lost
 * notification only delays delivery until the next poll. Runs on its own context; one read at a time. The numbers a
 * read finds no event for are looked up again later ({@link GapAudit}): an event there would have been missed.
 */
public final class FeedReader extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(FeedReader.class);
    private static final long FIRST_RETRY_MS = 2;
    private static final long MAX_RETRY_MS = 50;
    /** Holes looked up per query of the gap audit. */
    private static final int AUDIT_BATCH = 1000;
    /** Marks kept for the gap audit's report. */
    private static final int RECENT_MARKS = 16;

    /** One mark and what it led to, for the gap audit's report. */
    private record MarkSeen(Instant at, long lastAssigned, int inFlight, long settled, long cursorBefore) {
        @Override
        public String toString() {
            return at + " last drawn " + lastAssigned + ", " + inFlight + " in flight -> horizon " + settled
                    + " (cursor was " + cursorBefore + ")";
        }
    }

    private final EventStore store;
    private final FeedHub hub;
    private final FeedSettings settings;
    private final FeedMetrics metrics;
    private final LongSupplier nanoClock;
    /** Null when the audit is off (feed.audit_delay 0). */
    private final GapAudit gaps;

    private final ArrayDeque<MarkSeen> recentMarks = new ArrayDeque<>();
    private final Promise<Void> ready = Promise.promise();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private volatile Context readerContext;
    private CommitHorizon horizon;
    private long cursor = -1;
    private boolean reading;
    private boolean again;
    private long retryMs = FIRST_RETRY_MS;
    private long retryTimer = -1;
    private long fallbackTimer = -1;
    private boolean stopped;
    private long failures;
    private volatile long reads;
    private long auditTimer = -1;
    private boolean auditing;
    private long uncheckedReported;
    private volatile long holesLookedUp;

    public FeedReader(EventStore store, FeedHub hub, FeedSettings settings, FeedMetrics metrics) {
        this(store, hub, settings, metrics, System::nanoTime);
    }

    /** With the clock the gap audit counts its delay by (tests hold it still, then move it on). */
    FeedReader(EventStore store, FeedHub hub, FeedSettings settings, FeedMetrics metrics, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.store = store;
        this.hub = hub;
        this.settings = settings;
        this.metrics = metrics;
        long delay = settings.auditDelay().toNanos();
        this.gaps = delay > 0 ? new GapAudit(delay) : null;
    }

    @Override
    public Future<?> start() {
        readerContext = context;
        hub.attach(context);
        fallbackTimer = vertx.setPeriodic(settings.pollInterval().toMillis(), id -> read());
        if (gaps != null) {
            long tick = Math.max(10, Math.min(1000, settings.auditDelay().toMillis()));
            auditTimer = vertx.setPeriodic(tick, id -> audit());
        }
        read();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        vertx.cancelTimer(fallbackTimer);
        vertx.cancelTimer(retryTimer);
        vertx.cancelTimer(auditTimer);
        return Future.succeededFuture();
    }

    /** Completes once the first horizon is known: subscribers start from there. */
    public Future<Void> ready() {
        return ready.future();
    }

    /** Asks for a read soon; from any thread, coalesced. */
    public void wake() {
        Context c = readerContext;
        if (c != null && wakeQueued.compareAndSet(false, true)) {
            c.runOnContext(v -> {
                wakeQueued.set(false);
                read();
            });
        }
    }

    /** The highest seq read and handed out (all events up to it are settled); -1 before {@link #ready}. */
    long cursor() {
        return cursor;
    }

    /** Reads completed so far (a read that starts after a commit has seen it). */
    public long reads() {
        return reads;
    }

    /** Holes the gap audit has looked up so far (tests). */
    long holesLookedUp() {
        return holesLookedUp;
    }

    private void read() {
        if (stopped) {
            return;
        }
        if (reading) {
            again = true;
            return;
        }
        reading = true;
        again = false;
        store.mark()
                .map(mark -> {
                    if (horizon == null) {
                        horizon = new CommitHorizon(-1);
                    }
                    long settled = horizon.observe(mark.lastAssigned(), mark.inFlight());
                    if (gaps != null) {
                        remember(mark, settled);
                    }
                    return settled;
                })
                .compose(this::readUpTo)
                .onComplete(ar -> {
                    reading = false;
                    reads++;
                    if (ar.failed()) {
                        if (failures++ % 100 == 0) {
                            LOG.warn(
                                    "event feed: reading new events failed ({} times so far): {}",
                                    failures,
                                    ar.cause().toString());
                        }
                        return; // the fallback poll tries again
                    }
                    failures = 0;
                    if (again || Boolean.TRUE.equals(ar.result())) {
                        read();
                    } else if (horizon != null && horizon.waiting()) {
                        retrySoon();
                    } else {
                        retryMs = FIRST_RETRY_MS;
                    }
                });
    }

    /** Keeps the marks that moved something, for the gap audit's report (idle polls would push them out). */
    private void remember(EventStore.Mark mark, long settled) {
        MarkSeen newest = recentMarks.peekLast();
        if (newest != null && newest.lastAssigned() == mark.lastAssigned() && newest.settled() == settled) {
            return;
        }
        if (recentMarks.size() == RECENT_MARKS) {
            recentMarks.poll();
        }
        recentMarks.add(
                new MarkSeen(Instant.now(), mark.lastAssigned(), mark.inFlight().size(), settled, cursor));
    }

    /** Reads and publishes events up to {@code settled}; true when a full batch suggests more are waiting. */
    private Future<Boolean> readUpTo(long settled) {
        if (settled < 0) {
            return Future.succeededFuture(false);
        }
        if (cursor < 0) {
            // the first horizon: the feed starts here, older events are history (replayed on request)
            cursor = settled;
            hub.advance(List.of(), cursor);
            ready.tryComplete();
            return Future.succeededFuture(false);
        }
        if (settled <= cursor) {
            return Future.succeededFuture(false);
        }
        int batch = settings.batchSize();
        long after = cursor;
        return store.read(cursor, settled, FeedFilter.ALL, batch).map(events -> {
            boolean full = events.size() == batch;
            cursor = full ? events.get(events.size() - 1).seq() : settled;
            if (gaps != null) {
                gaps.passed(after, cursor, events, nanoClock.getAsLong());
            }
            hub.advance(events, cursor);
            return full;
        });
    }

    private void retrySoon() {
        if (retryTimer >= 0) {
            return; // one is already due
        }
        retryTimer = vertx.setTimer(retryMs, id -> {
            retryTimer = -1;
            read();
        });
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
    }

    /** Looks up the holes that are due: any event found there was committed after the feed passed it. */
    private void audit() {
        if (auditing || stopped) {
            return;
        }
        if (gaps.unchecked() > uncheckedReported) {
            LOG.warn(
                    "event feed: the gap audit dropped {} sequence numbers unchecked so far (more than {} waited)",
                    gaps.unchecked(),
                    GapAudit.MAX_HOLES);
            uncheckedReported = gaps.unchecked();
        }
        long now = nanoClock.getAsLong();
        List<Long> due = gaps.due(now, AUDIT_BATCH);
        if (due.isEmpty()) {
            return;
        }
        auditing = true;
        store.find(due).onComplete(ar -> {
            auditing = false;
            if (ar.failed()) {
                gaps.retry(due, now); // looked up again on the next tick
                return;
            }
            holesLookedUp += due.size();
            List<FeedEvent> missed = ar.result();
            if (!missed.isEmpty()) {
                metrics.missed(missed.size());
                LOG.error(
                        "event feed: {} event(s) were committed after this conductor's feed had passed their sequence"
                                + " numbers, so no live subscriber got them: {}. A resume from before them or the REST"
                                + " API shows them. This is a bug (docs/events.md#the-gap-audit); the last marks,"
                                + " newest last: {}",
                        missed.size(),
                        missed.stream().map(FeedEvent::toString).collect(Collectors.joining(", ")),
                        recentMarks.stream().map(MarkSeen::toString).collect(Collectors.joining("; ")));
            }
        });
    }
}
