package io.anvil.driver;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Ironic's vendor interface: named passthru methods a client calls with {@code POST /v1/nodes/{id}/vendor_passthru
 * ?method=...} (node methods) or {@code /v1/drivers/{d}/vendor_passthru} (driver methods, none here yet).
 */
public interface VendorInterface {
    /**
     * One passthru method's metadata as Ironic lists it ({@code http_methods}, {@code async}, {@code description},
     * {@code attach}, {@code require_exclusive_lock}).
     */
    record Method(java.util.List<String> httpMethods, boolean async, String description, boolean exclusiveLock) {
        public JsonObject toJson() {
            return new JsonObject()
                    .put("http_methods", new io.vertx.core.json.JsonArray(httpMethods))
                    .put("async", async)
                    .put("description", description)
                    .put("attach", false)
                    .put("require_exclusive_lock", exclusiveLock);
        }
    }

    /** The node passthru methods by name (Ironic's vendor_routes). */
    Map<String, Method> methods();

    /** Ironic's vendor.validate for one call. @throws io.anvil.errors.AnvilException 400 */
    void validate(DriverTask task, String method, JsonObject args);

    /**
     * Runs the method; its result is the response body of a synchronous method (null for none). An asynchronous
     * method's future completes when the work ended; the API answers 202 before that.
     */
    Future<Object> call(DriverTask task, String method, JsonObject args);
}
