package io.anvil.driver.agent;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;

/**
 * A small non-blocking client of the ramdisk agent's command API (ironic-python-agent's {@code api/app.py}, used as
 * Ironic's {@code drivers/modules/agent_client.py} uses it): {@code GET {callback_url}/v1/commands/} lists the
 * command results, {@code POST {callback_url}/v1/commands/?wait=false} starts one with body
 * {@code {"name": "<extension>.<command>", "params": {...}}}. The token goes as the {@code agent_token} query
 * parameter; it never appears in a log line or an error this class produces.
 */
public final class AgentClient {
    private final WebClient web;
    private final Duration timeout;

    public AgentClient(Vertx vertx, Duration timeout) {
        this.web = WebClient.create(
                vertx,
                new WebClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                        .setUserAgent("anvil"));
        this.timeout = timeout;
    }

    /** The agent's command results, oldest first (IPA's {@code {"commands": [...]}}). */
    public Future<JsonArray> commandsStatus(String callbackUrl, String token) {
        return web.getAbs(commandsUrl(callbackUrl))
                .addQueryParam("agent_token", token == null ? "" : token)
                .timeout(timeout.toMillis())
                .send()
                .recover(AgentClient::masked)
                .compose(r -> body(r, callbackUrl))
                .map(b -> {
                    JsonArray commands = b.getJsonArray("commands");
                    return commands == null ? new JsonArray() : commands;
                });
    }

    /** Starts {@code name} (e.g. {@code standby.prepare_image}) without waiting; returns the command result. */
    public Future<JsonObject> runCommand(String callbackUrl, String token, String name, JsonObject params) {
        return web.postAbs(commandsUrl(callbackUrl))
                .addQueryParam("wait", "false")
                .addQueryParam("agent_token", token == null ? "" : token)
                .timeout(timeout.toMillis())
                .sendJsonObject(new JsonObject().put("name", name).put("params", params))
                .recover(AgentClient::masked)
                .compose(r -> body(r, callbackUrl));
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
