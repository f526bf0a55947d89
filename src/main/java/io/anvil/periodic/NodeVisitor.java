package io.anvil.periodic;

import io.vertx.core.Future;

/**
 * Work on one node under its task (shared or exclusive, try-once). {@code listed} is the node as the SQL filter saw
 * it; the task holds the node as read under the lock. Failing with NodeLocked (e.g. from {@code upgradeLock}) is a
 * skip, not an error.
 *
 * @param <T> the view of the task the visitor works with (a driver's periodic uses {@code DriverTask}, the
 *     conductor's own jobs the full {@code Task})
 */
@FunctionalInterface
public interface NodeVisitor<T> {
    Future<Visit> visit(T task, NodeRef listed);
}
