package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.anvil.testsupport.Conditions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed requests (seeded, reproducible: {@code -Danvil.fuzz.seed=N -Danvil.fuzz.requests=M}) to every
 * operation of the OpenAPI document: bad JSON, bad patches, bad identifiers, huge values, wrong types, unknown fields,
 * deep nesting, bad microversions and query parameters. Every answer is a 4xx with Ironic's error body (a read may
 * succeed when its input happens to be valid), never a 5xx or a hang, and no table changes: every write carries at
 * least one defect, so none may succeed. Also the two body limits: 413 for size, 400 for depth.
 */
class ApiFuzzTest extends ApiTestBase {
    private static final long SEED = Long.getLong("anvil.fuzz.seed", 13L);
    private static final int REQUESTS = Integer.getInteger("anvil.fuzz.requests", 3000);
    private static final int IN_FLIGHT = 8;
    private static final List<String> TABLES = List.of(
            "nodes",
            "ports",
            "portgroups",
            "chassis",
            "allocations",
            "deploy_templates",
            "volume_connectors",
            "volume_targets",
            "node_history",
            "node_inventory",
            "bios_settings",
            "events");

    /** The power-state sync would update the node while the fuzz runs: only requests may touch the tables here. */
    @Override
    protected Map<String, Object> extraConfig() {
        return Map.of("conductor.sync_power_state_interval", 0, "conductor.power_failure_recovery_interval", 0);
    }

    /** Valid values for the path parameters, from the fixtures. */
    private final Map<String, String> fixtures = new LinkedHashMap<>();

    @BeforeAll
    void fixtures() {
        JsonObject node = createNode(new JsonObject()
                .put("driver", "fake-hardware")
                .put("name", "fuzz-node")
                .put("resource_class", "fuzz-class"));
        String nodeUuid = node.getString("uuid");
        fixtures.put("node", "fuzz-node");
        fixtures.put("node_ident", nodeUuid);
        fixtures.put("driver", "fake-hardware");
        fixtures.put(
                "hostname", column("SELECT hostname FROM conductors").get(0).toString());
        String chassis = post("/v1/chassis", new JsonObject().put("description", "fuzz"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        String pg = post(
                        "/v1/portgroups",
                        new JsonObject().put("node_uuid", nodeUuid).put("name", "fuzz-pg"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        fixtures.put("pg", pg);
        String port = post(
                        "/v1/ports", new JsonObject().put("node_uuid", nodeUuid).put("address", "52:54:00:aa:bb:cc"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        String template = post(
                        "/v1/deploy_templates",
                        new JsonObject()
                                .put("name", "CUSTOM_FUZZ")
                                .put(
                                        "steps",
                                        new JsonArray()
                                                .add(new JsonObject()
                                                        .put("interface", "bios")
                                                        .put("step", "apply_configuration")
                                                        .put("args", new JsonObject().put("settings", new JsonArray()))
                                                        .put("priority", 10))))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        String allocation = post("/v1/allocations", new JsonObject().put("resource_class", "no-such-class"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        Conditions.await(
                vertx, "the allocation to fail", Duration.ofSeconds(20), Duration.ofMillis(50), () -> !"allocating"
                        .equals(get("/v1/allocations/" + allocation)
                                .v(LATEST)
                                .send()
                                .json()
                                .getString("state")));
        String connector = post(
                        "/v1/volume/connectors",
                        new JsonObject()
                                .put("node_uuid", nodeUuid)
                                .put("type", "iqn")
                                .put("connector_id", "iqn.2026-12.io.anvil:fuzz"))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        String target = post(
                        "/v1/volume/targets",
                        new JsonObject()
                                .put("node_uuid", nodeUuid)
                                .put("volume_type", "iscsi")
                                .put("volume_id", "fuzz-volume")
                                .put("boot_index", 0))
                .v(LATEST)
                .expect(201)
                .json()
                .getString("uuid");
        // {id} differs by resource: chosen per path in ident()
        fixtures.put("chassis", chassis);
        fixtures.put("ports", port);
        fixtures.put("portgroups", pg);
        fixtures.put("deploy_templates", template);
        fixtures.put("allocations", allocation);
        fixtures.put("connectors", connector);
        fixtures.put("targets", target);
    }

    @Test
    void malformedRequestsAreRefusedWithoutAnyChange() {
        Map<String, String> before = snapshot();
        List<Object> nodesBefore = column("SELECT t::text FROM nodes t");
        Random random = new Random(SEED);
        List<OpenApiDocument.Op> ops = OpenApiDocument.operations().stream()
                .filter(o -> o.path().startsWith("/v1") && !o.path().equals("/v1/openapi.json"))
                .toList();
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        int sent = 0;
        while (sent < REQUESTS) {
            List<Future<Void>> batch = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT && sent < REQUESTS; i++, sent++) {
                Fuzzed f = fuzz(ops.get(random.nextInt(ops.size())), random);
                batch.add(f.req.sendAsync().map(r -> {
                    synchronized (failures) {
                        statuses.merge(r.status(), 1, Integer::sum);
                        String problem = check(f, r);
                        if (problem != null && failures.size() < 30) {
                            failures.add(f + " -> " + r.status() + " "
                                    + abbreviate(r.body().toString()) + ": " + problem);
                        }
                    }
                    return null;
                }));
            }
            Conditions.result(Future.all(batch), Duration.ofSeconds(TIMEOUT_S));
        }
        assertEquals(
                List.of(),
                failures,
                () -> "seed " + SEED + ", statuses " + statuses + ":\n" + String.join("\n", failures) + "\n");
        assertEquals(
                before,
                snapshot(),
                () -> "the database changed (seed " + SEED + "); node history: "
                        + column("SELECT t::text FROM node_history t") + "; nodes before: " + nodesBefore + "; after: "
                        + column("SELECT t::text FROM nodes t"));
    }

    @Test
    void oversizeAndDeeplyNestedBodiesAreRefused() {
        Map<String, String> before = snapshot();
        String deep =
                "{\"driver\": \"fake-hardware\", \"extra\": " + "{\"a\": ".repeat(40) + "1" + "}".repeat(40) + "}";
        assertError(post("/v1/nodes", Buffer.buffer(deep)).v(LATEST).send(), 400, "nested deeper than 32");
        // brackets inside strings are not nesting: a flat body with many of them is read as usual
        JsonObject flat = createNode(new JsonObject()
                .put("driver", "fake-hardware")
                .put("extra", new JsonObject().put("brackets", "[[[[{{{{".repeat(20))));
        delete("/v1/nodes/" + flat.getString("uuid")).v(LATEST).expect(204);
        String huge = "{\"driver\": \"fake-hardware\", \"extra\": {\"a\": \"" + "x".repeat(1_100_000) + "\"}}";
        assertError(post("/v1/nodes", Buffer.buffer(huge)).v(LATEST).send(), 413, null);
        String deepPatch =
                "[{\"op\": \"add\", \"path\": \"/extra/a\", \"value\": " + "[".repeat(100) + "]".repeat(100) + "}]";
        assertError(
                patch("/v1/nodes/fuzz-node", Buffer.buffer(deepPatch)).v(LATEST).send(), 400, "nested");
        Map<String, String> after = snapshot();
        // the flat node was created and deleted: its events remain, nothing else changed
        after.remove("events");
        before.remove("events");
        assertEquals(before, after);
    }

    // ---- one fuzzed request ----

    private final class Fuzzed {
        final OpenApiDocument.Op op;
        final String path;
        final Req req;
        final String defect;

        Fuzzed(OpenApiDocument.Op op, String path, Req req, String defect) {
            this.op = op;
            this.path = path;
            this.req = req;
            this.defect = defect;
        }

        @Override
        public String toString() {
            return op.method() + " " + path + " [" + defect + "]";
        }
    }

    private Fuzzed fuzz(OpenApiDocument.Op op, Random random) {
        boolean write = !op.method().equals("GET");
        // every write gets at least one defect; reads get one most of the time
        int defects = write || random.nextInt(4) > 0 ? 1 + random.nextInt(2) : 0;
        boolean badVersion = false;
        boolean badPath = false;
        boolean badBody = false;
        boolean badQuery = false;
        // DELETE bodies are not read (nor are bodies of reads): a defect there would not count
        boolean hasBody =
                op.requestSchema() != null || (write && !op.method().equals("DELETE") && random.nextBoolean());
        for (int i = 0; i < defects; i++) {
            switch (random.nextInt(hasBody ? 4 : 3)) {
                case 0 -> badVersion = true;
                case 1 -> {
                    if (op.path().contains("{")) {
                        badPath = true;
                    } else {
                        badQuery = true;
                    }
                }
                case 2 -> badQuery = true;
                default -> badBody = true;
            }
        }
        if (write && !badVersion && !badPath && !badBody) {
            // a bad query string alone may be ignored by a write: make the defect count
            if (hasBody) {
                badBody = true;
            } else if (op.path().contains("{")) {
                badPath = true;
            } else {
                badVersion = true;
            }
        }
        List<String> what = new ArrayList<>();
        String path = path(op, random, badPath);
        if (badPath) {
            what.add("path");
        }
        if (badQuery) {
            path += (path.contains("?") ? "&" : "?") + pick(random, BAD_QUERIES);
            what.add("query");
        }
        Req req = new Req(io.vertx.core.http.HttpMethod.valueOf(op.method()), path);
        if (badVersion) {
            String version = pick(random, BAD_VERSIONS);
            req.v(version);
            what.add("version '" + version + "'");
        } else {
            req.v(random.nextInt(5) == 0 ? "1." + (1 + random.nextInt(78)) : LATEST);
        }
        String bodyText = "";
        if (hasBody) {
            Buffer body = badBody ? badBody(op, random) : validLookingBody(op);
            bodyText = " " + abbreviate(body.toString(StandardCharsets.ISO_8859_1));
            req.body(body);
            if (badBody) {
                what.add("body");
                if (random.nextInt(10) == 0) {
                    req.header("Content-Type", pick(random, List.of("text/plain", "application/xml", "", "*/*")));
                }
            }
        }
        return new Fuzzed(op, path, req, String.join("+", what) + bodyText);
    }

    /** What is wrong with the answer, or null. */
    private static String check(Fuzzed f, Resp r) {
        int s = r.status();
        if (s >= 500) {
            return "a server error";
        }
        if (s >= 400) {
            try {
                JsonObject outer = new JsonObject(r.body());
                JsonObject inner = new JsonObject(outer.getString("error_message"));
                if (outer.size() != 1
                        || !"Client".equals(inner.getString("faultcode"))
                        || inner.getString("faultstring") == null) {
                    return "not Ironic's error body";
                }
            } catch (RuntimeException e) {
                return "not Ironic's error body (" + e.getMessage() + ")";
            }
            return null;
        }
        if (!f.op.method().equals("GET")) {
            return "a write with a defect succeeded";
        }
        return null;
    }

    // ---- paths ----

    private static final List<String> BAD_IDENTS = List.of(
            "not%20a%20uuid",
            "%00",
            "a".repeat(300),
            "%E2%98%83",
            "%ff%fe",
            "12345",
            "-1",
            "%27%3BDROP%20TABLE%20nodes%3B--",
            "00000000-0000-0000-0000-00000000000G",
            "{node}",
            "%7B%7D",
            "x%2Fy",
            "CUSTOM_" + "A".repeat(300),
            "lower_case_trait",
            "9".repeat(40),
            "%zz",
            "a%");

    private String path(OpenApiDocument.Op op, Random random, boolean bad) {
        String template = op.path();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(template);
        List<String> params = new ArrayList<>();
        while (m.find()) {
            params.add(m.group(1));
        }
        int broken = bad ? random.nextInt(params.size()) : -1;
        if (bad && template.endsWith("/vifs/{vif}")) {
            // detaching a VIF that is not attached records an error in the node's history, as Ironic's conductor
            // (manager.vif_detach) does: a change by design, so the node is what is wrong here
            broken = 0;
        }
        String out = template;
        for (int i = 0; i < params.size(); i++) {
            String name = params.get(i);
            String value;
            if (i == broken) {
                value = random.nextInt(4) == 0 ? UUID.randomUUID().toString() : pick(random, BAD_IDENTS);
            } else {
                value = valid(template, name);
            }
            out = out.replace("{" + name + "}", value);
        }
        if (op.tag().equals("passthru") && !op.path().endsWith("/methods")) {
            out += "?method=" + (bad ? "no_such_method" : "fuzz");
        }
        if (op.path().equals("/v1/lookup") && random.nextBoolean()) {
            out += "?addresses=" + pick(random, List.of("52:54:00:aa:bb:cc", "zz", "", "%00"));
        }
        return out;
    }

    /** A fixture for {@code name} in {@code template} ({id} depends on the collection before it). */
    private String valid(String template, String name) {
        if (!name.equals("id")) {
            String v = fixtures.get(name);
            return v != null ? v : "fuzz-" + name;
        }
        String[] parts = template.split("/");
        for (int i = parts.length - 1; i > 0; i--) {
            if (parts[i].equals("{id}")) {
                return fixtures.getOrDefault(parts[i - 1], "fuzz");
            }
        }
        return "fuzz";
    }

    // ---- query strings and versions ----

    private static final List<String> BAD_QUERIES = List.of(
            "limit=-1",
            "limit=abc",
            "limit=99999999999999999999",
            "marker=not-a-uuid",
            "marker=" + UUID.nameUUIDFromBytes(new byte[] {1}),
            "sort_key=zzz",
            "sort_dir=sideways",
            "fields=nope,also_not",
            "fields=",
            "detail=maybe",
            "unknown_param=1",
            "maintenance=perhaps",
            "associated=2",
            "provision_state=%00",
            "driver=" + "d".repeat(500),
            "since=abc",
            "since=-5",
            "node_uuid=not-a-uuid",
            "address=zz:zz",
            "resource_class=" + "r".repeat(300),
            "owner=%ff",
            "limit=0",
            "detail=True&fields=uuid",
            "%=%",
            "a=%zz",
            "name=%00");

    private static final List<String> BAD_VERSIONS = List.of(
            "1.999",
            "2.0",
            "abc",
            "1.",
            "",
            "1.-1",
            "1.0",
            "0.1",
            "99999999999999999999.1",
            "1.99999999999999999999",
            " 1.5x",
            "1.1.1",
            "1,5");

    // ---- bodies ----

    private static final List<String> BAD_JSON = List.of(
            "{",
            "[",
            "nul",
            "{\"a\":}",
            "{\"a\" 1}",
            "\"unterminated",
            "{'a': 1}",
            "{\"a\": 1,}",
            "[1, 2",
            "{\"a\": NaN}",
            "{\"a\": 1e999999}",
            "\u0000",
            "}{",
            "{\"a\": \"\\uZZZZ\"}",
            "{\"a\": 1} trailing");

    private Buffer badBody(OpenApiDocument.Op op, Random random) {
        int kind =
                random.nextInt(op.requestSchema() != null && op.requestSchema().equals("JsonPatch") ? 9 : 8);
        return switch (kind) {
            case 0 -> Buffer.buffer(pick(random, BAD_JSON));
            case 1 -> {
                byte[] junk = new byte[1 + random.nextInt(64)];
                random.nextBytes(junk);
                yield Buffer.buffer(junk);
            }
            case 2 -> Buffer.buffer(pick(random, List.of("42", "\"string\"", "null", "true", "[]", "[{}]", "-0")));
            case 3 ->
                Buffer.buffer("{\"a\": " + "[".repeat(33 + random.nextInt(200))
                        + "]".repeat(random.nextBoolean() ? 0 : 300) + "}");
            case 4 -> wrongTypes(op, random);
            case 5 ->
                new JsonObject()
                        .put("zzz_unknown_" + random.nextInt(1000), hugeValue(random))
                        .toBuffer();
            case 6 -> {
                // a huge value alone is no defect where Ironic takes any size (a maintenance reason is a Text
                // column): the unknown field beside it is the defect, the huge value must still not break anything
                JsonObject o = validLookingObject(op);
                if (!o.isEmpty()) {
                    String field = o.fieldNames().iterator().next();
                    o.put(field, hugeValue(random));
                }
                o.put("unknown_field", 1);
                yield o.toBuffer();
            }
            case 7 ->
                Buffer.buffer(new JsonArray().add(pick(random, BAD_PATCH_OPS)).encode());
            default ->
                Buffer.buffer("[" + pick(random, BAD_PATCH_OPS).encode() + ", "
                        + pick(random, BAD_PATCH_OPS).encode() + "]");
        };
    }

    private static final List<JsonObject> BAD_PATCH_OPS = List.of(
            new JsonObject().put("op", "bogus").put("path", "/extra/a").put("value", 1),
            new JsonObject().put("op", "replace").put("path", "/uuid").put("value", "x"),
            new JsonObject().put("op", "add"),
            new JsonObject().put("path", "/extra/a"),
            new JsonObject().put("op", "replace").put("path", "").put("value", new JsonObject()),
            new JsonObject().put("op", "replace").put("path", "/extra/~2").put("value", 1),
            new JsonObject().put("op", "remove").put("path", "/extra/not_there"),
            new JsonObject().put("op", "move").put("from", "/extra/x").put("path", "/extra/y"),
            new JsonObject().put("op", "copy").put("path", "/extra/y"),
            new JsonObject().put("op", "replace").put("path", "/name").put("value", "bad name!"),
            new JsonObject().put("op", "replace").put("path", "/driver").put("value", "no-such-driver"),
            new JsonObject().put("op", "replace").put("path", "/address").put("value", "zz:zz"),
            new JsonObject().put("op", "replace").put("path", "/node_uuid").put("value", "not-a-uuid"),
            new JsonObject().put("op", "replace").put("path", "/steps").put("value", "steps"),
            new JsonObject().put("op", "replace").put("path", "/boot_index").put("value", "first"),
            new JsonObject().put("op", "replace").put("path", "/maintenance").put("value", "maybe"),
            new JsonObject().put("op", "replace").put("path", "/extra").put("value", "not an object"),
            new JsonObject()
                    .put("op", "replace")
                    .put("path", "/properties/cpus")
                    .put("value", 1e308),
            new JsonObject().put("op", "add").put("path", "/extra/a/b/c").put("value", 1),
            new JsonObject()
                    .put("op", "replace")
                    .put("path", "/provision_state")
                    .put("value", "active"),
            new JsonObject().put("op", 42).put("path", 42),
            new JsonObject()
                    .put("op", "replace")
                    .put("path", "/extra/a")
                    .put("value", "x")
                    .put("unknown", 1),
            new JsonObject().put("op", "test").put("path", "/uuid").put("value", "nope"),
            new JsonObject().put("op", "remove").put("path", "/uuid"),
            new JsonObject().put("op", "replace").put("path", "/created_at").put("value", "yesterday"));

    /** The request schema's fields, each with a value of the wrong type (or a type no field takes). */
    private Buffer wrongTypes(OpenApiDocument.Op op, Random random) {
        JsonObject props = schemaProperties(op);
        JsonObject out = new JsonObject();
        for (String field : props.fieldNames()) {
            if (random.nextBoolean() || out.isEmpty()) {
                out.put(field, wrongFor(props.getJsonObject(field), random));
            }
        }
        if (out.isEmpty()) {
            out.put("target", 12345);
        }
        return "JsonPatch".equals(op.requestSchema())
                ? Buffer.buffer(new JsonArray()
                        .add(new JsonObject()
                                .put("op", "replace")
                                .put("path", "/" + out.fieldNames().iterator().next())
                                .put(
                                        "value",
                                        out.getValue(out.fieldNames().iterator().next())))
                        .add(new JsonObject().put("op", "remove").put("path", "/no_such_field"))
                        .encode())
                : out.toBuffer();
    }

    private static final List<Object> WRONG = List.of(
            12345, -1, 1.5e300, true, new JsonArray().add(1), new JsonObject().put("x", 1), "%00", "", "a\u0000b");

    /** A value whose JSON type the field's schema does not allow (a NUL string when the schema allows anything). */
    private static Object wrongFor(JsonObject schema, Random random) {
        String types = schema == null || schema.getValue("type") == null ? "" : String.valueOf(schema.getValue("type"));
        if (types.isEmpty()) {
            return "a\u0000b";
        }
        List<Object> candidates =
                WRONG.stream().filter(v -> !types.contains(jsonType(v))).toList();
        return candidates.get(random.nextInt(candidates.size()));
    }

    private static String jsonType(Object v) {
        if (v instanceof Integer) {
            return "integer";
        }
        if (v instanceof Double) {
            return "number";
        }
        if (v instanceof Boolean) {
            return "boolean";
        }
        if (v instanceof JsonArray) {
            return "array";
        }
        return v instanceof JsonObject ? "object" : "string";
    }

    private static Object hugeValue(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> "x".repeat(200_000);
            case 1 -> new java.math.BigInteger("9".repeat(400));
            case 2 -> {
                JsonArray a = new JsonArray();
                for (int i = 0; i < 20_000; i++) {
                    a.add(i);
                }
                yield a;
            }
            default -> "\uD83D\uDE00".repeat(10_000);
        };
    }

    private static JsonObject schemaProperties(OpenApiDocument.Op op) {
        if (op.requestSchema() == null || op.requestSchema().equals("JsonPatch")) {
            String resource = op.responseSchema() == null ? "Node" : op.responseSchema();
            return props(resource);
        }
        return props(op.requestSchema());
    }

    private static JsonObject props(String schema) {
        JsonObject s = SCHEMAS.getJsonObject(schema);
        JsonObject p = s == null ? null : s.getJsonObject("properties");
        return p == null ? new JsonObject() : p.copy();
    }

    private static final JsonObject SCHEMAS =
            OpenApiDocument.build().getJsonObject("components").getJsonObject("schemas");

    /** A body shaped as the endpoint expects (used with another defect: a bad version or path). */
    private Buffer validLookingBody(OpenApiDocument.Op op) {
        if ("JsonPatch".equals(op.requestSchema())) {
            return Buffer.buffer(new JsonArray()
                    .add(new JsonObject()
                            .put("op", "add")
                            .put("path", "/extra/fuzz")
                            .put("value", "v"))
                    .encode());
        }
        return validLookingObject(op).toBuffer();
    }

    private static JsonObject validLookingObject(OpenApiDocument.Op op) {
        String s = op.requestSchema() == null ? "" : op.requestSchema();
        return switch (s) {
            case "Node" -> new JsonObject().put("driver", "fake-hardware");
            case "ProvisionTarget" -> new JsonObject().put("target", "manage");
            case "PowerTarget" -> new JsonObject().put("target", "power on");
            case "Target" -> new JsonObject().put("target", "uefi");
            case "Maintenance" -> new JsonObject().put("reason", "fuzz");
            case "Traits" -> new JsonObject().put("traits", new JsonArray().add("CUSTOM_FUZZ"));
            case "Vif" -> new JsonObject().put("id", "fuzz-vif");
            case "BootDevice" -> new JsonObject().put("boot_device", "pxe");
            case "Console" -> new JsonObject().put("enabled", false);
            case "Chassis" -> new JsonObject().put("description", "fuzz");
            default -> new JsonObject();
        };
    }

    // ---- the database ----

    /**
     * Row count and checksum of each table. A node's {@code lock_fence} is left out: a write takes the node's lock and
     * claims the row with a new fencing token before it validates its input (docs/locks.md), bookkeeping that changes
     * no resource.
     */
    private Map<String, String> snapshot() {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String table : TABLES) {
            List<Object> row = column("SELECT count(*) || ' ' || md5(coalesce(string_agg((to_jsonb(t) - 'lock_fence')"
                    + "::text, '|' ORDER BY (to_jsonb(t) - 'lock_fence')::text), '')) FROM " + table + " t");
            out.put(table, String.valueOf(row.get(0)));
        }
        return out;
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static String abbreviate(String s) {
        return s.length() > 160 ? s.substring(0, 160) + "…(" + s.length() + ")" : s;
    }
}
