package io.anvil.periodic;

import io.vertx.core.Vertx;

/**
 * What a periodic method gets: the node walker (owned nodes, try-once locks), the shutdown signal (check it
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

    /**
     * Walks only nodes this conductor owns, handing each visitor the task as {@code view} (a driver passes
     * {@code DriverTask.class}, the conductor's jobs {@code Task.class}); fails if the scheduler was built without a
     * walker or its tasks are not a {@code view}.
     */
    @SuppressWarnings(
            "unchecked") // sound: a walker only hands tasks to visitors, so a walker of T serves any view of T
    public <T> NodeWalker<T> nodes(Class<T> view) {
        NodeWalker<?> nodes = scheduler.nodes();
        if (nodes == null) {
            throw new IllegalStateException("this scheduler has no node walker");
        }
        if (!view.isAssignableFrom(nodes.taskType())) {
            throw new IllegalArgumentException(
                    "the node walker's tasks are " + nodes.taskType().getName() + ", not " + view.getName());
        }
        return (NodeWalker<T>) nodes;
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
