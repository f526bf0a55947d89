package io.anvil.sim.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.testsupport.Conditions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** A Vert.x, a {@link FakeIronic} and an agent fleet pointed at it, with short intervals; HTTP helpers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SimAgentTestSupport {
    Vertx vertx;
    FakeIronic fakeIronic;
    AgentFleet fleet;
    final HttpClient http = HttpClient.newHttpClient();

    /** A response: status and body. */
    record Resp(int status, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    AgentFleetOptions options(String anvilUrl) {
        return AgentFleetOptions.defaults(anvilUrl)
                .withMinHeartbeatInterval(Duration.ofMillis(100))
                .withPrepareImageTime(Duration.ofMillis(100))
                .withStepTime(Duration.ofMillis(100))
                .withMaxBackoff(Duration.ofMillis(500))
                .withImageDownloadRetries(2, Duration.ofMillis(20))
                .withPxeRetryInterval(Duration.ofMillis(200));
    }

    @BeforeAll
    void startFleet() throws Exception {
        vertx = Vertx.vertx();
        fakeIronic = new FakeIronic(vertx);
        fleet = await(AgentFleet.start(vertx, options(fakeIronic.url())));
    }

    @AfterAll
    void stopFleet() throws Exception {
        if (fleet != null) {
            await(fleet.close());
        }
        if (fakeIronic != null) {
            fakeIronic.close();
        }
        if (vertx != null) {
            await(vertx.close());
        }
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    void waitUntil(String what, BooleanSupplier condition) {
        Conditions.await(vertx, what, Duration.ofSeconds(30), Duration.ofMillis(10), condition);
    }

    /** A new agent with a fresh MAC, enrolled in the fake Ironic, booted and heartbeating. */
    SimulatedAgent bootedAgent() {
        SimulatedAgent a = fleet.add(List.of(freshMac()));
        fakeIronic.enroll(a.macs().get(0));
        a.boot();
        waitUntil("agent heartbeating", () -> a.heartbeatsAccepted() >= 1 || a.lastHeartbeatStatus() == 202);
        return a;
    }

    private static int macCounter = 0x100;

    static synchronized String freshMac() {
        int i = macCounter++;
        return String.format("52:54:03:%02x:%02x:%02x", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    }

    String token(SimulatedAgent a) {
        return fakeIronic.tokenByNode.get(a.nodeUuid());
    }

    Resp send(String method, String url, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            b.method(
                    method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** POST {callback}/v1/commands/?wait=…&agent_token=…. */
    Resp command(SimulatedAgent a, String name, JsonObject params, boolean wait) {
        return command(a, token(a), name, params, wait);
    }

    Resp command(SimulatedAgent a, String token, String name, JsonObject params, boolean wait) {
        String url = a.callbackUrl() + "/v1/commands/?wait=" + wait + "&agent_token=" + token;
        return send(
                "POST",
                url,
                new JsonObject().put("name", name).put("params", params).encode());
    }

    /** The agent's last command result, as GET /v1/commands/ lists it. */
    JsonObject last(SimulatedAgent a) {
        Resp r = send("GET", a.callbackUrl() + "/v1/commands/?agent_token=" + token(a), null);
        assertEquals(200, r.status(), r.body());
        var list = r.json().getJsonArray("commands");
        return list.getJsonObject(list.size() - 1);
    }

    /** Waits until the last command is no longer RUNNING; returns it. */
    JsonObject finished(SimulatedAgent a) {
        JsonObject[] out = new JsonObject[1];
        waitUntil("command finished", () -> {
            out[0] = last(a);
            return !"RUNNING".equals(out[0].getString("command_status"));
        });
        return out[0];
    }

    static JsonObject nodeParams() {
        return new JsonObject()
                .put("node", new JsonObject().put("uuid", "n").put("properties", new JsonObject()))
                .put("ports", new io.vertx.core.json.JsonArray());
    }
}
