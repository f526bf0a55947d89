package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Rate limits: a client over its API budget gets 429 with Retry-After and Ironic's error body, heartbeats have their
 * own budget, non-API paths are not limited, and refusals are counted in /metrics. The budget refills so slowly (one
 * token per 1000 s) that the test never sees a refill.
 */
class RequestLimitsApiTest extends ApiTestBase {
    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of(
                "api.rate_limit.requests_per_second",
                0.001,
                "api.rate_limit.burst",
                5,
                "api.rate_limit.heartbeats.requests_per_second",
                0.001,
                "api.rate_limit.heartbeats.burst",
                2,
                "metrics.enabled",
                true);
    }

    @Test
    void overTheBudgetIs429WithRetryAfter() {
        for (int i = 0; i < 5; i++) {
            get("/v1/nodes").v(LATEST).expect(200);
        }
        Resp refused = get("/v1/nodes").v(LATEST).send();
        assertError(refused, 429, "Too many requests");
        long retry = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retry >= 1, "Retry-After in whole seconds: " + retry);

        // heartbeats count apart: two reach the handler (404: no such node), the third is refused
        String hb = "/v1/heartbeat/" + UUID.randomUUID();
        JsonObject body = new JsonObject().put("callback_url", "http://10.0.0.1:9999");
        assertEquals(404, post(hb, body).v(LATEST).send().status());
        assertEquals(404, post(hb, body).v(LATEST).send().status());
        assertError(post(hb, body).v(LATEST).send(), 429, "heartbeats");

        // the operator's endpoints are not limited, and count the refusals
        String metrics = get("/metrics").expect(200).body().toString();
        assertTrue(metrics.contains("anvil_api_refused_total{reason=\"rate_limit\"} 1.0"), metrics);
        assertTrue(metrics.contains("anvil_api_refused_total{reason=\"heartbeat_rate_limit\"} 1.0"), metrics);
        assertTrue(metrics.contains("anvil_api_refused_total{reason=\"json_depth\"} 0.0"), metrics);
        assertTrue(metrics.contains("anvil_api_refused_total{reason=\"feed_connections\"} 0.0"), metrics);
    }
}
