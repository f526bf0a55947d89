package io.anvil.sim.redfish;

import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.OnContext;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.Map;

/**
 * A test's Redfish client: Vert.x's WebClient, verifying the BMCs against the fleet's CA (host names too), every
 * request issued on one Vert.x context ({@link OnContext}). Authenticates with HTTP Basic unless given a token.
 */
final class RedfishClient {
    /** An answer. */
    record Resp(int status, MultiMap headers, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }

        String header(String name) {
            return headers.get(name);
        }

        /** The Redfish error's first MessageId, or null. */
        String messageId() {
            JsonObject error = json().getJsonObject("error");
            return error == null
                    ? null
                    : error.getJsonArray("@Message.ExtendedInfo")
                            .getJsonObject(0)
                            .getString("MessageId");
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private final WebClient web;
    private final OnContext on;
    private final SimulatedRedfishBmc bmc;
    private String user = "admin";
    private String password = "password";
    private String token;

    RedfishClient(Vertx vertx, RedfishFleet fleet, SimulatedRedfishBmc bmc) {
        WebClientOptions o = new WebClientOptions().setKeepAlive(true).setVerifyHost(true);
        if (fleet.tls()) {
            o.setSsl(true).setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(fleet.caPem())));
        }
        this.web = WebClient.create(vertx, o);
        this.on = OnContext.of(vertx);
        this.bmc = bmc;
    }

    RedfishClient basic(String u, String p) {
        user = u;
        password = p;
        token = null;
        return this;
    }

    RedfishClient token(String t) {
        token = t;
        return this;
    }

    RedfishClient anonymous() {
        user = null;
        token = null;
        return this;
    }

    Resp get(String path) {
        return send(HttpMethod.GET, path, null, Map.of());
    }

    Resp post(String path, JsonObject body) {
        return send(HttpMethod.POST, path, body, Map.of());
    }

    Resp patch(String path, JsonObject body, Map<String, String> headers) {
        return send(HttpMethod.PATCH, path, body, headers);
    }

    Resp delete(String path) {
        return send(HttpMethod.DELETE, path, null, Map.of());
    }

    Resp send(HttpMethod method, String path, JsonObject body, Map<String, String> headers) {
        return Conditions.result(
                on.call(() -> {
                    HttpRequest<Buffer> r = web.request(method, bmc.port(), bmc.host(), path);
                    if (token != null) {
                        r.putHeader("X-Auth-Token", token);
                    } else if (user != null) {
                        r.basicAuthentication(user, password);
                    }
                    headers.forEach(r::putHeader);
                    return (body == null ? r.send() : r.sendJsonObject(body))
                            .map(resp -> new Resp(
                                    resp.statusCode(),
                                    resp.headers(),
                                    resp.bodyAsString() == null ? "" : resp.bodyAsString()));
                }),
                Duration.ofSeconds(60));
    }

    void close() {
        web.close();
    }
}
