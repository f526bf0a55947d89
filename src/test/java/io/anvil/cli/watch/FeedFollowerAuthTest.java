package io.anvil.cli.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.Conditions;
import io.anvil.testsupport.OnContext;
import io.anvil.testsupport.TestCredentials;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code anvil watch} (and {@code anvil console}, which shares {@link ApiAccess}) against an Anvil that asks for
 * credentials over TLS (docs/security.md#authentication): the right user follows the feed, a wrong password is a
 * refusal the command reports (401), never a reconnect loop; secrets never show in the options' text. The first
 * connection of a user is its first request, so the upgrade waits for the (asynchronous) password check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeedFollowerAuthTest {
    private static final String PASSWORD = "Watch-Secret-1";
    private AnvilInstance anvil;
    private Vertx vertx;
    private TestCredentials.Tls tls;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("anvil-watch-auth");
        tls = TestCredentials.selfSigned(dir);
        Path users = TestCredentials.htpasswd(dir, Map.of("root", PASSWORD));
        anvil = AnvilInstance.start(Map.of(
                "api.auth_strategy", "http_basic",
                "api.http_basic_auth_user_file", users.toString(),
                "api.tls_cert_file", tls.cert().toString(),
                "api.tls_key_file", tls.key().toString()));
        vertx = Vertx.vertx();
    }

    @AfterAll
    void stop() throws Exception {
        if (vertx != null) {
            Conditions.result(vertx.close(), Duration.ofSeconds(30));
        }
        if (anvil != null) {
            anvil.close();
        }
    }

    private URI endpoint() {
        return URI.create("https://127.0.0.1:" + anvil.port());
    }

    private JsonObject createNode(String name) {
        HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                .setSsl(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(tls.cert().toString())));
        try {
            return Conditions.result(
                    OnContext.of(vertx).call(() -> http.request(new RequestOptions()
                                    .setMethod(HttpMethod.POST)
                                    .setAbsoluteURI(endpoint() + "/v1/nodes")
                                    .putHeader("Authorization", TestCredentials.basic("root", PASSWORD))
                                    .putHeader("Content-Type", "application/json")
                                    .putHeader("X-OpenStack-Ironic-API-Version", "latest"))
                            .compose(req -> req.send(Buffer.buffer(new JsonObject()
                                    .put("driver", "fake-hardware")
                                    .put("name", name)
                                    .encode())))
                            .compose(resp -> resp.body().map(b -> {
                                assertEquals(201, resp.statusCode(), b::toString);
                                return new JsonObject(b);
                            }))),
                    Duration.ofSeconds(30));
        } finally {
            http.close();
        }
    }

    @Test
    void theRightUserFollowsTheFeedOverTls() {
        List<JsonObject> events = new CopyOnWriteArrayList<>();
        FeedFollower follower = new FeedFollower(
                vertx,
                FeedFollower.Options.of(endpoint(), FeedFilters.NONE, 0L)
                        .withAccess(
                                new ApiAccess("root", PASSWORD, null, tls.cert().toString())),
                new FeedFollower.Listener() {
                    @Override
                    public void event(JsonObject event, String text) {
                        events.add(event);
                    }

                    @Override
                    public void notice(String message) {}
                });
        Future<Void> done = follower.start();
        try {
            String name = "watched-" + Long.toHexString(System.nanoTime());
            createNode(name);
            Conditions.await(
                    vertx,
                    "the new node's create event through the authenticated TLS feed",
                    Duration.ofSeconds(30),
                    Duration.ofMillis(50),
                    () -> events.stream().anyMatch(e -> name.equals(e.getString("node_name"))));
            assertFalse(done.isComplete(), "still following");
        } finally {
            Conditions.result(follower.stop(), Duration.ofSeconds(30));
        }
    }

    @Test
    void aWrongPasswordIsARefusalNotAReconnectLoop() {
        FeedFollower follower = new FeedFollower(
                vertx,
                FeedFollower.Options.of(endpoint(), FeedFilters.NONE, null)
                        .withAccess(
                                new ApiAccess("root", "wrong", null, tls.cert().toString())),
                new FeedFollower.Listener() {
                    @Override
                    public void event(JsonObject event, String text) {}

                    @Override
                    public void notice(String message) {}
                });
        Future<Void> done = follower.start();
        Throwable refused =
                Conditions.result(done.transform(ar -> Future.succeededFuture(ar.cause())), Duration.ofSeconds(30));
        FeedFollower.Refused r = assertInstanceOf(FeedFollower.Refused.class, refused);
        assertEquals(401, r.status());
    }

    @Test
    void credentialsNeverShowInTheOptionsText() {
        ApiAccess basic = new ApiAccess("root", PASSWORD, null, null);
        assertTrue(basic.authorization().startsWith("Basic "));
        assertFalse(basic.toString().contains(PASSWORD), basic.toString());
        ApiAccess bearer = new ApiAccess("root", PASSWORD, "eyJ.token.sig", null);
        assertEquals("Bearer eyJ.token.sig", bearer.authorization(), "a token wins over a password");
        assertFalse(bearer.toString().contains("eyJ.token.sig"), bearer.toString());
        assertEquals(null, ApiAccess.none().authorization());
    }
}
