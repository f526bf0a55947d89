package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * GET /v1/openapi.json is a valid OpenAPI 3.1 document (swagger-parser's validation), and it matches the router both
 * ways: every mounted route is documented (except the ones listed below, each with its reason), and every documented
 * operation is mounted.
 */
class OpenApiDocumentTest extends ApiTestBase {
    /** Any method ("*") or one method, and the path with its parameters as {}; not part of the documented API. */
    private static final Map<String, String> UNDOCUMENTED = Map.ofEntries(
            Map.entry("GET /dashboard/{}", "the dashboard's static files, not the REST API (docs/dashboard.md)"),
            Map.entry("GET /boot/boot.ipxe", "iPXE script for booting machines, not the REST API (docs/boot.md)"),
            Map.entry("GET /boot/{}", "iPXE script for booting machines, not the REST API (docs/boot.md)"),
            Map.entry("GET /v1/chassis/{}/detail", "always 404, as Ironic answers it"),
            Map.entry("* /v1/chassis/nodes", "always 400 (no chassis id), as Ironic answers it"),
            Map.entry("POST /v1/chassis/{}/nodes", "always 400 (a chassis' nodes are read-only), as Ironic"),
            Map.entry("PATCH /v1/chassis/{}/nodes", "always 400 (a chassis' nodes are read-only), as Ironic"),
            Map.entry("DELETE /v1/chassis/{}/nodes", "always 400 (a chassis' nodes are read-only), as Ironic"),
            Map.entry("* /v1/chassis/{}/nodes/{}", "always 400 (a chassis' nodes are read-only), as Ironic"),
            Map.entry("* /v1/nodes/{}/allocation", "the 405 answer to other methods, as Ironic"),
            Map.entry("* /v1/nodes/{}/allocation/", "the 405 answer to sub-paths, as Ironic"));

    @Test
    void isAValidOpenApi31Document() {
        Resp r = get("/v1/openapi.json").expect(200);
        assertTrue(r.header("Content-Type").startsWith("application/json"));
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(r.body().toString(), null, options);
        assertNotNull(parsed.getOpenAPI(), () -> "not parsed: " + parsed.getMessages());
        assertEquals(java.util.List.of(), parsed.getMessages(), "validation messages");
        assertTrue(
                parsed.getOpenAPI().getOpenapi().startsWith("3.1"),
                parsed.getOpenAPI().getOpenapi());
        assertEquals(OpenApiDocument.build(), r.json());
        // the error body, the microversion header and the path parameters are there
        JsonObject nodeShow = r.json()
                .getJsonObject("paths")
                .getJsonObject("/v1/nodes/{node}")
                .getJsonObject("get");
        assertEquals(
                "#/components/responses/Error",
                nodeShow.getJsonObject("responses").getJsonObject("404").getString("$ref"));
        assertTrue(nodeShow.getJsonArray("parameters").encode().contains("#/components/parameters/Microversion"));
        assertTrue(nodeShow.getJsonArray("parameters").encode().contains("\"in\":\"path\""));
    }

    @Test
    void documentsEveryMountedRouteAndNothingElse() {
        Set<String> mounted = new TreeSet<>();
        for (Route route : anvil.apiRoutes()) {
            if (route.getPath() == null) {
                continue; // the handlers every request passes through (tracking, versions, bodies, limits...)
            }
            String path = normalize(route.getPath());
            if (route.methods() == null) {
                mounted.add("* " + path);
            } else {
                for (HttpMethod m : route.methods()) {
                    mounted.add(m.name() + " " + path);
                }
            }
        }
        Set<String> documented = new TreeSet<>();
        for (OpenApiDocument.Op op : OpenApiDocument.operations()) {
            documented.add(op.method() + " " + normalize(op.path()));
        }
        Set<String> missing = new TreeSet<>();
        for (String route : mounted) {
            if (UNDOCUMENTED.containsKey(route)) {
                continue;
            }
            if (route.startsWith("* ")) {
                String path = route.substring(2);
                // an any-method route is documented with each method it serves (vendor passthru)
                for (String m : OpenApiDocument.PASSTHRU_METHODS) {
                    if (!documented.contains(m + " " + path)) {
                        missing.add(route + " (" + m + ")");
                    }
                }
            } else if (!documented.contains(route)) {
                missing.add(route);
            }
        }
        assertEquals(Set.of(), missing, "mounted but not in the OpenAPI document");
        Set<String> unserved = new TreeSet<>();
        for (String op : documented) {
            String path = op.substring(op.indexOf(' ') + 1);
            if (!mounted.contains(op) && !mounted.contains("* " + path)) {
                unserved.add(op);
            }
        }
        assertEquals(Set.of(), unserved, "documented but not mounted");
        for (String listed : UNDOCUMENTED.keySet()) {
            assertTrue(mounted.contains(listed), () -> "listed as undocumented but not mounted: " + listed);
        }
    }

    /** {@code /v1/nodes/:node} and {@code /v1/nodes/{node}} both become {@code /v1/nodes/{}}. */
    private static String normalize(String path) {
        return path.replaceAll(":[A-Za-z_0-9]+", "{}").replaceAll("\\{[^}]+}", "{}");
    }
}
