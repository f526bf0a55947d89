package io.anvil.api;

import io.anvil.auth.Authenticator;
import io.anvil.auth.Caller;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /v1/auth/whoami}: who the credentials name, their role and project, and the API's authentication mode.
 * Ironic has no such call; the dashboard asks it to show or hide its action buttons (docs/dashboard.md), and a
 * script may ask it to check its credentials without touching a node.
 */
final class WhoAmIApi {
    private final String strategy;

    WhoAmIApi(Vertx vertx) {
        this.strategy = Authenticator.of(vertx)
                .map(a -> a.settings().strategy().configName())
                .orElse("noauth");
    }

    void mount(Router r) {
        r.get("/v1/auth/whoami").handler(Handlers.sync(ctx -> {
            Caller c = Caller.of(ctx);
            return new JsonObject()
                    .put("user", c.name())
                    .put("role", c.role().name().toLowerCase(java.util.Locale.ROOT))
                    .put("project", c.project())
                    .put("system_member", c.systemMember())
                    .put("auth_strategy", strategy);
        }));
    }
}
