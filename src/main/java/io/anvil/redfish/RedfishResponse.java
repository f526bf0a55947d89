package io.anvil.redfish;

import io.vertx.core.json.JsonObject;

/**
 * One answer of a Redfish service: status, JSON body (empty when none), the ETag, Location and X-Auth-Token headers
 * (or null). {@link #toString()} masks the token.
 */
public record RedfishResponse(int status, JsonObject body, String etag, String location, String authToken) {
    @Override
    public String toString() {
        return "RedfishResponse[" + status + ", etag=" + etag + ", location=" + location + ", token="
                + (authToken == null ? "null" : "******") + ", body=" + body + "]";
    }
}
