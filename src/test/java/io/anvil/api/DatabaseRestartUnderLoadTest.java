package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.events.FeedTestClient;
import io.anvil.store.DatabaseUrl;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL restarts while the API is written to, the event feed is followed and the power sync runs
 * (docs/scale-out.md#postgresql-restarts). The PostgreSQL is this test's own embedded one (stopped with a fast
 * shutdown, which ends every session and rolls back every open transaction, then started again on the same port and
 * data), never the machine's shared server. Checked: every API call answered 2xx or 503 (never 500, never a hang);
 * every node in the table was written whole, with its creation event in the same transaction, and every 201 is
 * there; each feed subscriber received every event of the {@code events} table after its start exactly once and in
 * order, across the outage, without reconnecting; {@code /health/ready} went to 503 and back to 200 by itself.
 */
class DatabaseRestartUnderLoadTest {
    private static final int WRITERS = 3;
    private static final int SUBSCRIBERS = 2;

    @Test
    void aRestartUnderLoadLosesNoEventAndHalfWritesNothing() throws Exception {
        try (AnvilOnOwnPostgres pg = AnvilOnOwnPostgres.start(
                // a power-sync pass every second, through the outage
                "pg-restart-load", Map.of("conductor.sync_power_state_interval", 1))) {
            underLoad(pg);
        }
    }

    private void underLoad(AnvilOnOwnPostgres pg) throws Exception {
        Vertx vertx = pg.vertx;
        DatabaseUrl url = pg.url;
        ExecutorService threads = Executors.newFixedThreadPool(WRITERS + 1);
        AtomicBoolean stop = new AtomicBoolean();
        List<FeedTestClient> subscribers = new ArrayList<>();
        Pool sql = null;
        try {
            int port = pg.port();
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
            List<String> seed = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> r = call(
                        http, port, "POST", "/v1/nodes", "{\"driver\":\"fake-hardware\",\"name\":\"seed-" + i + "\"}");
                assertEquals(201, r.statusCode(), r.body());
                seed.add(new JsonObject(r.body()).getString("uuid"));
            }
            sql = PgBuilder.pool()
                    .with(new PoolOptions().setMaxSize(1))
                    .connectingTo(url.connectOptions())
                    .using(vertx)
                    .build();
            long start = lastSeq(sql);
            for (int i = 0; i < SUBSCRIBERS; i++) {
                subscribers.add(FeedTestClient.connect(vertx, port, "since=" + start));
            }

            // the load: each writer creates nodes and patches the seed nodes, recording every answer
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            Set<String> created = ConcurrentHashMap.newKeySet();
            Set<String> namesTried = ConcurrentHashMap.newKeySet();
            AtomicInteger succeeded = new AtomicInteger();
            List<Future<?>> ignored = new ArrayList<>();
            List<java.util.concurrent.Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(threads.submit(() -> {
                    for (int k = 0; !stop.get(); k++) {
                        HttpResponse<String> r;
                        if (k % 2 == 0) {
                            String name = "w" + writer + "-" + k;
                            namesTried.add(name);
                            r = call(
                                    http,
                                    port,
                                    "POST",
                                    "/v1/nodes",
                                    "{\"driver\":\"fake-hardware\",\"name\":\"" + name + "\",\"extra\":{\"writer\":\""
                                            + writer + "\"}}");
                            if (r.statusCode() == 201) {
                                created.add(new JsonObject(r.body()).getString("uuid"));
                            }
                        } else {
                            r = call(
                                    http,
                                    port,
                                    "PATCH",
                                    "/v1/nodes/" + seed.get(k % seed.size()),
                                    "[{\"op\":\"add\",\"path\":\"/extra/w" + writer + "\",\"value\":\"" + k + "\"}]");
                        }
                        statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger())
                                .incrementAndGet();
                        if (r.statusCode() / 100 == 2) {
                            succeeded.incrementAndGet();
                        } else if (r.statusCode() != 503) {
                            throw new AssertionError("an API call answered " + r.statusCode() + ": " + r.body());
                        } else {
                            assertTrue(r.body().contains("database is not reachable"), r.body());
                        }
                    }
                    return null;
                }));
            }
            List<Integer> readiness = Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.Future<?> prober = threads.submit(() -> {
                while (!stop.get()) {
                    int s = call(http, port, "GET", "/health/ready", null).statusCode();
                    if (readiness.isEmpty() || readiness.get(readiness.size() - 1) != s) {
                        readiness.add(s);
                    }
                    Thread.onSpinWait();
                }
                return null;
            });

            Conditions.await(vertx, "writes before the restart", Duration.ofSeconds(60), Duration.ofMillis(50), () -> {
                failFast(writers);
                return succeeded.get() >= 30;
            });
            pg.stopPostgres(); // fast shutdown: sessions end, open transactions roll back
            Conditions.await(vertx, "readiness says not ready", Duration.ofSeconds(30), Duration.ofMillis(20), () -> {
                failFast(writers);
                return readiness.contains(503);
            });
            Conditions.await(
                    vertx,
                    "writers told 503 while PostgreSQL is away",
                    Duration.ofSeconds(30),
                    Duration.ofMillis(20),
                    () -> statuses.containsKey(503));
            pg.startPostgres();
            int before = succeeded.get();
            Conditions.await(vertx, "writes after the restart", Duration.ofSeconds(90), Duration.ofMillis(50), () -> {
                failFast(writers);
                return succeeded.get() >= before + 30 && readiness.get(readiness.size() - 1) == 200;
            });
            stop.set(true);
            for (var f : writers) {
                f.get();
            }
            prober.get();
            assertEquals(Set.of(200, 201, 503), Set.copyOf(statuses.keySet()), "answers: " + statuses);

            // nothing half-written: every node has its creation event (same transaction), every 201 is a node
            Pool db = sql;
            Map<String, String> nodes = new HashMap<>();
            for (Row r : get(db.query("SELECT uuid::text, name FROM nodes").execute())) {
                nodes.put(r.getString(0), r.getString(1));
            }
            assertTrue(nodes.keySet().containsAll(created), "every 201 is in the table");
            Set<String> withCreateEvent = new HashSet<>();
            for (Row r :
                    get(db.query("SELECT node_uuid::text FROM events WHERE event_type = 'baremetal.node.create.end'")
                            .execute())) {
                withCreateEvent.add(r.getString(0));
            }
            for (var n : nodes.entrySet()) {
                assertTrue(withCreateEvent.contains(n.getKey()), "node " + n.getValue() + " has its creation event");
                assertTrue(
                        n.getValue().startsWith("seed-") || namesTried.contains(n.getValue()),
                        "an unexpected node " + n.getValue());
            }

            // the feed: every event of the table after the start, once and in order, on every subscriber
            List<Long> expected = new ArrayList<>();
            for (Row r : get(db.preparedQuery("SELECT seq FROM events WHERE seq > $1 ORDER BY seq")
                    .execute(Tuple.of(start)))) {
                expected.add(r.getLong(0));
            }
            assertTrue(expected.size() > 60, "events during the run: " + expected.size());
            long last = expected.get(expected.size() - 1);
            for (FeedTestClient s : subscribers) {
                s.awaitEvents(1, e -> e.getLong("seq") == last, "event " + last + " on a subscriber");
                assertEquals(expected, s.seqs(), "a subscriber's events: each of the table's once, in order");
            }
            assertEquals(200, readiness.get(readiness.size() - 1), "readiness: " + readiness);
            assertTrue(
                    readiness.indexOf(503) > readiness.indexOf(200), "readiness went down and back up: " + readiness);
            System.out.println("DatabaseRestartUnderLoadTest: answers " + statuses + ", readiness " + readiness
                    + ", events " + expected.size() + ", nodes " + nodes.size() + ", ignored " + ignored.size());
        } finally {
            stop.set(true);
            threads.shutdownNow();
            subscribers.forEach(FeedTestClient::close);
            if (sql != null) {
                get(sql.close().recover(e -> Future.succeededFuture()));
            }
        }
    }

    private static long lastSeq(Pool sql) {
        Row r = get(sql.query("SELECT coalesce(max(seq), 0) FROM events").execute())
                .iterator()
                .next();
        return r.getLong(0);
    }

    /** A writer that threw (an unexpected status) ends the test at once with its message. */
    private static void failFast(List<java.util.concurrent.Future<?>> writers) {
        for (var f : writers) {
            if (f.isDone()) {
                try {
                    f.get();
                } catch (Exception e) {
                    throw new AssertionError(e.getCause() != null ? e.getCause() : e);
                }
            }
        }
    }

    private static HttpResponse<String> call(HttpClient client, int port, String method, String path, String body) {
        return io.anvil.testsupport.PlainHttp.call(client, port, method, path, body);
    }

    private static <T> T get(Future<T> f) {
        return AnvilOnOwnPostgres.get(f);
    }
}
