package io.anvil.api;

import io.anvil.errors.AnvilException;
import io.anvil.store.RowJson;
import io.anvil.store.SqlValues;
import io.anvil.util.Secrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Set;
import java.util.UUID;

/** {@code GET /v1/nodes/{id}/history} (microversion 1.78): the node's recorded errors, newest last. */
final class HistoryApi {
    private static final String SELECT = "SELECT h.uuid, h.created_at, h.severity, h.event, h.conductor, h.event_type,"
            + " h.user_id FROM node_history h WHERE h.node_id = $1";

    private final ApiServices services;
    private final NodeApi nodes;

    HistoryApi(ApiServices services, NodeApi nodes) {
        this.services = services;
        this.nodes = nodes;
    }

    private static void checkVersion(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(78)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
    }

    Future<JsonObject> list(RoutingContext ctx) {
        checkVersion(ctx);
        Requests.allowOnly(ctx, Set.of("detail", "fields", "limit", "marker"));
        boolean detail = Boolean.TRUE.equals(Requests.boolQuery(ctx, "detail"));
        return nodes.load(ctx.pathParam("node")).compose(node -> services.store()
                .database()
                .reads()
                .preparedQuery(SELECT + " ORDER BY h.id LIMIT 1000")
                .execute(Tuple.of(node.getLong("id")))
                .map(rows -> {
                    JsonArray out = new JsonArray();
                    for (Row r : rows) {
                        out.add(entry(ctx, node.getString("uuid"), r, detail));
                    }
                    return new JsonObject().put("history", out);
                }));
    }

    Future<JsonObject> show(RoutingContext ctx) {
        checkVersion(ctx);
        String id = ctx.pathParam("event");
        UUID uuid = SqlValues.uuidOrNull(id);
        return nodes.load(ctx.pathParam("node"))
                .compose(node -> uuid == null
                        ? Future.failedFuture(
                                AnvilException.notFound("Node history record " + id + " could not be found."))
                        : services.store()
                                .database()
                                .reads()
                                .preparedQuery(SELECT + " AND h.uuid = $2")
                                .execute(Tuple.of(node.getLong("id"), uuid))
                                .compose(rows -> rows.size() == 0
                                        ? Future.failedFuture(AnvilException.notFound(
                                                "Node history record " + id + " could not be found."))
                                        : Future.succeededFuture(entry(
                                                ctx,
                                                node.getString("uuid"),
                                                rows.iterator().next(),
                                                true))));
    }

    private JsonObject entry(RoutingContext ctx, String nodeUuid, Row r, boolean detail) {
        String uuid = r.getUUID("uuid").toString();
        JsonObject o = new JsonObject()
                .put("uuid", uuid)
                .put("created_at", RowJson.formatTime(r.getOffsetDateTime("created_at")))
                .put("severity", r.getString("severity"))
                .put("event", Secrets.maskText(r.getString("event")));
        if (detail) {
            o.put("conductor", r.getString("conductor"))
                    .put("event_type", r.getString("event_type"))
                    .put("user", r.getString("user_id"));
        }
        return o.put(
                "links",
                Links.of(
                        Links.base(ctx, services.config().api().publicUrl()),
                        "nodes/" + nodeUuid + "/history/" + uuid));
    }
}
