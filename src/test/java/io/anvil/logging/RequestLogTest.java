package io.anvil.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.anvil.testsupport.AnvilInstance;
import io.anvil.testsupport.OnContext;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * Request ids and JSON logs (docs/operations.md#logs, #request-ids): every API answer carries a fresh
 * {@code req-<uuid>} in X-OpenStack-Request-Id (and Ironic's OpenStack-Request-Id); the log lines a request causes
 * carry its id and node, also after asynchronous steps, and never another request's, even when many run at once on
 * one event loop; every JSON line parses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestLogTest {
    private static final String ID = "req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    private AnvilInstance anvil;
    private Vertx vertx;
    private HttpClient http;
    /** Every request is issued from this one context (see OnContext). */
    private OnContext calls;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private OutputStreamAppender<ILoggingEvent> appender;
    private Level errorsLevel;

    @BeforeAll
    void start() throws Exception {
        // one API verticle: every request below is served by the same event loop
        anvil = AnvilInstance.start(Map.of("api.instances", 1));
        vertx = anvil.anvil().vertx();
        http = vertx.createHttpClient(
                new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(anvil.port()),
                new PoolOptions().setHttp1MaxSize(50));
        calls = OnContext.of(vertx);
    }

    @AfterAll
    void stop() throws Exception {
        if (anvil != null) {
            anvil.close();
        }
    }

    /** A JSON appender on io.anvil, encoding on the logging thread as the console appender does. */
    @BeforeEach
    void capture() {
        LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
        JsonLayout layout = new JsonLayout();
        layout.setContext(lc);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(lc);
        encoder.setLayout(layout);
        encoder.start();
        appender = new OutputStreamAppender<>();
        appender.setContext(lc);
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        lc.getLogger("io.anvil").addAppender(appender);
        // 4xx answers are logged at debug by the one failure handler
        Logger errors = lc.getLogger("io.anvil.api.ApiErrors");
        errorsLevel = errors.getLevel();
        errors.setLevel(Level.DEBUG);
    }

    @AfterEach
    void release() {
        LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
        lc.getLogger("io.anvil").detachAppender(appender);
        appender.stop();
        lc.getLogger("io.anvil.api.ApiErrors").setLevel(errorsLevel);
        out.reset();
    }

    /** Every captured line, each parsed as one JSON object (fails on a line that is not). */
    private List<JsonObject> lines() {
        List<JsonObject> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                lines.add(new JsonObject(line));
            }
        }
        return lines;
    }

    record Resp(int status, MultiMap headers) {
        String id() {
            return headers.get("X-OpenStack-Request-Id");
        }
    }

    private Future<Resp> send(String path, Map<String, String> headers) {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI(path);
        headers.forEach(o::putHeader);
        return calls.call(() -> http.request(o).compose(req -> req.send()).compose(r -> r.body()
                .map(b -> new Resp(r.statusCode(), r.headers()))));
    }

    private static <T> T await(Future<T> f) {
        return io.anvil.testsupport.Conditions.result(f, java.time.Duration.ofSeconds(30));
    }

    @Test
    void everyAnswerCarriesAFreshRequestIdInBothHeaders() {
        Set<String> ids = new HashSet<>();
        for (String path : new String[] {"/", "/v1/nodes", "/v1/nodes/missing", "/no/such/route", "/health/live"}) {
            for (int i = 0; i < 5; i++) {
                Resp r = await(send(path, Map.of()));
                assertTrue(r.id() != null && r.id().matches(ID), () -> path + ": " + r.headers());
                assertEquals(r.id(), r.headers().get("OpenStack-Request-Id"), "Ironic's compat header");
                ids.add(r.id());
            }
        }
        assertEquals(25, ids.size(), "unique");
        // a refused microversion is answered by the API's first handlers: it has an id too
        Resp bad = await(send("/v1/nodes", Map.of("X-OpenStack-Ironic-API-Version", "9.99")));
        assertEquals(406, bad.status());
        assertTrue(bad.id().matches(ID));
    }

    @Test
    void aCallersOwnIdIsKeptAsTheGlobalIdAndTheAnswerGetsANewOne() {
        String mine = "req-" + java.util.UUID.randomUUID();
        Resp r = await(send("/v1/nodes/missing-global", Map.of("X-OpenStack-Request-Id", mine)));
        assertEquals(404, r.status());
        assertNotEquals(mine, r.id(), "Ironic generates its own, as oslo.middleware's RequestId");
        JsonObject line = lines().stream()
                .filter(l -> l.getString("message").contains("/v1/nodes/missing-global "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no log line of the request: " + lines()));
        assertEquals(r.id(), line.getString("request_id"));
        assertEquals(mine, line.getString("global_request_id"));

        // a malformed one is ignored, as oslo.middleware does
        Resp other = await(send("/v1/nodes/missing-bogus", Map.of("X-OpenStack-Request-Id", "my-own-id")));
        JsonObject l2 = lines().stream()
                .filter(l -> l.getString("message").contains("/v1/nodes/missing-bogus "))
                .findFirst()
                .orElseThrow();
        assertEquals(other.id(), l2.getString("request_id"));
        assertNull(l2.getString("global_request_id"));
    }

    @Test
    void concurrentRequestsOnOneEventLoopLogOnlyTheirOwnIdAndNode() {
        int n = 40;
        List<Future<Resp>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // each looks its node up in PostgreSQL first: the 404 is logged in a later callback than the request's
            sent.add(send("/v1/nodes/missing-" + i, Map.of("X-OpenStack-Ironic-API-Version", "1.78")));
        }
        await(Future.all(sent));
        Map<String, String> idOfPath = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Resp r = sent.get(i).result();
            assertEquals(404, r.status());
            idOfPath.put("/v1/nodes/missing-" + i, r.id());
        }
        List<JsonObject> lines = lines();
        Set<String> seen = new HashSet<>();
        for (JsonObject line : lines) {
            String message = line.getString("message");
            for (int i = 0; i < n; i++) {
                String path = "/v1/nodes/missing-" + i;
                if (message.contains(path + " ")) {
                    assertEquals(idOfPath.get(path), line.getString("request_id"), line::encode);
                    assertEquals("missing-" + i, line.getString("node_uuid"), line::encode);
                    seen.add(path);
                }
            }
        }
        assertEquals(idOfPath.keySet(), seen, "every request logged its 404");

        // afterwards, a line logged on an event loop outside any request carries no request's fields
        out.reset();
        Promise<Void> logged = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> {
            LoggerFactory.getLogger("io.anvil.test").warn("outside any request");
            logged.complete();
        });
        await(logged.future());
        JsonObject outside = lines().stream()
                .filter(l -> l.getString("message").equals("outside any request"))
                .findFirst()
                .orElseThrow();
        assertFalse(outside.containsKey("request_id"), outside::encode);
        assertFalse(outside.containsKey("node_uuid"), outside::encode);
    }

    @Test
    void jsonLinesParseWhateverTheMessageHolds() {
        String nasty = "quote \" backslash \\ newline \n tab \t bell \u0007 unicode é ✓";
        LoggerFactory.getLogger("io.anvil.test").warn("{}", nasty, new IllegalStateException("boom"));
        JsonObject line = lines().stream()
                .filter(l -> l.getString("message").startsWith("quote"))
                .findFirst()
                .orElseThrow();
        assertEquals(nasty, line.getString("message"));
        assertEquals("WARN", line.getString("level"));
        assertEquals("io.anvil.test", line.getString("logger"));
        assertTrue(line.getString("timestamp").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        assertTrue(line.getString("exception").contains("IllegalStateException: boom"));
        assertTrue(line.getString("exception").contains("RequestLogTest"), "with its stack trace");
    }

    @Test
    void logFormatSwitchesTheConsoleAppenderBetweenTextAndJson() {
        LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
        ConsoleLayout layout = new ConsoleLayout();
        layout.setContext(lc);
        layout.setFormat("text");
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(lc);
        encoder.setLayout(layout);
        encoder.start();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> a = new OutputStreamAppender<>();
        a.setName("console"); // as logback.xml names it
        a.setContext(lc);
        a.setEncoder(encoder);
        a.setOutputStream(console);
        a.start();
        Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(a);
        try {
            org.slf4j.Logger log = LoggerFactory.getLogger("io.anvil.test");
            log.warn("as text");
            assertTrue(LogFormat.apply("json"));
            log.warn("as json");
            assertTrue(LogFormat.apply("text"));
            log.warn("as text again");
            // only this test's lines: the running conductor may log meanwhile
            String[] lines = console.toString(StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> l.contains("as text") || l.contains("as json"))
                    .toArray(String[]::new);
            assertEquals(3, lines.length, console::toString);
            assertTrue(
                    lines[0].matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[.*] io.anvil.test - as text"), lines[0]);
            assertEquals("as json", new JsonObject(lines[1]).getString("message"));
            assertTrue(lines[2].endsWith(" - as text again"), lines[2]);
        } finally {
            root.detachAppender(a);
            a.stop();
        }
    }

    @Test
    void theFormatIsTextOrJson() {
        assertEquals("json", LogFormat.parse(" JSON "));
        assertEquals("text", LogFormat.parse("text"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("xml"));
        assertTrue(e.getMessage().contains("text or json"), e.getMessage());
    }
}
