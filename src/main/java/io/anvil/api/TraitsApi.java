package io.anvil.api;

import static io.anvil.api.Handlers.async;
import static io.anvil.api.Handlers.noContent;

import io.anvil.conductor.TaskManager;
import io.anvil.errors.AnvilException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code /v1/nodes/{node}/traits} (microversion 1.37), Ironic's {@code NodeTraitsController}
 * ({@code ironic/api/controllers/v1/node.py}): read, replace, add one, remove one, remove all. Names are os-traits'
 * standard ones or {@code CUSTOM_[A-Z0-9_]+}, at most 255 characters, at most 50 per node. Every change runs under
 * the node's exclusive lock (as Ironic's {@code ConductorManager.add_node_traits}/{@code remove_node_traits}) and
 * writes {@code baremetal.node.update.end} with the node in the same transaction.
 */
final class TraitsApi {
    /** Ironic's {@code MAX_TRAITS_PER_NODE} ({@code ironic/db/sqlalchemy/api.py}). */
    static final int MAX_TRAITS_PER_NODE = 50;

    private static final Pattern CUSTOM = Pattern.compile("^CUSTOM_[A-Z0-9_]+$");
    private static final Set<String> STANDARD = loadStandard();

    private final ApiServices services;
    private final NodeApi nodes;

    TraitsApi(ApiServices services, NodeApi nodes) {
        this.services = services;
        this.nodes = nodes;
    }

    void mount(Router r) {
        r.get("/v1/nodes/:node/traits").handler(async(this::list));
        r.put("/v1/nodes/:node/traits").handler(noContent(this::replace, 204));
        r.delete("/v1/nodes/:node/traits")
                .handler(noContent(ctx -> change(ctx, "remove node traits", old -> new TreeSet<>()), 204));
        r.put("/v1/nodes/:node/traits/:trait").handler(noContent(this::add, 204));
        r.delete("/v1/nodes/:node/traits/:trait").handler(noContent(this::remove, 204));
    }

    /** Whether Ironic's node traits API accepts {@code name}. */
    static boolean isValid(String name) {
        return name != null
                && !name.isEmpty()
                && name.length() <= 255
                && (CUSTOM.matcher(name).matches() || STANDARD.contains(name));
    }

    Future<JsonObject> list(RoutingContext ctx) {
        checkVersion(ctx);
        Requests.allowOnly(ctx, Set.of());
        return nodes.load(ctx.pathParam("node"))
                .map(n -> new JsonObject().put("traits", new JsonArray(new ArrayList<>(traits(n)))));
    }

    /** PUT .../traits {"traits": [...]}: the node's traits become exactly these. */
    Future<Void> replace(RoutingContext ctx) {
        checkVersion(ctx);
        JsonObject body = hasBody(ctx) ? Requests.jsonObject(ctx) : new JsonObject();
        for (String key : body.fieldNames()) {
            if (!key.equals("traits")) {
                throw AnvilException.invalid("Unknown attribute '" + key + "' in the traits body: it takes only"
                        + " 'traits', a list of trait names.");
            }
        }
        if (body.getValue("traits") == null) {
            throw AnvilException.invalid(usage());
        }
        if (!(body.getValue("traits") instanceof JsonArray list)) {
            throw AnvilException.invalid("Invalid traits " + body.getValue("traits") + ": expected a list of names.");
        }
        TreeSet<String> wanted = new TreeSet<>();
        for (Object t : list) {
            if (!(t instanceof String s)) {
                throw invalidTrait(String.valueOf(t));
            }
            check(s);
            wanted.add(s);
        }
        return change(ctx, "add node traits", old -> wanted);
    }

    /** PUT .../traits/{trait} with no body: adds one trait (already there: nothing changes). */
    Future<Void> add(RoutingContext ctx) {
        checkVersion(ctx);
        String trait = ctx.pathParam("trait");
        check(trait);
        if (hasBody(ctx) && !isEmptyJson(ctx)) {
            throw AnvilException.invalid("No body should be provided when adding a trait");
        }
        String ident = ctx.pathParam("node");
        return change(ctx, "add node traits", old -> {
                    TreeSet<String> next = new TreeSet<>(old);
                    next.add(trait);
                    return next;
                })
                .onSuccess(x -> ctx.response()
                        .putHeader(
                                "Location",
                                Links.base(ctx, services.config().api().publicUrl()) + "/v1/nodes/" + ident + "/traits/"
                                        + trait));
    }

    /** DELETE .../traits/{trait}: 404 when the node does not have it. */
    Future<Void> remove(RoutingContext ctx) {
        checkVersion(ctx);
        String trait = ctx.pathParam("trait");
        return change(ctx, "remove node traits", old -> {
            TreeSet<String> next = new TreeSet<>(old);
            if (!next.remove(trait)) {
                return null;
            }
            return next;
        });
    }

    /**
     * Computes the node's new trait set from its current one under its exclusive lock and stores it with its
     * notification. {@code update} returns null for "the trait to remove is not there" (404).
     */
    private Future<Void> change(RoutingContext ctx, String purpose, Function<Set<String>, TreeSet<String>> update) {
        checkVersion(ctx);
        String ident = ctx.pathParam("node");
        String trait = ctx.pathParam("trait");
        TaskManager tasks = services.conductor().tasks();
        return tasks.withTask(ident, tasks.apiWrite(purpose), task -> {
                    TreeSet<String> old = traits(task.node());
                    TreeSet<String> next = update.apply(old);
                    if (next == null) {
                        return Future.failedFuture(AnvilException.notFound(
                                "Node " + task.uuid() + " doesn't have a trait '" + trait + "'"));
                    }
                    if (next.size() > MAX_TRAITS_PER_NODE) {
                        return Future.failedFuture(AnvilException.invalid("Could not modify traits for node "
                                + task.uuid() + " as it would exceed the maximum number of traits per node ("
                                + next.size() + " vs. " + MAX_TRAITS_PER_NODE + ")"));
                    }
                    if (next.equals(old)) {
                        return Future.succeededFuture();
                    }
                    return task.saveWithEvent(
                                    Map.of("traits", new JsonArray(new ArrayList<>(next))),
                                    "baremetal.node.update.end",
                                    "info",
                                    null)
                            .mapEmpty();
                })
                .recover(e -> Future.failedFuture(
                        e instanceof io.anvil.conductor.ConductorErrors.NodeNotFound ? NodeApi.notFound(ident) : e))
                .mapEmpty();
    }

    /** Below 1.37 the traits sub-resource does not exist (Ironic's NodesController._lookup). */
    private static void checkVersion(RoutingContext ctx) {
        if (!Requests.version(ctx).atLeast(37)) {
            throw AnvilException.notFound("The resource could not be found.");
        }
    }

    private static void check(String trait) {
        if (!isValid(trait)) {
            throw invalidTrait(trait);
        }
    }

    private static AnvilException invalidTrait(String trait) {
        return AnvilException.invalid("Invalid trait '" + trait + "': a trait is a standard os-traits name or"
                + " CUSTOM_ followed by upper-case letters, digits and '_', at most 255 characters.");
    }

    private static String usage() {
        return "A single node trait may be added via PUT /v1/nodes/<node identifier>/traits/<trait> with no body, "
                + "or all node traits may be replaced via PUT /v1/nodes/<node identifier>/traits with the list of "
                + "traits specified in the request body.";
    }

    private static boolean hasBody(RoutingContext ctx) {
        return ctx.body() != null
                && ctx.body().buffer() != null
                && ctx.body().buffer().length() > 0;
    }

    /** Ironic's test is {@code request.body and request.json_body}: an empty JSON document counts as no body. */
    private static boolean isEmptyJson(RoutingContext ctx) {
        String s = ctx.body().asString().trim();
        return s.equals("{}") || s.equals("[]") || s.equals("null") || s.equals("\"\"");
    }

    static TreeSet<String> traits(JsonObject node) {
        TreeSet<String> out = new TreeSet<>();
        if (node.getValue("traits") instanceof JsonArray a) {
            a.forEach(t -> out.add(String.valueOf(t)));
        }
        return out;
    }

    private static Set<String> loadStandard() {
        try (InputStream in = TraitsApi.class.getResourceAsStream("os-traits.txt")) {
            if (in == null) {
                throw new IllegalStateException("os-traits.txt is missing from the classpath");
            }
            Set<String> out = new TreeSet<>();
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .forEach(out::add);
            return Set.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
