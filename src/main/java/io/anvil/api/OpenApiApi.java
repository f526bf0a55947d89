package io.anvil.api;

import io.vertx.ext.web.Router;

/** {@code GET /v1/openapi.json}: the OpenAPI 3.1 document of the whole API ({@link OpenApiDocument}). */
final class OpenApiApi {
    void mount(Router r) {
        r.get("/v1/openapi.json")
                .handler(Handlers.encoded(ctx -> io.vertx.core.Future.succeededFuture(OpenApiDocument.encoded())));
    }
}
