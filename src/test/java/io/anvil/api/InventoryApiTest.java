package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.driver.HardwareTypes;
import io.anvil.store.InventoryStore;
import io.anvil.store.ResourceStore;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GET /v1/nodes/{id}/inventory. Through Anvil's own router every negotiable version (≤ 1.78) gets Ironic's 404; the
 * 1.81 behaviour is checked on a router that serves the same handler at 1.81, against the same database.
 */
class InventoryApiTest extends ApiTestBase {
    private static final JsonObject INVENTORY = new JsonObject()
            .put("cpu", new JsonObject().put("count", 8).put("architecture", "aarch64"))
            .put("memory", new JsonObject().put("physical_mb", 32768))
            .put(
                    "interfaces",
                    new io.vertx.core.json.JsonArray()
                            .add(new JsonObject().put("name", "eth0").put("mac_address", "52:54:00:ab:cd:10")));

    @Test
    void belowItsMicroversionTheEndpointDoesNotExist() {
        String uuid = createNode("inv-old").getString("uuid");
        assertError(get("/v1/nodes/" + uuid + "/inventory").v("1.78").send(), 404, "The resource could not be found.");
        assertError(get("/v1/nodes/" + uuid + "/inventory").send(), 404, "The resource could not be found.");
        assertError(get("/v1/nodes/" + uuid + "/inventory").v("1.81").send(), 406, "1.81");
    }

    @Test
    void atMicroversion181ItServesIronicsShape() {
        JsonObject node = createNode("inv-new");
        String uuid = node.getString("uuid");
        long id = ((Number) scalar("SELECT id FROM nodes WHERE uuid = ?", uuid)).longValue();

        ApiServices services = new ApiServices(
                anvil.config(),
                new ResourceStore(anvil.database()),
                new HardwareTypes(List.of("fake-hardware")),
                anvil.registry(),
                null,
                anvil.conductor(),
                null,
                null);
        InventoryApi api = new InventoryApi(services, new NodeApi(services, new ConductorCache(anvil.registry())));
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            ctx.put(Requests.VERSION_KEY, new ApiVersion(InventoryApi.MIN_VERSION));
            ctx.next();
        });
        router.route().failureHandler(new ApiErrors());
        router.get("/v1/nodes/:node/inventory").handler(ctx -> api.show(ctx).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else {
                ctx.response()
                        .putHeader("Content-Type", "application/json")
                        .end(ar.result().toBuffer());
            }
        }));
        HttpServer server =
                await(vertx.createHttpServer().requestHandler(router).listen(0));
        try {
            var http = vertx.createHttpClient();
            var calls = io.anvil.testsupport.OnContext.of(vertx);
            java.util.function.Function<String, Resp> fetch = path -> await(calls.call(
                    () -> http.request(io.vertx.core.http.HttpMethod.GET, server.actualPort(), "127.0.0.1", path)
                            .compose(req -> req.send())
                            .compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), resp.headers(), b)))));

            Resp missing = fetch.apply("/v1/nodes/" + uuid + "/inventory");
            assertEquals(404, missing.status());
            assertEquals("Node inventory record for node " + uuid + " could not be found.", missing.faultString());
            assertEquals(
                    404,
                    fetch.apply("/v1/nodes/" + java.util.UUID.randomUUID() + "/inventory")
                            .status());

            InventoryStore store = new InventoryStore(anvil.database());
            JsonObject plugin = new JsonObject().put("root_disk", new JsonObject().put("name", "/dev/vda"));
            await(store.save(anvil.database().pool(), id, INVENTORY, plugin));
            Resp ok = fetch.apply("/v1/nodes/inv-new/inventory");
            assertEquals(200, ok.status(), ok::toString);
            assertEquals(new JsonObject().put("inventory", INVENTORY).put("plugin_data", plugin), ok.json());

            // a new inspection replaces the data; deleting the node removes it
            await(store.save(
                    anvil.database().pool(), id, INVENTORY.copy().put("bmc_address", "10.0.0.9"), new JsonObject()));
            assertEquals(
                    "10.0.0.9",
                    fetch.apply("/v1/nodes/" + uuid + "/inventory")
                            .json()
                            .getJsonObject("inventory")
                            .getString("bmc_address"));
            assertEquals(1L, count("node_inventory"));
            delete("/v1/nodes/" + uuid).v(LATEST).expect(204);
            assertEquals(0L, count("node_inventory"));
            await(http.close());
        } finally {
            await(server.close());
        }
    }
}
