package io.anvil.lock;

import io.anvil.metrics.AnvilMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Fair, patient, fenced per-node locks on Redis (docs/locks.md). Non-blocking and usable from any Vert.x
 * context: futures complete on the caller's context.
 */
public interface NodeLockService {

    /** Connects (dedicated command and pub/sub connections) and loads the Lua scripts. */
    static Future<NodeLockService> create(Vertx vertx, String redisUrl, LockOptions options) {
        return RedisNodeLockService.create(vertx, redisUrl, options).map(s -> s);
    }

    /** On a standalone Redis, a Sentinel group or a Cluster (docs/scale-out.md#redis). */
    static Future<NodeLockService> create(Vertx vertx, RedisTopology topology, LockOptions options) {
        return RedisNodeLockService.create(vertx, topology, options).map(s -> s);
    }

    /**
     * Acquires the node. Fails with {@link NodeLockedException} when a try-once or bounded request is not granted; a
     * patient request completes only when granted (or the service closes).
     */
    Future<LockLease> acquire(String nodeUuid, LockRequest request);

    /** Holder, shared holders and the queue of one node. */
    Future<LockInfo> inspect(String nodeUuid);

    /** {@code host:pid:random}, unique per process incarnation; owner ids are {@code <clientId>/<localId>}. */
    String clientId();

    /** Succeeds when Redis answers a PING on the lock service's own connection (the readiness probe). */
    default Future<Void> ping() {
        return Future.succeededFuture();
    }

    /** Reports to {@code metrics} from now on (docs/operations.md#locks); returns this. */
    default NodeLockService withMetrics(AnvilMetrics metrics) {
        return this;
    }

    /** Leaves every queue, releases every held lease, closes the connections. */
    Future<Void> close();
}
