package io.anvil.lock;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.impl.RedisClusterConnection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Where Redis is and how it is deployed (docs/scale-out.md#redis): a standalone server, a Sentinel group (the
 * endpoints are the sentinels; the service always talks to the current primary) or a Cluster (the endpoints are seed
 * nodes). The one place Anvil creates Redis clients.
 *
 * @param waitReplicas a grant counts only once this many replicas acknowledged it ({@code WAIT}); 0 = do not wait
 * @param waitTimeout  how long a grant waits for those acknowledgements before the acquire fails
 */
public record RedisTopology(
        Mode mode, List<String> endpoints, String masterName, int waitReplicas, Duration waitTimeout) {

    public enum Mode {
        STANDALONE,
        SENTINEL,
        CLUSTER;

        public static Mode parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "redis.mode must be standalone, sentinel or cluster, got '" + s + "'");
            }
        }
    }

    public RedisTopology {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("redis: no endpoint given (redis.url or redis.endpoints)");
        }
        if (mode == Mode.SENTINEL && (masterName == null || masterName.isBlank())) {
            throw new IllegalArgumentException("redis.mode sentinel needs redis.master_name");
        }
        if (waitReplicas < 0) {
            throw new IllegalArgumentException("redis.wait_replicas must be >= 0");
        }
    }

    /** One standalone server. */
    public static RedisTopology standalone(String url) {
        return new RedisTopology(Mode.STANDALONE, List.of(url), "", 0, Duration.ZERO);
    }

    public RedisTopology withWaitReplicas(int replicas, Duration timeout) {
        return new RedisTopology(mode, endpoints, masterName, replicas, timeout);
    }

    /** A client for commands: in Cluster mode it routes each command to the master of its keys' slot. */
    Redis commandClient(Vertx vertx, int maxWaitingHandlers) {
        RedisOptions o = new RedisOptions()
                .setType(clientType())
                .setMaxWaitingHandlers(maxWaitingHandlers)
                .setMaxPoolSize(Math.max(4, endpoints.size() * 2))
                .setMaxPoolWaiting(Math.max(16, endpoints.size() * 4));
        endpoints.forEach(o::addConnectionString);
        if (mode == Mode.SENTINEL) {
            o.setMasterName(masterName).setRole(RedisRole.MASTER);
        }
        if (mode == Mode.CLUSTER) {
            o.setUseReplicas(RedisReplicas.NEVER);
            // SCRIPT LOAD (and FLUSH) has no key: sent to every master, so every one caches the lock scripts
            RedisClusterConnection.addReducer(Command.SCRIPT, replies -> replies.get(0));
        }
        return Redis.createClient(vertx, o);
    }

    /**
     * A client of its own for the wake-up subscription, closed when the subscription drops. Standalone and Sentinel:
     * the primary (a Sentinel client asks the sentinels again on each new client). Cluster: one seed node, the
     * {@code attempt}-th in turn, since a Cluster forwards every PUBLISH to all its nodes and a cluster-mode connection
     * would spread the subscription over every master it knows.
     */
    Redis subscriberClient(Vertx vertx, int attempt) {
        if (mode != Mode.CLUSTER) {
            return commandClient(vertx, 64);
        }
        String endpoint = endpoints.get(Math.floorMod(attempt, endpoints.size()));
        return Redis.createClient(vertx, new RedisOptions().setConnectionString(endpoint));
    }

    private RedisClientType clientType() {
        return switch (mode) {
            case STANDALONE -> RedisClientType.STANDALONE;
            case SENTINEL -> RedisClientType.SENTINEL;
            case CLUSTER -> RedisClientType.CLUSTER;
        };
    }

    /** For logs: the mode and the endpoints with passwords removed. */
    public String describe() {
        return mode.name().toLowerCase(Locale.ROOT)
                + " "
                + endpoints.stream()
                        .map(e -> e.replaceAll("//[^@/]*@", "//***@"))
                        .toList()
                + (mode == Mode.SENTINEL ? " master " + masterName : "");
    }
}
