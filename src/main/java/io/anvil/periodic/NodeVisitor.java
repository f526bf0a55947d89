package io.anvil.periodic;

import io.anvil.conductor.Task;
import io.vertx.core.Future;

/**
 * Work on one node under its task (shared or exclusive, try-once). {@code listed} is the node as the SQL filter saw
 * it; the task holds the node as read under the lock. Failing with NodeLocked (e.g. from {@code upgradeLock}) is a
 * skip, not an error.
 */
@FunctionalInterface
public interface NodeVisitor {
    Future<Visit> visit(Task task, NodeRef listed);
}
