package io.anvil.api;

import io.anvil.errors.AnvilException;
import io.anvil.util.Secrets;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one failure handler: maps any exception to Ironic's double-encoded error body and status code.
 * 4xx are the caller's fault and logged at debug; 5xx are ours and logged with their stack trace.
 */
public final class ApiErrors implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    @Override
    public void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        int status;
        String message;
        if (failure instanceof AnvilException e) {
            status = e.status();
            message = e.getMessage();
        } else if (failure instanceof io.anvil.lock.NodeLockedException e) {
            status = 409;
            message = e.getMessage();
        } else if (failure instanceof io.anvil.fsm.InvalidStateException e) {
            status = 409;
            message = e.getMessage();
        } else if (failure instanceof io.anvil.lock.LeaseLostException e) {
            status = 409;
            message = e.getMessage() + " Please retry.";
        } else if (failure instanceof HttpException e) {
            status = e.getStatusCode();
            message = e.getPayload() != null ? e.getPayload() : defaultMessage(status);
        } else if (failure instanceof DecodeException) {
            status = 400;
            message = "Invalid JSON in the request body.";
        } else if (io.anvil.store.DatabaseErrors.unavailable(failure)) {
            status = 503;
            message = "The database is not reachable right now ("
                    + Secrets.maskText(String.valueOf(failure.getMessage())) + "); please retry.";
        } else if (failure == null) {
            status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            message = defaultMessage(status);
        } else {
            status = 500;
            message = "An internal error occurred: " + Secrets.maskText(String.valueOf(failure.getMessage()));
        }
        if (status == 500) {
            LOG.error("{} {} failed: {}", ctx.request().method(), ctx.request().path(), message, failure);
        } else if (failure instanceof io.anvil.store.DatabaseAvailability.Away) {
            // refused at once while PostgreSQL is away: DatabaseAvailability logged the outage once
            LOG.debug("{} {} -> {} {}", ctx.request().method(), ctx.request().path(), status, message);
        } else if (status > 500) {
            // 503 is load or a stopping conductor, not a bug: no stack trace
            LOG.warn("{} {} -> {} {}", ctx.request().method(), ctx.request().path(), status, message);
        } else {
            LOG.debug("{} {} -> {} {}", ctx.request().method(), ctx.request().path(), status, message);
        }
        if (ctx.response().ended()) {
            return;
        }
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body(status, message).encode());
    }

    /** {"error_message": "{\"faultcode\": \"Client\", \"faultstring\": \"...\", \"debuginfo\": null}"} */
    public static JsonObject body(int status, String message) {
        JsonObject inner = new JsonObject()
                .put("faultcode", status < 500 ? "Client" : "Server")
                .put("faultstring", message)
                .putNull("debuginfo");
        return new JsonObject().put("error_message", inner.encode());
    }

    private static String defaultMessage(int status) {
        return switch (status) {
            case 400 -> "Bad request.";
            case 404 -> "The resource could not be found.";
            case 405 -> "The method is not allowed for this resource.";
            case 413 -> "Request is too large.";
            case 415 -> "Unsupported content type; send application/json.";
            default -> "Error " + status + ".";
        };
    }
}
