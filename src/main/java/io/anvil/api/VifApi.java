package io.anvil.api;

import static io.anvil.api.Handlers.async;
import static io.anvil.api.Handlers.noContent;

import io.anvil.conductor.NodeUpdates;
import io.anvil.conductor.Vifs;
import io.anvil.errors.AnvilException;
import io.anvil.store.SqlValues;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /v1/nodes/{node}/vifs} (API 1.28; {@code port_uuid}/{@code portgroup_uuid} checked from 1.67): Ironic's
 * NodeVIFController (ironic/api/controllers/v1/node.py). The node's network interface does the work, under the
 * node's lock ({@link Vifs}).
 */
final class VifApi {
    private final Vifs vifs;

    VifApi(ApiServices services) {
        this.vifs = new Vifs(services.conductor().tasks());
    }

    void mount(Router r) {
        r.get("/v1/nodes/:node/vifs").handler(async(this::list));
        r.post("/v1/nodes/:node/vifs").handler(noContent(this::attach, 204));
        r.delete("/v1/nodes/:node/vifs/:vif").handler(noContent(this::detach, 204));
    }

    /** Below 1.28 the sub-resource does not exist (Ironic's allow_vifs_subcontroller). */
    private static void checkVersion(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(28)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
    }

    Future<JsonObject> list(RoutingContext ctx) {
        checkVersion(ctx);
        return vifs.list(ctx.pathParam("node")).map(list -> new JsonObject().put("vifs", new JsonArray(list)));
    }

    Future<Void> attach(RoutingContext ctx) {
        checkVersion(ctx);
        JsonObject vif = Requests.jsonObject(ctx);
        if (!vif.containsKey("id")) {
            throw AnvilException.invalid("Schema error for vif: 'id' is a required property");
        }
        if (!(vif.getValue("id") instanceof String id)) {
            throw AnvilException.invalid("Schema error for vif: " + vif.getValue("id") + " is not of type 'string'");
        }
        checkUuidOrName("id", id);
        if (Requests.version(ctx).atLeast(67) && vif.containsKey("port_uuid") && vif.containsKey("portgroup_uuid")) {
            throw AnvilException.invalid("Cannot specify both port_uuid and portgroup_uuid");
        }
        return vifs.attach(ctx.pathParam("node"), vif);
    }

    Future<Void> detach(RoutingContext ctx) {
        checkVersion(ctx);
        String vif = ctx.pathParam("vif");
        checkUuidOrName("vif_id", vif);
        return vifs.detach(ctx.pathParam("node"), vif);
    }

    /** Ironic's args.uuid_or_name. */
    private static void checkUuidOrName(String name, String value) {
        if (SqlValues.uuidOrNull(value) == null && !NodeUpdates.isLogicalName(value)) {
            throw AnvilException.invalid("Expected UUID or name for " + name + ": " + value);
        }
    }
}
