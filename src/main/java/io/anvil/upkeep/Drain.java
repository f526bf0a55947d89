package io.anvil.upkeep;

import io.anvil.cluster.ConductorRegistry;
import io.anvil.conductor.TaskManager;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful stop of a conductor (Ironic's {@code ironic/conductor/base_manager.py: BaseConductorManager.del_host};
 * docs/architecture.md#ironic-scenarios, scenario 22), bounded:
 *
 * <ol>
 *   <li>Leave: {@code online = false} now, and this conductor owns nothing any more. The API answers 503 to new
 *       conductor work, take-over and node-iterating periodics stop picking up nodes.</li>
 *   <li>Wait — at most graceful_shutdown_timeout — until no worker runs and this process holds no node task
 *       (Ironic waits for its reservations; a stale reservation row left by a lost lease is not work).</li>
 * </ol>
 *
 * Ironic also sleeps hash_ring_reset_interval (15 s) when peers are online, so that their rings stop routing RPCs
 * to the stopping conductor. Anvil routes no request by ring (each API calls its own conductor; the ring only
 * decides periodic work and take-over), and peers drop this conductor from their rings on their next refresh after
 * step 1, so that sleep is left out.
 *
 * The caller then stops the keepalive, closes the API and the lock service. Work still running after the timeout
 * loses its leases; its nodes are then taken over by peers and its late writes are refused by the fence.
 */
public final class Drain {
    private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
    private static final long CHECK_MS = 50;

    /** How the drain ended; {@code reservationsLeft} counts this process's unreleased node tasks. */
    public record Result(boolean workFinished, int reservationsLeft, int workersLeft, long tookMs) {}

    private final Vertx vertx;
    private final ConductorRegistry registry;
    private final TaskManager tasks;
    private final Duration timeout;

    public Drain(Vertx vertx, ConductorRegistry registry, TaskManager tasks, Duration timeout) {
        this.vertx = vertx;
        this.registry = registry;
        this.tasks = tasks;
        this.timeout = timeout;
    }

    public Future<Result> run() {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        return registry.beginDrain()
                .compose(v -> {
                    Promise<Result> done = Promise.promise();
                    check(start, deadline, done);
                    return done.future();
                })
                .onSuccess(r -> {
                    if (r.workFinished()) {
                        LOG.info("Conductor {} drained in {} ms", registry.hostname(), r.tookMs());
                    } else {
                        LOG.warn(
                                "Conductor {} stops with work still running after graceful_shutdown_timeout ({} s): {} node(s)"
                                        + " reserved, {} worker(s) busy; peers will take them over",
                                registry.hostname(),
                                timeout.toSeconds(),
                                r.reservationsLeft(),
                                r.workersLeft());
                    }
                });
    }

    private void check(long start, long deadline, Promise<Result> done) {
        // this process's own work: busy worker slots and unreleased tasks (stale reservation rows left by a lost
        // lease are not work; peers take those nodes over)
        int workers = tasks.workers().busy();
        int open = tasks.openTasks();
        long now = System.nanoTime();
        boolean finished = workers == 0 && open == 0;
        if (finished || now >= deadline) {
            done.tryComplete(new Result(finished, open, workers, (now - start) / 1_000_000));
            return;
        }
        vertx.setTimer(
                Math.min(CHECK_MS, Math.max(1, (deadline - now) / 1_000_000)), id -> check(start, deadline, done));
    }
}
