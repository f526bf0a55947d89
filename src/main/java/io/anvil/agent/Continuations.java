package io.anvil.agent;

import io.anvil.conductor.ConductorErrors;
import io.anvil.driver.AgentReport;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands heartbeats that bring work to the conductor, at most one continuation per node at a time (docs/agent.md):
 * the first starts one (a patient waiter in the node's fair lock queue); heartbeats arriving while it queues or runs
 * only leave their report behind, and when it ends one more continuation runs with the newest report (the agent may
 * have finished its command after the running one asked). However fast an agent heartbeats, a node has at most one
 * continuation running and one waiting.
 */
final class Continuations {
    private static final Logger LOG = LoggerFactory.getLogger(Continuations.class);

    /** One node's continuation; {@code next} is the report a later heartbeat left, {@code done} once it ended. */
    private static final class Entry {
        AgentReport next;
        boolean done;
    }

    /** Retries of a continuation that found no free conductor worker, 0.2 s × 2^n × U(1, 1.5) apart. */
    static final int NO_WORKER_RETRIES = 6;

    private final Map<String, Entry> running = new ConcurrentHashMap<>();
    private final BiFunction<String, AgentReport, io.vertx.core.Future<Void>> conductor;
    private final AgentMetrics metrics;
    private final Vertx vertx;

    Continuations(
            Vertx vertx, BiFunction<String, AgentReport, io.vertx.core.Future<Void>> conductor, AgentMetrics metrics) {
        this.vertx = vertx;
        this.conductor = conductor;
        this.metrics = metrics;
    }

    /** Any thread. */
    void request(String uuid, AgentReport report) {
        while (true) {
            Entry fresh = new Entry();
            Entry existing = running.putIfAbsent(uuid, fresh);
            if (existing == null) {
                start(uuid, fresh, report);
                return;
            }
            synchronized (existing) {
                if (!existing.done) {
                    existing.next = report;
                    metrics.continuationsCoalesced.increment();
                    return;
                }
            }
            running.remove(uuid, existing); // ended meanwhile: start a new one
        }
    }

    /** Nodes with a continuation queued or running. */
    int active() {
        return running.size();
    }

    private void start(String uuid, Entry entry, AgentReport report) {
        start(uuid, entry, report, 0);
    }

    private void start(String uuid, Entry entry, AgentReport report, int noWorkerAttempt) {
        metrics.continuationsStarted.increment();
        io.vertx.core.Future<Void> f;
        try {
            f = conductor.apply(uuid, report);
        } catch (RuntimeException e) {
            f = io.vertx.core.Future.failedFuture(e);
        }
        f.onComplete(ar -> {
            if (ar.failed()
                    && ar.cause() instanceof ConductorErrors.NoFreeConductorWorker
                    && noWorkerAttempt < NO_WORKER_RETRIES) {
                // the agent was answered 202 already: the work is this node's to finish, so wait for a worker here
                // (Ironic answers 503 and the agent retries in 5-10 s; a regular heartbeat may be minutes away)
                long delay = (long) (200L
                        * (1L << noWorkerAttempt)
                        * ThreadLocalRandom.current().nextDouble(1, 1.5));
                vertx.setTimer(delay, id -> {
                    AgentReport newest;
                    synchronized (entry) {
                        newest = entry.next == null ? report : entry.next;
                        entry.next = null;
                    }
                    start(uuid, entry, newest, noWorkerAttempt + 1);
                });
                return;
            }
            if (ar.failed()) {
                LOG.warn(
                        "Heartbeat continuation of node {} failed: {}",
                        uuid,
                        ar.cause().getMessage());
            }
            AgentReport again;
            synchronized (entry) {
                again = entry.next;
                entry.next = null;
                if (again == null) {
                    entry.done = true;
                }
            }
            if (again == null) {
                running.remove(uuid, entry);
            } else {
                start(uuid, entry, again);
            }
        });
    }
}
