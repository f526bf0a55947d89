package io.anvil.driver.agent;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small non-blocking client of the ramdisk agent's command API (ironic-python-agent's {@code api/app.py}, used as
 * Ironic's {@code drivers/modules/agent_client.py} uses it): {@code GET {callback_url}/v1/commands/} lists the
 * command results, {@code POST {callback_url}/v1/commands/?wait=false} starts one with body
 * {@code {"name": "<extension>.<command>", "params": {...}}}. The token goes as the {@code agent_token} query
 * parameter; it never appears in a log line or an error this class produces.
 */
public final class AgentClient {
    private static final Logger LOG = LoggerFactory.getLogger(AgentClient.class);
    /** Ironic's [agent]max_command_attempts and command_wait_interval. */
    private static final int ATTEMPTS = 3;

    private static final long RETRY_DELAY_MS = 1000;
    /** Distinct agent certificates kept with their own client; beyond this the cache starts over. */
    private static final int MAX_TLS_CLIENTS = 1024;

    private final Vertx vertx;
    private final WebClientOptions options;
    private final WebClient web;
    private final Map<String, WebClient> byCertificate = new ConcurrentHashMap<>();
    private final Duration timeout;

    /**
     * Where one agent answers: its {@code callback_url}, its token and, for an HTTPS agent, the PEM certificate it sent
     * as {@code agent_verify_ca} (IPA's auto-generated one), which is then the only certificate trusted for it.
     */
    public record Agent(String url, String token, String verifyCa) {
        /** The agent recorded in a node's driver_internal_info; {@code url} (a heartbeat's) wins when given. */
        public static Agent of(JsonObject driverInternalInfo, String url) {
            JsonObject dii = driverInternalInfo == null ? new JsonObject() : driverInternalInfo;
            String u = url != null && !url.isEmpty() ? url : dii.getString(AgentInternalInfo.URL);
            Object ca = dii.getValue(AgentInternalInfo.VERIFY_CA);
            return new Agent(
                    u, dii.getString(AgentInternalInfo.TOKEN), ca instanceof String pem && !pem.isBlank() ? pem : null);
        }

        @Override
        public String toString() {
            return "Agent[" + url + "]"; // never the token
        }
    }

    public AgentClient(Vertx vertx, Duration timeout) {
        this.vertx = vertx;
        this.options = new WebClientOptions()
                .setKeepAlive(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .setUserAgent("anvil");
        this.web = WebClient.create(vertx, options);
        this.timeout = timeout;
    }

    /**
     * The agent's command results, oldest first (IPA's {@code {"commands": [...]}}). A read: retried up to three
     * times when the agent does not answer.
     */
    public Future<JsonArray> commandsStatus(Agent agent) {
        return withRetries(
                        () -> clientFor(agent)
                                .getAbs(commandsUrl(agent.url()))
                                .addQueryParam("agent_token", agent.token() == null ? "" : agent.token())
                                .timeout(timeout.toMillis())
                                .send(),
                        e -> true,
                        1)
                .recover(AgentClient::masked)
                .compose(r -> body(r, agent.url()))
                .map(b -> {
                    JsonArray commands = b.getJsonArray("commands");
                    return commands == null ? new JsonArray() : commands;
                });
    }

    /**
     * Starts {@code name} (e.g. {@code standby.prepare_image}) without waiting; returns the command result. Retried
     * only when the connection was refused: a request that may have reached the agent is never sent twice.
     */
    public Future<JsonObject> runCommand(Agent agent, String name, JsonObject params) {
        JsonObject body = new JsonObject().put("name", name).put("params", params);
        return withRetries(
                        () -> clientFor(agent)
                                .postAbs(commandsUrl(agent.url()))
                                .addQueryParam("wait", "false")
                                .addQueryParam("agent_token", agent.token() == null ? "" : agent.token())
                                .timeout(timeout.toMillis())
                                .sendJsonObject(body),
                        e -> e instanceof ConnectException,
                        1)
                .recover(AgentClient::masked)
                .compose(r -> body(r, agent.url()));
    }

    private <T> Future<T> withRetries(Supplier<Future<T>> call, Predicate<Throwable> retryable, int attempt) {
        return call.get().recover(e -> {
            if (attempt >= ATTEMPTS || !retryable.test(e)) {
                return Future.failedFuture(e);
            }
            LOG.debug(
                    "Agent call failed (attempt {} of {}), retrying: {}",
                    attempt,
                    ATTEMPTS,
                    e.getClass().getName());
            Promise<Void> later = Promise.promise();
            vertx.setTimer(RETRY_DELAY_MS * attempt, id -> later.complete());
            return later.future().compose(v -> withRetries(call, retryable, attempt + 1));
        });
    }

    /** An HTTPS agent that sent its certificate is verified against that certificate alone (Ironic's agent_verify_ca). */
    private WebClient clientFor(Agent agent) {
        if (agent.verifyCa() == null || agent.url() == null || !agent.url().startsWith("https:")) {
            return web;
        }
        if (byCertificate.size() >= MAX_TLS_CLIENTS) {
            byCertificate.values().forEach(WebClient::close);
            byCertificate.clear();
        }
        return byCertificate.computeIfAbsent(
                agent.verifyCa(),
                pem -> WebClient.create(
                        vertx,
                        new WebClientOptions(options)
                                .setSsl(true)
                                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(pem)))));
    }

    /** Ironic's get_command_error: the readable error of a FAILED command result. */
    public static String commandError(JsonObject command) {
        Object error = command.getValue("command_error");
        if (error == null) {
            return "Invalid agent response";
        }
        if (error instanceof JsonObject o) {
            Object details = o.getValue("details");
            Object message = o.getValue("message");
            return String.valueOf(details != null ? details : message != null ? message : o.encode());
        }
        return String.valueOf(error);
    }

    public Future<Void> close() {
        web.close();
        byCertificate.values().forEach(WebClient::close);
        return Future.succeededFuture();
    }

    /** Connection errors and timeouts may quote the request URI, query (and so the token) included. */
    private static <T> Future<T> masked(Throwable e) {
        String text = String.valueOf(e.getMessage()).replaceAll("agent_token=[^&\\s]*", "agent_token=******");
        return Future.failedFuture(new AgentCommandException("Failed to connect to the agent: " + text, 0));
    }

    private static String commandsUrl(String callbackUrl) {
        String base = callbackUrl.endsWith("/") ? callbackUrl.substring(0, callbackUrl.length() - 1) : callbackUrl;
        return base + "/v1/commands/";
    }

    private static Future<JsonObject> body(HttpResponse<io.vertx.core.buffer.Buffer> r, String url) {
        if (r.statusCode() / 100 != 2) {
            String fault = faultString(r);
            return Future.failedFuture(new AgentCommandException(
                    "Agent at " + url + " answered " + r.statusCode() + (fault == null ? "" : ": " + fault),
                    r.statusCode()));
        }
        try {
            JsonObject b = r.bodyAsJsonObject();
            return Future.succeededFuture(b == null ? new JsonObject() : b);
        } catch (RuntimeException e) {
            return Future.failedFuture(
                    new AgentCommandException("Agent at " + url + " sent an invalid JSON body", r.statusCode()));
        }
    }

    private static String faultString(HttpResponse<io.vertx.core.buffer.Buffer> r) {
        try {
            JsonObject b = r.bodyAsJsonObject();
            return b == null ? null : b.getString("faultstring");
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The agent could not be reached or refused the request (Ironic's AgentConnectionFailed / AgentAPIError). */
    public static final class AgentCommandException extends RuntimeException {
        /** The agent's HTTP status, or 0 when it never answered (connection refused or reset, timeout). */
        private final int status;

        public AgentCommandException(String message) {
            this(message, 0);
        }

        public AgentCommandException(String message, int status) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }

        /** No answer at all: the agent may be fine and the next heartbeat may reach it. */
        public boolean unanswered() {
            return status == 0;
        }
    }
}
