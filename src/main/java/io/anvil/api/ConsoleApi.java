package io.anvil.api;

import static io.anvil.api.Handlers.async;
import static io.anvil.api.Handlers.noContent;

import io.anvil.conductor.Consoles;
import io.anvil.conductor.TaskManager;
import io.anvil.config.Booleans;
import io.anvil.driver.ipmi.IpmiDriverInfo;
import io.anvil.errors.AnvilException;
import io.anvil.ipmi.client.BmcTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * {@code GET/PUT /v1/nodes/{id}/states/console} with the semantics of Ironic's {@code NodeConsoleController} and
 * {@code ConductorManager.set_console_mode}: a node whose console interface is {@code no-console} answers
 * "not supported" when asked to change its console or to describe an enabled one; the {@code fake} console turns
 * on and off and describes itself with an empty object, as Ironic's {@code FakeConsole} does.
 */
final class ConsoleApi {
    private final ApiServices services;
    private final NodeApi nodes;
    private ConsoleRelay relay; // one WebSocket client per API verticle, made at its first relay

    ConsoleApi(ApiServices services, NodeApi nodes) {
        this.services = services;
        this.nodes = nodes;
    }

    void mount(Router r) {
        r.get("/v1/nodes/:node/states/console").handler(async(this::show));
        r.put("/v1/nodes/:node/states/console").handler(noContent(this::set, 202));
        r.get("/v1/nodes/:node/console")
                .handler(ctx -> new ConsoleStream(services, nodes, relay(ctx.vertx())).handle(ctx));
    }

    private ConsoleRelay relay(io.vertx.core.Vertx vertx) {
        if (relay == null && services.conductors() != null) {
            relay = new ConsoleRelay(
                    vertx,
                    services.conductors().hostname(),
                    ((Number) services.config().setting("console.buffer_bytes").orElse(8192)).intValue());
        }
        return relay;
    }

    /**
     * {console_enabled, console_info}: info is null while disabled (Ironic's NodeConsoleNotEnabled path). Anvil's
     * {@code ipmi-sol} console describes itself as Ironic's socat console does ({@code type} + {@code url}), with
     * the WebSocket stream as the URL (docs/console.md).
     */
    Future<JsonObject> show(RoutingContext ctx) {
        return nodes.load(ctx.pathParam("node")).map(node -> {
            if (!Boolean.TRUE.equals(node.getBoolean("console_enabled"))) {
                return new JsonObject().put("console_enabled", false).putNull("console_info");
            }
            requireConsole(node);
            JsonObject info = new JsonObject();
            if (Consoles.INTERFACE.equals(node.getString("console_interface"))) {
                String base = Links.base(ctx, services.config().api().publicUrl());
                info.put("type", "websocket")
                        .put(
                                "url",
                                base.replaceFirst("^http", "ws") + "/v1/nodes/" + node.getString("uuid") + "/console");
            }
            return new JsonObject().put("console_enabled", true).put("console_info", info);
        });
    }

    /** Starts or stops the console: a no-op when it already is in that state, as Ironic's conductor. */
    Future<Void> set(RoutingContext ctx) {
        JsonObject body = Requests.jsonObject(ctx);
        Boolean enabled = parseEnabled(body.getValue("enabled"));
        String ident = ctx.pathParam("node");
        return nodes.load(ident).compose(node -> {
            requireConsole(node);
            ctx.response()
                    .putHeader(
                            "Location",
                            Links.base(ctx, services.config().api().publicUrl()) + "/v1/nodes/" + ident
                                    + "/states/console");
            if (enabled.equals(Boolean.TRUE.equals(node.getBoolean("console_enabled")))) {
                return Future.succeededFuture();
            }
            TaskManager tasks = services.conductor().tasks();
            // the lock covers the state change only; the SOL session opens or closes after it is released
            return tasks.withTask(ident, tasks.apiWrite("setting console mode"), task -> {
                        BmcTarget target =
                                enabled && Consoles.INTERFACE.equals(task.node().getString("console_interface"))
                                        ? IpmiDriverInfo.parse(
                                                task.node().getString("uuid"),
                                                task.node().getJsonObject("driver_info"))
                                        : null;
                        return task.saveWithEvents(
                                        Map.of("console_enabled", enabled),
                                        "baremetal.node.console_set.start",
                                        "baremetal.node.console_set.end")
                                .map(v -> target);
                    })
                    .onSuccess(target -> {
                        Consoles consoles = services.consoles();
                        if (consoles == null) {
                            return;
                        }
                        String uuid = node.getString("uuid");
                        if (target != null) {
                            consoles.enabled(node, target);
                        } else if (!enabled) {
                            consoles.stop(uuid, "console disabled");
                        }
                    })
                    .mapEmpty();
        });
    }

    private static Boolean parseEnabled(Object raw) {
        if (raw instanceof Boolean b) {
            return b;
        }
        if (raw instanceof String s) {
            return Booleans.fromString(s)
                    .orElseThrow(() -> AnvilException.invalid(
                            "Invalid input for field/attribute enabled. Value: '" + s + "'. Unrecognized value '"
                                    + s + "', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off',"
                                    + " 'on', 't', 'true', 'y', 'yes'"));
        }
        throw AnvilException.invalid(raw == null ? "Missing argument: \"enabled\"" : "Invalid value for enabled.");
    }

    /** Ironic's UnsupportedDriverExtension for {@code no-console} (its NoConsole.validate). */
    private static void requireConsole(JsonObject node) {
        String iface = node.getString("console_interface");
        if (iface == null || iface.startsWith("no-")) {
            throw AnvilException.invalid(
                    "Driver " + node.getString("driver") + " does not support console (disabled or not implemented).");
        }
    }
}
