package io.anvil.cli;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/**
 * {@code anvil serve --sim-bmcs N}: a fleet of simulated BMCs beside the conductor, each enrolled (once, through
 * the public API) as an {@code ipmi} node named {@code sim-<i>} pointing at its BMC, so a newcomer can drive real
 * IPMI power and boot-device traffic with nothing but a JDK.
 */
final class SimFleetEnrolment {
    private SimFleetEnrolment() {}

    static Future<SimulatedFleet> start(Vertx vertx, int apiPort, int count, int basePort) {
        return SimulatedFleet.start(
                        vertx, new FleetOptions().count(count).host("127.0.0.1").basePort(basePort))
                .compose(fleet -> enroll(vertx, apiPort, fleet).map(fleet))
                .onSuccess(fleet -> System.out.println(
                        "anvil: " + count + " simulated BMCs on 127.0.0.1:" + basePort + "-" + (basePort + count - 1)
                                + " (admin/password), enrolled as ipmi nodes sim-0..sim-" + (count - 1)));
    }

    private static Future<Void> enroll(Vertx vertx, int apiPort, SimulatedFleet fleet) {
        HttpClient http = vertx.createHttpClient();
        Future<Void> chain = Future.succeededFuture();
        for (int i = 0; i < fleet.size(); i++) {
            int index = i;
            chain = chain.compose(
                    v -> enrollOne(http, apiPort, index, fleet.bmc(index).port()));
        }
        return chain.eventually(http::close);
    }

    private static Future<Void> enrollOne(HttpClient http, int apiPort, int i, int bmcPort) {
        JsonObject node = new JsonObject()
                .put("name", "sim-" + i)
                .put("driver", "ipmi")
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", "127.0.0.1")
                                .put("ipmi_port", bmcPort)
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", "password"));
        return http.request(HttpMethod.GET, apiPort, "127.0.0.1", "/v1/nodes/sim-" + i)
                .compose(req ->
                        req.putHeader("X-OpenStack-Ironic-API-Version", "1.78").send())
                .compose(resp -> {
                    if (resp.statusCode() == 200) {
                        return Future.<Void>succeededFuture();
                    }
                    return http.request(HttpMethod.POST, apiPort, "127.0.0.1", "/v1/nodes")
                            .compose(req -> req.putHeader("X-OpenStack-Ironic-API-Version", "1.78")
                                    .putHeader("Content-Type", "application/json")
                                    .send(node.toBuffer()))
                            .compose(r -> r.statusCode() == 201
                                    ? Future.<Void>succeededFuture()
                                    : r.body()
                                            .compose(b -> Future.failedFuture("enrolling sim-" + i + " failed: " + b)));
                });
    }
}
