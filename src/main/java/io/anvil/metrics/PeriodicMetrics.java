package io.anvil.metrics;

/** Periodic tasks: how long each run took, failures, overruns (a run longer than the task's spacing). */
public interface PeriodicMetrics {

    /** The pre-registered meters of one task, made when the scheduler collects it. */
    Task task(String name);

    interface Task {
        void ran(long nanos, boolean failed, boolean overran);
    }
}
