package io.anvil.periodic;

import io.vertx.core.Future;
import java.util.List;

/**
 * Ironic's {@code iter_nodes} + {@code node_periodic} as periodic code sees it: the owned nodes matching a filter,
 * each visited under a try-once task. Declared here, below the drivers, so that a driver's {@code @Periodic} method
 * can walk its nodes without depending on the conductor; the conductor-side implementation (upkeep's NodeIterator)
 * is handed to tasks through {@link PeriodicContext#nodes(Class)}.
 *
 * @param <T> the task type handed to visitors; a walker of {@code T} serves any visitor of a supertype of {@code T}
 */
public interface NodeWalker<T> {
    /** How one node visit ended. */
    enum Outcome {
        CONTINUE,
        STOP,
        LOCKED,
        GONE,
        OTHER_DRIVER,
        FAILED,
        NO_WORKER
    }

    /** The task type this walker hands to visitors. */
    Class<T> taskType();

    /** The nodes matching {@code filter} that this conductor owns, in the filter's order. */
    Future<List<NodeRef>> owned(NodeFilter filter);

    /** Lists the owned nodes matching {@code filter} and visits them as {@code walk} says. */
    Future<WalkResult> forEach(NodeFilter filter, Walk walk, NodeVisitor<? super T> visitor);

    /** Visits {@code nodes} (already listed and owned) with up to {@code walk.concurrency()} at a time. */
    Future<WalkResult> forEach(List<NodeRef> nodes, Walk walk, NodeVisitor<? super T> visitor);

    /** Visits one node under a task taken as {@code walk} says. Never fails: the outcome says what happened. */
    Future<Outcome> visit(NodeRef node, Walk walk, NodeVisitor<? super T> visitor);

    /** True once the periodic scheduler is stopping. */
    boolean stopping();
}
