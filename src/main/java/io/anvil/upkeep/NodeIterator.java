package io.anvil.upkeep;

import io.anvil.cluster.NodeOwnership;
import io.anvil.conductor.ConductorErrors;
import io.anvil.conductor.Task;
import io.anvil.conductor.TaskManager;
import io.anvil.conductor.TaskOptions;
import io.anvil.driver.Driver;
import io.anvil.lock.NodeLockedException;
import io.anvil.periodic.NodeFilter;
import io.anvil.periodic.NodeRef;
import io.anvil.periodic.NodeVisitor;
import io.anvil.periodic.NodeWalker;
import io.anvil.periodic.Visit;
import io.anvil.periodic.Walk;
import io.anvil.periodic.WalkResult;
import io.anvil.store.Database;
import io.anvil.store.RowJson;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's {@code iter_nodes} + {@code node_periodic}: lists nodes with a SQL filter, keeps those this conductor
 * owns (hash ring), and visits each under a try-once task. A locked node is skipped (never waited for), a deleted one
 * too; the visitor can stop the walk; shutdown stops it between nodes; a full worker pool stops it (the rest waits
 * for the next run, as Ironic's NoFreeConductorWorker does).
 */
public final class NodeIterator implements NodeWalker<Task> {
    private static final Logger LOG = LoggerFactory.getLogger(NodeIterator.class);

    /** Rows per listing query: a page is decoded and filtered in a few milliseconds. */
    static final int PAGE = 1000;

    private final Database db;
    private final TaskManager tasks;
    private final NodeOwnership ownership;
    private final BooleanSupplier stopping;

    public NodeIterator(Database db, TaskManager tasks, NodeOwnership ownership, BooleanSupplier stopping) {
        this.db = db;
        this.tasks = tasks;
        this.ownership = ownership;
        this.stopping = stopping;
    }

    @Override
    public Class<Task> taskType() {
        return Task.class;
    }

    @Override
    public Future<List<NodeRef>> owned(NodeFilter filter) {
        List<NodeRef> out = new ArrayList<>();
        if (!filter.pageable()) {
            return db.reads()
                    .preparedQuery(filter.sql())
                    .execute(filter.params())
                    .map(rows -> {
                        keepOwned(rows, out);
                        return out;
                    });
        }
        return page(filter, 0, out);
    }

    /**
     * The pages after {@code afterId}: each answer is decoded and filtered in its own event-loop turn, so listing
     * 100,000 nodes never holds the loop for long (docs/scale-out.md#the-event-loop).
     */
    private Future<List<NodeRef>> page(NodeFilter filter, long afterId, List<NodeRef> out) {
        return db.reads()
                .preparedQuery(filter.pageSql(PAGE))
                .execute(filter.pageParams(afterId))
                .compose(rows -> {
                    long last = keepOwned(rows, out);
                    return rows.size() < PAGE ? Future.succeededFuture(out) : page(filter, last, out);
                });
    }

    /** Adds the rows this conductor owns to {@code out}; returns the last row's id. */
    private long keepOwned(RowSet<Row> rows, List<NodeRef> out) {
        long last = 0;
        for (Row row : rows) {
            last = row.getLong("id");
            String uuid = row.getUUID("uuid").toString();
            String driver = row.getString("driver");
            String group = row.getString("conductor_group");
            if (ownership.ownedHere(uuid, driver, group == null ? "" : group)) {
                out.add(new NodeRef(uuid, driver, group, RowJson.toJson(row)));
            }
        }
        return last;
    }

    @Override
    public Future<WalkResult> forEach(NodeFilter filter, Walk walk, NodeVisitor<? super Task> visitor) {
        if (stopping.getAsBoolean()) {
            return Future.succeededFuture(new WalkResult(0, 0, 0, 0, 0, 0, true));
        }
        return owned(filter).compose(nodes -> forEach(nodes, walk, visitor));
    }

    @Override
    public Future<WalkResult> forEach(List<NodeRef> nodes, Walk walk, NodeVisitor<? super Task> visitor) {
        Promise<WalkResult> done = Promise.promise();
        new Run(nodes, walk, visitor, done).start();
        return done.future();
    }

    @Override
    public boolean stopping() {
        return stopping.getAsBoolean();
    }

    /** Visits one node under a try-once task that never uses the reserved worker share. */
    @Override
    public Future<Outcome> visit(NodeRef node, Walk walk, NodeVisitor<? super Task> visitor) {
        TaskOptions opts = options(walk);
        Object onlyFor = walk.onlyFor();
        return Futures.attempt(() -> tasks.withListedTask(node.uuid(), opts, task -> {
                    if (onlyFor != null && !uses(task.driver(), onlyFor)) {
                        return Future.succeededFuture((Visit) null);
                    }
                    return visitor.visit(task, node);
                }))
                .transform(ar -> {
                    if (ar.succeeded()) {
                        return Future.succeededFuture(
                                ar.result() == null
                                        ? Outcome.OTHER_DRIVER
                                        : ar.result() == Visit.STOP ? Outcome.STOP : Outcome.CONTINUE);
                    }
                    Throwable e = ar.cause();
                    if (e instanceof NodeLockedException) {
                        LOG.debug("periodic: node {} is locked, skipped: {}", node.uuid(), e.getMessage());
                        return Future.succeededFuture(Outcome.LOCKED);
                    }
                    if (e instanceof ConductorErrors.NodeNotFound) {
                        return Future.succeededFuture(Outcome.GONE);
                    }
                    if (e instanceof ConductorErrors.NoFreeConductorWorker) {
                        return Future.succeededFuture(Outcome.NO_WORKER);
                    }
                    LOG.warn("periodic '{}' failed on node {}: {}", opts.purpose(), node.uuid(), e.toString());
                    return Future.succeededFuture(Outcome.FAILED);
                });
    }

    /** The lock a walk takes (if any): always try-once, never the reserved worker share. */
    static TaskOptions options(Walk walk) {
        TaskOptions opts = walk.exclusive()
                ? TaskOptions.exclusive(walk.purpose())
                : walk.lockFree() ? TaskOptions.lockFree(walk.purpose()) : TaskOptions.shared(walk.purpose());
        opts = walk.loadDriver() ? opts : opts.withoutDriver();
        return opts.tryOnce().withoutReservedWorkers();
    }

    /** True when one of the node's loaded interfaces is exactly {@code impl}'s class. */
    static boolean uses(Driver driver, Object impl) {
        if (driver == null) {
            return false;
        }
        for (RecordComponent c : Driver.class.getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(driver);
                if (v != null && v.getClass() == impl.getClass()) {
                    return true;
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return false;
    }

    /** One walk: {@code concurrency} lanes draining the node list. */
    private final class Run {
        private final List<NodeRef> nodes;
        private final Walk walk;
        private final NodeVisitor<? super Task> visitor;
        private final Promise<WalkResult> done;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger lanes = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger visited = new AtomicInteger();
        private final AtomicInteger locked = new AtomicInteger();
        private final AtomicInteger gone = new AtomicInteger();
        private final AtomicInteger otherDriver = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();

        Run(List<NodeRef> nodes, Walk walk, NodeVisitor<? super Task> visitor, Promise<WalkResult> done) {
            this.nodes = nodes;
            this.walk = walk;
            this.visitor = visitor;
            this.done = done;
        }

        void start() {
            int n = Math.min(walk.concurrency(), nodes.size());
            if (n == 0) {
                finish();
                return;
            }
            lanes.set(n);
            for (int i = 0; i < n; i++) {
                lane();
            }
        }

        private void lane() {
            while (true) {
                if (stop.get() || stopping.getAsBoolean() || (walk.limit() > 0 && visited.get() >= walk.limit())) {
                    stop.set(true);
                    laneDone();
                    return;
                }
                int i = next.getAndIncrement();
                if (i >= nodes.size()) {
                    laneDone();
                    return;
                }
                Future<Outcome> f = visit(nodes.get(i), walk, visitor);
                if (f.isComplete()) {
                    record(f.result());
                    continue;
                }
                f.onComplete(ar -> {
                    record(ar.result());
                    lane();
                });
                return;
            }
        }

        private void record(Outcome o) {
            switch (o) {
                case CONTINUE -> visited.incrementAndGet();
                case STOP -> {
                    visited.incrementAndGet();
                    stop.set(true);
                }
                case LOCKED -> locked.incrementAndGet();
                case GONE -> gone.incrementAndGet();
                case OTHER_DRIVER -> otherDriver.incrementAndGet();
                case FAILED -> failed.incrementAndGet();
                case NO_WORKER -> {
                    LOG.warn(
                            "periodic '{}': no free conductor worker, the remaining nodes wait for the next run",
                            walk.purpose());
                    stop.set(true);
                }
            }
        }

        private void laneDone() {
            if (lanes.decrementAndGet() <= 0) {
                finish();
            }
        }

        private void finish() {
            boolean early = stop.get() && next.get() < nodes.size();
            done.tryComplete(new WalkResult(
                    nodes.size(),
                    visited.get(),
                    locked.get(),
                    gone.get(),
                    otherDriver.get(),
                    failed.get(),
                    early
                            || (stop.get()
                                    && visited.get() + locked.get() + gone.get() + otherDriver.get() + failed.get()
                                            < nodes.size())));
        }
    }
}
