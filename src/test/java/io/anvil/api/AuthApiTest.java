package io.anvil.api;

import static io.anvil.testsupport.TestCredentials.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.auth.AuthHandler;
import io.anvil.auth.Policy;
import io.anvil.events.FeedTestClient;
import io.anvil.testsupport.Conditions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * http_basic with a generated htpasswd file and Ironic's roles (docs/security.md#roles): every route of the router
 * refuses a missing or wrong credential (401) and a reader's write (403); a project's member sees and acts on its own
 * nodes only, and receives only their events; a lessee reads but does not act.
 */
class AuthApiTest extends ApiTestBase {
    private static final String PASSWORD = "s3cret-pw";
    private String nodeA;
    private String nodeB;
    private String portA;

    @Override
    protected Map<String, Object> extraConfig() {
        return httpBasic(
                PASSWORD,
                List.of("root", "alice", "bob", "rita", "lena", "sam"),
                List.of(
                        "alice=member:proj-a",
                        "bob=member:proj-b",
                        "rita=reader:proj-a",
                        "lena=member:proj-l",
                        "sam=reader"));
    }

    private Req as(String user, Req r) {
        return r.header("Authorization", basic(user, PASSWORD)).v(LATEST);
    }

    @BeforeAll
    void fixtures() {
        nodeA = as(
                        "root",
                        post(
                                "/v1/nodes",
                                new JsonObject()
                                        .put("driver", "fake-hardware")
                                        .put("name", "node-a")
                                        .put("owner", "proj-a")
                                        .put("lessee", "proj-l")))
                .expect(201)
                .json()
                .getString("uuid");
        nodeB = as(
                        "root",
                        post(
                                "/v1/nodes",
                                new JsonObject()
                                        .put("driver", "fake-hardware")
                                        .put("name", "node-b")
                                        .put("owner", "proj-b")))
                .expect(201)
                .json()
                .getString("uuid");
        portA = as(
                        "root",
                        post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("address", "52:54:00:00:00:0a")
                                        .put("node_uuid", nodeA)))
                .expect(201)
                .json()
                .getString("uuid");
        as(
                        "root",
                        post(
                                "/v1/ports",
                                new JsonObject()
                                        .put("address", "52:54:00:00:00:0b")
                                        .put("node_uuid", nodeB)))
                .expect(201);
    }

    @Test
    void everyRouteHasARuleAndRefusesMissingOrWrongCredentialsAndReadersWrites() {
        Policy policy = new Policy();
        List<Route> routes = anvil.apiRoutes();
        assertEquals(List.of(), AuthHandler.unruled(policy, routes), "routes without an access rule");
        int checked = 0;
        for (Route route : routes) {
            if (route.getPath() == null) {
                continue;
            }
            for (HttpMethod m : AuthHandler.methodsOf(route)) {
                String path = Policy.sample(route.getPath());
                if (policy.match(m, path).access() == Policy.Access.OPEN) {
                    continue;
                }
                String what = m + " " + route.getPath();
                Resp none = new Req(m, path).v(LATEST).send();
                assertError(none, 401, "Authorization required");
                assertEquals("Basic realm=\"Baremetal API\"", none.header("WWW-Authenticate"), what);
                Resp wrong = new Req(m, path)
                        .v(LATEST)
                        .header("Authorization", basic("alice", "nope"))
                        .send();
                assertError(wrong, 401, "Incorrect username or password");
                // an unknown user reads exactly as a wrong password: no hint that a user exists
                Resp unknown = new Req(m, path)
                        .v(LATEST)
                        .header("Authorization", basic("mallory", "nope"))
                        .send();
                assertEquals(wrong.faultString(), unknown.faultString(), what);
                if (m != HttpMethod.GET) {
                    assertError(as("rita", new Req(m, path)).send(), 403, "Access was denied");
                    assertError(as("sam", new Req(m, path)).send(), 403, "Access was denied");
                }
                checked++;
            }
        }
        assertTrue(checked > 80, "checked " + checked + " endpoints");
    }

    @Test
    void aMemberSeesAndActsOnItsProjectsNodesOnly() {
        assertEquals(
                Set.of("node-a"),
                names(as("alice", get("/v1/nodes")).expect(200).json()));
        assertEquals(
                Set.of("node-b"),
                names(as("bob", get("/v1/nodes/detail")).expect(200).json()));
        assertEquals(
                Set.of("node-a", "node-b"),
                names(as("root", get("/v1/nodes")).expect(200).json()));
        // another project's node does not exist, whatever is asked of it
        assertError(as("bob", get("/v1/nodes/" + nodeA)).send(), 404, "could not be found");
        assertError(as("bob", get("/v1/nodes/node-a/lock")).send(), 404, "could not be found");
        assertError(as("bob", get("/v1/nodes/" + nodeA + "/states")).send(), 404, "could not be found");
        assertError(
                as("bob", put("/v1/nodes/" + nodeA + "/states/power", new JsonObject().put("target", "power on")))
                        .send(),
                404,
                "could not be found");
        assertError(as("bob", get("/v1/ports/" + portA)).send(), 404, "could not be found");
        assertEquals(
                1,
                as("bob", get("/v1/ports"))
                        .expect(200)
                        .json()
                        .getJsonArray("ports")
                        .size());
        assertEquals(
                0,
                as("bob", get("/v1/nodes/" + nodeB + "/ports")).expect(200).json().getJsonArray("ports").stream()
                        .filter(p -> ((JsonObject) p).getString("uuid").equals(portA))
                        .count());
        // its own: acts
        as("alice", put("/v1/nodes/" + nodeA + "/maintenance", new JsonObject().put("reason", "disk")))
                .expect(202);
        as("alice", patch("/v1/nodes/" + nodeA, patchOps(op("add", "/extra/rack", "r1"))))
                .expect(200);
        as("alice", get("/v1/nodes/" + nodeA + "/history")).expect(200);
        // but system-wide changes and the owner field are not a project member's
        assertError(
                as("alice", patch("/v1/nodes/" + nodeA, patchOps(op("replace", "/owner", "proj-b"))))
                        .send(),
                403,
                "owner");
        assertError(
                as(
                                "alice",
                                post(
                                        "/v1/ports",
                                        new JsonObject()
                                                .put("address", "52:54:00:00:00:0c")
                                                .put("node_uuid", nodeA)))
                        .send(),
                403,
                "Access was denied");
        assertError(as("alice", delete("/v1/nodes/" + nodeA)).send(), 403, "Access was denied");
        assertError(as("alice", post("/v1/chassis", new JsonObject())).send(), 403, "Access was denied");
        assertError(as("alice", get("/metrics")).send(), 403, "Access was denied");
        as("root", get("/metrics")).expect(200);
        assertEquals("proj-a", scalar("SELECT owner FROM nodes WHERE uuid = ?::uuid", nodeA));
    }

    @Test
    void aLesseeReadsButDoesNotActAndAReaderOnlyReads() {
        assertEquals(
                Set.of("node-a"), names(as("lena", get("/v1/nodes")).expect(200).json()));
        as("lena", get("/v1/nodes/" + nodeA)).expect(200);
        assertError(
                as("lena", put("/v1/nodes/" + nodeA + "/maintenance", new JsonObject()))
                        .send(),
                403,
                "Access was denied");
        assertError(as("lena", get("/v1/nodes/" + nodeA + "/history")).send(), 403, "Access was denied");

        assertEquals(
                Set.of("node-a"), names(as("rita", get("/v1/nodes")).expect(200).json()));
        as("rita", get("/v1/nodes/" + nodeA + "/lock")).expect(200);
        as("rita", get("/v1/events")).expect(200);
        assertError(as("rita", get("/v1/nodes/" + nodeB)).send(), 404, "could not be found");
        assertError(
                as("rita", patch("/v1/nodes/" + nodeA, patchOps(op("add", "/extra/x", "y"))))
                        .send(),
                403,
                "Access was denied");
        // a reader without a project reads everything, still changes nothing
        assertEquals(
                Set.of("node-a", "node-b"),
                names(as("sam", get("/v1/nodes")).expect(200).json()));
    }

    @Test
    void aMemberReceivesOnlyItsProjectsEvents() {
        as("root", put("/v1/nodes/" + nodeB + "/maintenance", new JsonObject().put("reason", "b")))
                .expect(202);
        as("root", delete("/v1/nodes/" + nodeB + "/maintenance")).expect(202);
        as("root", put("/v1/nodes/" + nodeA + "/maintenance", new JsonObject().put("reason", "a")))
                .expect(202);
        Conditions.await(
                vertx, "node A's and B's events in the feed", Duration.ofSeconds(30), Duration.ofMillis(50), () -> {
                    Set<String> all = eventNodes(
                            as("root", get("/v1/events?limit=1000")).expect(200).json());
                    return all.contains(nodeA) && all.contains(nodeB);
                });
        Set<String> bobs =
                eventNodes(as("bob", get("/v1/events?limit=1000")).expect(200).json());
        Set<String> alices =
                eventNodes(as("alice", get("/v1/events?limit=1000")).expect(200).json());
        assertTrue(bobs.contains(nodeB), bobs.toString());
        assertFalse(bobs.contains(nodeA), "bob received node A's events: " + bobs);
        assertTrue(alices.contains(nodeA), alices.toString());
        assertFalse(alices.contains(nodeB), "alice received node B's events: " + alices);
    }

    @Test
    void aMembersLiveFeedCarriesOnlyItsProjectsEventsEvenAfterResubscribing() {
        try (FeedTestClient bob =
                FeedTestClient.connect(vertx, anvil.apiPort(), "", Map.of("Authorization", basic("bob", PASSWORD)))) {
            // asking for node A by name changes nothing: the project's restriction stays
            bob.send(new JsonObject()
                    .put(
                            "subscribe",
                            new JsonObject()
                                    .put("node", new JsonArray().add(nodeA).add(nodeB))));
            bob.awaitControl("subscribed");
            as("root", put("/v1/nodes/" + nodeA + "/maintenance", new JsonObject().put("reason", "live-a")))
                    .expect(202);
            as("root", delete("/v1/nodes/" + nodeA + "/maintenance")).expect(202);
            as("root", put("/v1/nodes/" + nodeB + "/maintenance", new JsonObject().put("reason", "live-b")))
                    .expect(202);
            bob.awaitEvents(1, e -> nodeB.equals(e.getString("node_uuid")), "node B's maintenance event");
            assertTrue(
                    bob.events().stream().noneMatch(e -> nodeA.equals(e.getString("node_uuid"))),
                    "bob received node A's events: " + bob.events());
        }
        Throwable refused = FeedTestClient.refused(vertx, anvil.apiPort(), "");
        assertTrue(String.valueOf(refused).contains("401"), String.valueOf(refused));
    }

    /** A browser's WebSocket credential: {@code anvil.auth.<base64url of the Authorization value>} (docs/dashboard.md). */
    private static String protocolCredential(String authorization) {
        return io.anvil.auth.Authenticator.WEBSOCKET_CREDENTIAL
                + java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(authorization.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aBrowsersFeedCarriesItsCredentialAsASubprotocol() {
        try (FeedTestClient sam = FeedTestClient.connectWithProtocols(
                vertx, anvil.apiPort(), "", List.of("anvil.v1", protocolCredential(basic("sam", PASSWORD))))) {
            assertEquals(
                    "anvil.v1", sam.subProtocol(), "the server selects the plain subprotocol, never the credential");
            as("root", put("/v1/nodes/" + nodeB + "/maintenance", new JsonObject().put("reason", "seen-by-sam")))
                    .expect(202);
            sam.awaitEvents(1, e -> nodeB.equals(e.getString("node_uuid")), "node B's maintenance event");
            as("root", delete("/v1/nodes/" + nodeB + "/maintenance")).expect(202);
        }
        // a project's member through the subprotocol is still held to its project's nodes
        try (FeedTestClient bob = FeedTestClient.connectWithProtocols(
                vertx, anvil.apiPort(), "", List.of("anvil.v1", protocolCredential(basic("bob", PASSWORD))))) {
            as("root", put("/v1/nodes/" + nodeA + "/maintenance", new JsonObject().put("reason", "a")))
                    .expect(202);
            as("root", put("/v1/nodes/" + nodeB + "/maintenance", new JsonObject().put("reason", "b")))
                    .expect(202);
            bob.awaitEvents(1, e -> nodeB.equals(e.getString("node_uuid")), "node B's maintenance event");
            assertTrue(bob.events().stream().noneMatch(e -> nodeA.equals(e.getString("node_uuid"))));
            as("root", delete("/v1/nodes/" + nodeA + "/maintenance")).expect(202);
            as("root", delete("/v1/nodes/" + nodeB + "/maintenance")).expect(202);
        }
        // a wrong password in the subprotocol is refused before the upgrade, as in the header
        io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
        try {
            Throwable refused = assertThrows(java.util.concurrent.ExecutionException.class, () -> client.connect(
                            new io.vertx.core.http.WebSocketConnectOptions()
                                    .setHost("127.0.0.1")
                                    .setPort(anvil.apiPort())
                                    .setURI("/v1/events")
                                    .setSubProtocols(List.of("anvil.v1", protocolCredential(basic("sam", "wrong")))))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(String.valueOf(refused.getCause()).contains("401"), String.valueOf(refused.getCause()));
        } finally {
            client.close();
        }
        // a plain request cannot log in through the subprotocol header: only an upgrade reads it
        assertError(
                get("/v1/nodes")
                        .header("Sec-WebSocket-Protocol", "anvil.v1, " + protocolCredential(basic("root", PASSWORD)))
                        .v(LATEST)
                        .send(),
                401,
                "Authorization required");
    }

    @Test
    void whoAmISaysTheCallersRoleAndProject() {
        JsonObject sam = as("sam", get("/v1/auth/whoami")).expect(200).json();
        assertEquals("sam", sam.getString("user"));
        assertEquals("reader", sam.getString("role"));
        assertEquals("http_basic", sam.getString("auth_strategy"));
        JsonObject alice = as("alice", get("/v1/auth/whoami")).expect(200).json();
        assertEquals("member", alice.getString("role"));
        assertEquals("proj-a", alice.getString("project"));
        assertEquals(false, alice.getBoolean("system_member"));
        JsonObject root = as("root", get("/v1/auth/whoami")).expect(200).json();
        assertEquals("admin", root.getString("role"));
        assertError(get("/v1/auth/whoami").v(LATEST).send(), 401, "Authorization required");
        // the page itself is open: it asks for credentials once loaded
        assertEquals(200, get("/").header("Accept", "text/html").send().status());
        assertEquals(200, get("/dashboard/app.js").send().status());
    }

    @Test
    void aRefusedBodyLeavesTheConnectionUsable() {
        JsonObject body = new JsonObject()
                .put("driver", "fake-hardware")
                .put("extra", new JsonObject().put("pad", "x".repeat(200_000)));
        for (int i = 0; i < 3; i++) {
            assertError(post("/v1/nodes", body).v(LATEST).send(), 401, "Authorization required");
            assertError(as("rita", post("/v1/nodes", body)).send(), 403, "Access was denied");
            as("root", get("/v1/nodes/" + nodeA)).expect(200);
        }
    }

    @Test
    void theAgentsEndpointsAndDiscoveryNeedNoApiCredentials() {
        get("/").v(LATEST).expect(200);
        get("/v1").v(LATEST).expect(200);
        get("/health/live").expect(200);
        // the agent's lookup is authorized by the agent token alone (docs/agent.md): never a 401
        int lookup =
                get("/v1/lookup?addresses=52:54:00:ff:ff:ff").v(LATEST).send().status();
        assertTrue(lookup != 401 && lookup < 500, "lookup answered " + lookup);
    }

    private static Set<String> names(JsonObject list) {
        Set<String> out = new java.util.TreeSet<>();
        list.getJsonArray("nodes").forEach(n -> out.add(((JsonObject) n).getString("name")));
        return out;
    }

    private static Set<String> eventNodes(JsonObject page) {
        Set<String> out = new java.util.HashSet<>();
        JsonArray events = page.getJsonArray("events");
        events.forEach(e -> {
            String n = ((JsonObject) e).getString("node_uuid");
            if (n != null) {
                out.add(n);
            }
        });
        return out;
    }
}
