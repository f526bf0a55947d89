package io.anvil.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * Blocking REST calls for tests that drive an {@link AnvilInstance} from outside (a browser test's set-up): each is
 * issued on one Vert.x context ({@link OnContext}) and waited for on the test's thread.
 */
public final class ApiCalls implements AutoCloseable {
    public record Answer(int status, Buffer body) {
        public JsonObject json() {
            return body.length() == 0 ? new JsonObject() : body.toJsonObject();
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = vertx.createHttpClient();
    private final OnContext context = OnContext.of(vertx);
    private final int port;
    private final String authorization;

    /** Calls to {@code 127.0.0.1:port}, with {@code authorization} (null: none) as the header. */
    public ApiCalls(int port, String authorization) {
        this.port = port;
        this.authorization = authorization;
    }

    public Answer call(HttpMethod method, String path, JsonObject body) {
        Future<Answer> f = context.call(() -> http.request(method, port, "127.0.0.1", path)
                .compose(req -> {
                    req.putHeader("X-OpenStack-Ironic-API-Version", "latest");
                    if (authorization != null) {
                        req.putHeader("Authorization", authorization);
                    }
                    if (body == null) {
                        return req.send();
                    }
                    return req.putHeader("Content-Type", "application/json").send(body.toBuffer());
                })
                .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b))));
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        }
    }

    /** A call that must answer {@code status}. */
    public JsonObject expect(int status, HttpMethod method, String path, JsonObject body) {
        Answer a = call(method, path, body);
        if (a.status() != status) {
            throw new AssertionError(
                    method + " " + path + ": expected " + status + ", got " + a.status() + " " + a.body());
        }
        return a.json();
    }

    @Override
    public void close() {
        vertx.close();
    }
}
