package io.anvil.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Enrolls nodes through {@code POST /v1/nodes} with many requests in flight, spread round-robin over one or more
 * API ports (the benches that need an API-made fleet: {@code scripts/bench api}, {@code scripts/bench scale}).
 */
final class ApiEnroll {
    private ApiEnroll() {}

    /**
     * POSTs {@code body.apply(i)} for i in [0, n), {@code inFlight} at once; node i goes to port i mod ports. Returns
     * the created uuids by index; fails on the first answer that is not 201. Progress every 2,000 nodes.
     */
    static List<String> enroll(
            List<Integer> ports, int n, int inFlight, String authorization, IntFunction<JsonObject> body)
            throws Exception {
        Vertx vertx = Vertx.vertx();
        List<HttpClient> clients = new ArrayList<>();
        for (int port : ports) {
            clients.add(vertx.createHttpClient(
                    new HttpClientOptions()
                            .setDefaultPort(port)
                            .setDefaultHost("127.0.0.1")
                            .setKeepAlive(true),
                    new PoolOptions().setHttp1MaxSize(Math.max(1, inFlight / ports.size() + 1))));
        }
        String[] uuids = new String[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        CompletableFuture<Object> all = new CompletableFuture<>();
        // lanes start on a Vert.x context: a request sent from a plain thread may never go out
        vertx.runOnContext(v -> {
            List<Future<Void>> lanes = new ArrayList<>();
            for (int i = 0; i < inFlight; i++) {
                lanes.add(lane(clients, next, done, n, uuids, t0, authorization, body));
            }
            Future.all(lanes).onComplete(ar -> {
                if (ar.succeeded()) {
                    all.complete(null);
                } else {
                    all.completeExceptionally(ar.cause());
                }
            });
        });
        all.get(30, TimeUnit.MINUTES);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("enrolled %d nodes in %.1f s (%.0f nodes/s)%n", n, s, n / s);
        vertx.close().toCompletionStage().toCompletableFuture().get();
        return Arrays.asList(uuids);
    }

    private static Future<Void> lane(
            List<HttpClient> clients,
            AtomicInteger next,
            AtomicInteger done,
            int n,
            String[] uuids,
            long t0,
            String authorization,
            IntFunction<JsonObject> body) {
        int i = next.getAndIncrement();
        if (i >= n) {
            return Future.succeededFuture();
        }
        return clients.get(i % clients.size())
                .request(HttpMethod.POST, "/v1/nodes")
                .compose(req -> {
                    if (authorization != null) {
                        req.putHeader("Authorization", authorization);
                    }
                    return req.putHeader("Content-Type", "application/json")
                            .putHeader("X-OpenStack-Ironic-API-Version", "1.78")
                            .send(body.apply(i).toBuffer());
                })
                .compose(resp -> resp.body().map(b -> {
                    if (resp.statusCode() != 201) {
                        throw new IllegalStateException("enroll failed: " + resp.statusCode() + " " + b);
                    }
                    return b;
                }))
                .compose((Buffer b) -> {
                    uuids[i] = b.toJsonObject().getString("uuid");
                    int d = done.incrementAndGet();
                    if (d % 2000 == 0) {
                        System.out.printf("  enrolled %d/%d (%.1f s)%n", d, n, (System.nanoTime() - t0) / 1e9);
                    }
                    return lane(clients, next, done, n, uuids, t0, authorization, body);
                });
    }
}
