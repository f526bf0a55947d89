package io.anvil.driver.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent client against real HTTP(S) servers: an HTTPS agent is trusted through the certificate it sent
 * (agent_verify_ca) and only through it; reads are retried when the agent does not answer, commands are not sent
 * twice; the token never appears in an error.
 */
class AgentClientTest {
    private Vertx vertx;
    private AgentClient client;
    private HttpServer server;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        client = new AgentClient(vertx, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        get(client.close());
        if (server != null) {
            get(server.close());
        }
        get(vertx.close());
    }

    private static <T> T get(Future<T> f) throws InterruptedException, ExecutionException, TimeoutException {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static Throwable failure(Future<?> f) throws InterruptedException, TimeoutException {
        try {
            f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    private int listen(HttpServerOptions options, Consumer<HttpServerRequest> handler) throws Exception {
        server = get(
                vertx.createHttpServer(options).requestHandler(handler::accept).listen(0, "127.0.0.1"));
        return server.actualPort();
    }

    private static void commands(HttpServerRequest req) {
        req.response()
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject()
                        .put("commands", new JsonArray().add(new JsonObject().put("command_name", "x")))
                        .encode());
    }

    @Test
    void anHttpsAgentIsTrustedThroughTheCertificateItSentAndOnlyThroughIt() throws Exception {
        SelfSignedCertificate own = SelfSignedCertificate.create("localhost");
        SelfSignedCertificate other = SelfSignedCertificate.create("localhost");
        int port = listen(
                new HttpServerOptions().setSsl(true).setKeyCertOptions(own.keyCertOptions()),
                AgentClientTest::commands);
        String url = "https://localhost:" + port;
        String ownPem = Files.readString(Path.of(own.certificatePath()));
        String otherPem = Files.readString(Path.of(other.certificatePath()));

        JsonArray listed = get(client.commandsStatus(new AgentClient.Agent(url, "tok", ownPem)));
        assertEquals(1, listed.size());

        Throwable wrong = failure(client.commandsStatus(new AgentClient.Agent(url, "tok", otherPem)));
        assertTrue(wrong instanceof AgentClient.AgentCommandException, wrong::toString);
        Throwable none = failure(client.commandsStatus(new AgentClient.Agent(url, "tok", null)));
        assertTrue(none instanceof AgentClient.AgentCommandException, none::toString);
    }

    @Test
    void aReadIsRetriedWhenTheAgentHangsUpButACommandIsNeverSentTwice() throws Exception {
        AtomicInteger gets = new AtomicInteger();
        AtomicInteger posts = new AtomicInteger();
        int port = listen(new HttpServerOptions(), req -> {
            if (req.method().name().equals("GET")) {
                if (gets.incrementAndGet() == 1) {
                    req.connection().close(); // the first read finds the agent hanging up
                    return;
                }
                commands(req);
            } else {
                posts.incrementAndGet();
                req.connection().close();
            }
        });
        AgentClient.Agent agent = new AgentClient.Agent("http://127.0.0.1:" + port, "tok", null);
        assertEquals(1, get(client.commandsStatus(agent)).size());
        assertEquals(2, gets.get(), "the read was retried once");

        Throwable e = failure(client.runCommand(agent, "standby.prepare_image", new JsonObject()));
        assertTrue(((AgentClient.AgentCommandException) e).unanswered(), e::toString);
        assertEquals(1, posts.get(), "a command that may have reached the agent is not sent again");
    }

    @Test
    void anUnreachableAgentFailsWithTheTokenMasked() throws Exception {
        // a port nothing listens on: bind and close a server to find one
        int port = listen(new HttpServerOptions(), req -> {});
        get(server.close());
        server = null;
        String token = "s3cr3t-agent-token";
        Throwable e = failure(client.commandsStatus(new AgentClient.Agent("http://127.0.0.1:" + port, token, null)));
        assertTrue(e instanceof AgentClient.AgentCommandException, e::toString);
        assertFalse(e.getMessage().contains(token), e.getMessage());
        assertTrue(((AgentClient.AgentCommandException) e).unanswered());
    }
}
