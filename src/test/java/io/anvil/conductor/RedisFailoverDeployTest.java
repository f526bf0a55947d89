package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.RedisServers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A conductor on a real 3-master/3-replica Redis Cluster; the primary serving the nodes' lock keys is killed
 * ({@code kill -9}) while deploys are asked for. Every API answer is an accepted deploy or an Ironic error body that
 * says why; once the Cluster has failed over every deploy completes, and the fence column only grew
 * (docs/scale-out.md#what-happens-on-each-failure).
 */
class RedisFailoverDeployTest extends ConductorTestBase {
    private static final int NODES = 4;
    private RedisServers redis;

    @Override
    protected Map<String, Object> extraConfig() {
        redis = RedisServers.cluster(vertx);
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("redis.mode", "cluster");
        cfg.put("redis.endpoints", redis.endpoints());
        // a short lease keeps the fail-over quarantine short
        cfg.put("conductor.lock_lease", 3.0);
        return cfg;
    }

    @Override
    @AfterAll
    void stopAnvil() throws SQLException {
        try {
            super.stopAnvil();
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Test
    void deploysCompleteAcrossAPrimaryKill() {
        List<String> nodes = new ArrayList<>();
        Map<String, Long> fenceBefore = new HashMap<>();
        for (int i = 0; i < NODES; i++) {
            String uuid = createNode("available");
            nodes.add(uuid);
            fenceBefore.put(uuid, ((Number) node(uuid).get("lock_fence")).longValue());
        }
        int primary = redis.primaryFor("lk:{" + nodes.get(0) + "}:x");
        List<String> refusals = new ArrayList<>();
        // the first deploy is accepted before the kill (a fresh Cluster quarantines each slot at its first use, so it
        // may be refused once); the others are asked for while the primary is gone
        Conditions.await(vertx, "the first deploy accepted", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
            Resp r = deploy(nodes.get(0));
            if (r.status() != 202) {
                refusals.add(r.status() + " " + r.body());
            }
            return r.status() == 202;
        });
        redis.kill9(primary);
        for (String n : nodes.subList(1, NODES)) {
            Resp r = deploy(n);
            if (r.status() != 202) {
                refusals.add(r.status() + " " + r.body());
            }
        }
        redis.awaitFailover(primary, "lk:{" + nodes.get(0) + "}:x");
        Conditions.await(vertx, "every deploy completed", Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
            boolean all = true;
            for (String n : nodes) {
                String state = (String) node(n).get("provision_state");
                if ("available".equals(state)) {
                    Resp r = deploy(n); // refused during the fail-over: asked again, as a client would
                    if (r.status() != 202) {
                        refusals.add(r.status() + " " + r.body());
                    }
                }
                all &= "active".equals(state);
            }
            return all;
        });
        for (String refusal : refusals) {
            // told why: Ironic's error body with a message
            JsonObject body = new JsonObject(refusal.substring(refusal.indexOf(' ') + 1));
            assertNotNull(body.getString("error_message"), refusal);
            assertTrue(refusal.startsWith("409") || refusal.startsWith("503"), refusal);
        }
        for (String n : nodes) {
            long fence = ((Number) node(n).get("lock_fence")).longValue();
            assertTrue(fence > fenceBefore.get(n), "the deploy claimed the row with a newer fence");
        }
        System.out.println("deploys across the fail-over: " + refusals.size() + " refusals while Redis failed over "
                + refusals.stream()
                        .map(r -> r.substring(0, Math.min(160, r.length())))
                        .toList());
    }

    private Resp deploy(String uuid) {
        return http(
                HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/provision", new JsonObject().put("target", "active"));
    }
}
