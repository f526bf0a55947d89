package io.anvil.periodic;

import io.vertx.core.Vertx;

/**
 * What a periodic method gets: the node iterator (owned nodes, try-once locks), the shutdown signal (check it
 * between units of work), the settings, and Vert.x for timers. One per task, shared by all its runs.
 */
public final class PeriodicContext {
    private final String taskName;
    private final PeriodicScheduler scheduler;

    PeriodicContext(String taskName, PeriodicScheduler scheduler) {
        this.taskName = taskName;
        this.scheduler = scheduler;
    }

    public String taskName() {
        return taskName;
    }

    /** Iterates only nodes this conductor owns; fails if the scheduler was built without one. */
    public NodeIterator nodes() {
        if (scheduler.nodes() == null) {
            throw new IllegalStateException("this scheduler has no node iterator");
        }
        return scheduler.nodes();
    }

    /** True once the scheduler is stopping: finish or abandon the current run quickly. */
    public boolean stopping() {
        return scheduler.stopping();
    }

    /** Completes when the scheduler starts stopping. */
    public io.vertx.core.Future<Void> stopSignal() {
        return scheduler.stopSignal();
    }

    public PeriodicSettings settings() {
        return scheduler.settings();
    }

    public Vertx vertx() {
        return scheduler.vertx();
    }
}
