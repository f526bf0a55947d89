package io.anvil.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.testsupport.AnvilCluster;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/events.md#across-conductors: two conductors on one database, one subscriber on each; events made through
 * either conductor's API reach both, in the same order. The fallback poll is set far beyond the wait, so delivery
 * within it proves the LISTEN/NOTIFY wake-up works across processes.
 */
class EventFeedClusterTest {

    @Test
    void twoConductorsOneSubscriberEachBothSeeEveryEventMadeOnEither() throws Exception {
        try (AnvilCluster cluster = AnvilCluster.start(Map.of("feed.poll_interval", 600.0), "feed-a", "feed-b")) {
            Vertx vertx = Vertx.vertx();
            try {
                AnvilCluster.Member a = cluster.member("feed-a");
                AnvilCluster.Member b = cluster.member("feed-b");
                FeedTestClient onA = FeedTestClient.connect(vertx, a.port(), "type=baremetal.node.*");
                FeedTestClient onB = FeedTestClient.connect(vertx, b.port(), "type=baremetal.node.*");
                HttpClient http = vertx.createHttpClient();
                List<String> made = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    AnvilCluster.Member via = i % 2 == 0 ? a : b;
                    JsonObject node = post(
                            http,
                            via.port(),
                            "/v1/nodes",
                            new JsonObject().put("driver", "fake-hardware").put("name", "cluster-" + i));
                    made.add(node.getString("uuid"));
                }
                int expected = made.size();
                onA.awaitEvents(expected, e -> true, "all creates on conductor a's subscriber");
                onB.awaitEvents(expected, e -> true, "all creates on conductor b's subscriber");
                Conditions.await(
                        vertx,
                        "both subscribers with the same events",
                        FeedTestClient.WAIT,
                        Duration.ofMillis(20),
                        () -> onA.seqs().equals(onB.seqs()));
                assertEquals(
                        made,
                        onA.events().stream().map(e -> e.getString("node_uuid")).toList());
                assertEquals(
                        List.of("feed-a", "feed-b"),
                        onA.events().stream()
                                .map(e -> e.getString("conductor"))
                                .distinct()
                                .sorted()
                                .toList(),
                        "events made on both conductors");
                // a conductor that stops tells its subscribers where to resume (on another conductor)
                long lastSeen = onB.seqs().get(onB.seqs().size() - 1);
                b.stop();
                JsonObject closing = onB.awaitControl("closing");
                onB.awaitClosed();
                assertEquals((short) 1001, onB.closeStatus());
                assertEquals("conductor shutting down", closing.getString("reason"));
                assertEquals(lastSeen, closing.getLong("resume_from"));
                FeedTestClient moved =
                        FeedTestClient.connect(vertx, a.port(), "since=" + closing.getLong("resume_from"));
                post(
                        http,
                        a.port(),
                        "/v1/nodes",
                        new JsonObject().put("driver", "fake-hardware").put("name", "after"));
                JsonObject next = moved.awaitEvents(1, e -> true, "the next event, on the other conductor")
                        .get(0);
                assertEquals("after", next.getString("node_name"), "nothing missed or repeated: " + moved.events());
                moved.close();
                onA.close();
                onB.close();
            } finally {
                FeedTestClient.get(vertx.close());
            }
        }
    }

    private static JsonObject post(HttpClient http, int port, String path, JsonObject body) {
        return FeedTestClient.get(http.request(new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setURI(path))
                .compose(req -> req.putHeader("Content-Type", "application/json")
                        .putHeader("X-OpenStack-Ironic-API-Version", "latest")
                        .send(Buffer.buffer(body.encode())))
                .compose(res -> res.body().map(b -> {
                    if (res.statusCode() != 201) {
                        throw new AssertionError("POST " + path + ": " + res.statusCode() + " " + b);
                    }
                    return new JsonObject(b);
                })));
    }
}
