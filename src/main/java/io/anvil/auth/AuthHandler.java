package io.anvil.auth;

import io.anvil.auth.Policy.Access;
import io.anvil.auth.Policy.Rule;
import io.anvil.auth.Targets.Target;
import io.anvil.errors.AnvilException;
import io.anvil.store.Database;
import io.anvil.store.SchedulingResources;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's gate, mounted before every route: authenticates the caller ({@link Authenticator}), then applies the
 * {@link Policy} rule of the request's method and path. Answers 401 (with {@code WWW-Authenticate}) for missing or
 * wrong credentials, 403 for a role that may not, and 404 for a node (or its port, …) the caller may not see, as
 * Ironic hides other projects' nodes. With noauth it lets everything through: the caller is {@link Caller#NOAUTH}.
 */
public final class AuthHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(AuthHandler.class);
    private static final Pattern NODE_PATH = Pattern.compile("^/v1/nodes/[^/]+/?$");
    /** Node fields only admins and system members change (Ironic: baremetal:node:update:owner and others). */
    private static final Set<String> SYSTEM_FIELDS =
            Set.of("owner", "chassis_uuid", "conductor_group", "shard", "parent_node", "driver", "disable_power_off");

    private final Authenticator authenticator;
    private final Policy policy = new Policy();
    private final Targets targets;

    private AuthHandler(Authenticator authenticator, Database db) {
        this.authenticator = authenticator;
        this.targets = new Targets(db);
    }

    /** The gate of this process's API: noauth when no {@link Authenticator} was installed. */
    public static AuthHandler create(Vertx vertx, Database db) {
        Authenticator a = Authenticator.of(vertx)
                .filter(x -> x.settings().strategy() != ApiSecurity.Strategy.NOAUTH)
                .orElse(null);
        return new AuthHandler(a, db);
    }

    /** Warns about any route the policy has no rule for (such a route is for admins only until it gets one). */
    public void bind(Router router) {
        List<String> missing = unruled(policy, router.getRoutes());
        if (!missing.isEmpty()) {
            LOG.warn("API routes without an access rule in io.anvil.auth.Policy (admins only): {}", missing);
        }
    }

    /** The routes of {@code routes} (method and path) that no rule of {@code policy} names. */
    public static List<String> unruled(Policy policy, List<Route> routes) {
        List<String> missing = new ArrayList<>();
        for (Route route : routes) {
            if (route.getPath() == null) {
                continue; // handlers for every request (tracking, versions, bodies), not endpoints
            }
            for (HttpMethod m : methodsOf(route)) {
                if (policy.match(m, Policy.sample(route.getPath())) == null) {
                    missing.add(m + " " + route.getPath());
                }
            }
        }
        return missing;
    }

    /** A route's methods; every method the API uses when the route takes any. */
    public static Set<HttpMethod> methodsOf(Route route) {
        Set<HttpMethod> m = route.methods();
        return m == null || m.isEmpty()
                ? Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)
                : m;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (authenticator == null) {
            ctx.next();
            return;
        }
        HttpServerRequest req = ctx.request();
        Rule rule = policy.match(req.method(), req.path());
        Access access = rule == null ? Access.ADMIN : rule.access();
        if (access == Access.OPEN
                || (access == Access.METRICS && authenticator.settings().metricsOpen())) {
            ctx.next();
            return;
        }
        boolean hasBody =
                req.method() == HttpMethod.POST || req.method() == HttpMethod.PUT || req.method() == HttpMethod.PATCH;
        // a WebSocket upgrade (the event feed, a console) must still be unread when its handler upgrades it
        boolean upgrade = "websocket".equalsIgnoreCase(req.getHeader("Upgrade"));
        boolean paused = (hasBody || upgrade) && !req.isEnded();
        if (paused) {
            // no byte of the body may be lost while we check: the body handler (or the upgrade) takes it over
            req.pause();
        }
        authenticator
                .authenticate(req)
                .compose(caller -> {
                    ctx.put(Caller.KEY, caller);
                    return authorize(req, rule, access, caller);
                })
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        ctx.next();
                        return;
                    }
                    if (paused && !req.isEnded()) {
                        req.resume(); // the refused body is read and dropped, so the connection can be reused
                    }
                    if (ar.cause() instanceof AnvilException e && e.status() == 401) {
                        ctx.response().putHeader("WWW-Authenticate", authenticator.challenge());
                    }
                    ctx.fail(ar.cause());
                });
    }

    /**
     * After the body handler: the node fields a project's member may not change (owner, conductor group, …). Ironic
     * checks these per field too (baremetal:node:update:*).
     */
    public void checkBody(RoutingContext ctx) {
        Caller caller = Caller.of(ctx);
        if (caller.systemMember()
                || ctx.request().method() != HttpMethod.PATCH
                || !NODE_PATH.matcher(ctx.request().path()).matches()) {
            ctx.next();
            return;
        }
        JsonArray ops;
        try {
            ops = ctx.body().asJsonArray();
        } catch (RuntimeException e) {
            ctx.next(); // the route answers the malformed patch with its 400
            return;
        }
        if (ops != null) {
            for (Object o : ops) {
                if (o instanceof JsonObject op) {
                    for (String key : new String[] {"path", "from"}) {
                        String field = field(op.getValue(key));
                        if (field != null && (SYSTEM_FIELDS.contains(field) || field.endsWith("_interface"))) {
                            ctx.fail(forbidden("PATCH /" + field + " of a node"));
                            return;
                        }
                    }
                }
            }
        }
        ctx.next();
    }

    private static String field(Object pointer) {
        if (!(pointer instanceof String p) || !p.startsWith("/")) {
            return null;
        }
        int slash = p.indexOf('/', 1);
        return slash < 0 ? p.substring(1) : p.substring(1, slash);
    }

    private Future<Void> authorize(HttpServerRequest req, Rule rule, Access access, Caller caller) {
        boolean read = req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD;
        String what = req.method() + " " + (rule == null ? req.path() : rule.path());
        if (!read && caller.role() == Caller.Role.READER) {
            return Future.failedFuture(forbidden(what));
        }
        switch (access) {
            case AUTHENTICATED:
                return Future.succeededFuture();
            case SYSTEM_MEMBER:
                return allow(caller.systemMember(), what);
            case ALLOCATION_CREATE:
                return allow(caller.createsAllocations(), what);
            case ADMIN:
            case METRICS:
                return allow(caller.admin(), what);
            default:
                break;
        }
        if (caller.visibleProject() == null) {
            // sees every node: no need to know whose this one is
            return allow(permits(access, caller, new Target(null, null, null)), what);
        }
        String path = req.path();
        Future<Target> target;
        String kind;
        String ident;
        if (rule.child() != null) {
            ident = rule.param(path, "id");
            kind = rule.child().singular();
            target = targets.child(rule.child(), ident);
        } else if (access == Access.ALLOCATION_READ || access == Access.ALLOCATION_MEMBER) {
            ident = rule.param(path, "id");
            kind = SchedulingResources.ALLOCATION.singular();
            target = targets.allocation(ident);
        } else {
            ident = rule.param(path, "node");
            kind = "node";
            target = targets.node(ident);
        }
        return target.compose(t -> {
            if (t == Targets.NONE) {
                return Future.succeededFuture(); // the route answers its own 404 (or 400 for a bad identifier)
            }
            boolean sees = caller.sees(t.owner(), t.lessee())
                    || (t.allocationOwner() != null && t.allocationOwner().equals(caller.visibleProject()));
            if (!sees) {
                return Future.failedFuture(AnvilException.notFound(kind.substring(0, 1)
                                .toUpperCase(Locale.ROOT) + kind.substring(1) + " " + ident + " could not be found."));
            }
            return allow(permits(access, caller, t), what);
        });
    }

    /** The rule's demand once the caller is known to see the resource. */
    private static boolean permits(Access access, Caller caller, Target t) {
        return switch (access) {
            case NODE_READ, CHILD_READ, ALLOCATION_READ -> true;
            case NODE_OWNER_READ -> caller.readsAsOwner(t.owner());
            case NODE_ACT -> caller.actsOn(t.owner());
            case NODE_ADMIN -> caller.admin();
            case ALLOCATION_MEMBER -> caller.actsOnAllocation(t.allocationOwner());
            default -> caller.systemMember();
        };
    }

    private static Future<Void> allow(boolean allowed, String what) {
        return allowed ? Future.succeededFuture() : Future.failedFuture(forbidden(what));
    }

    private static AnvilException forbidden(String what) {
        return new AnvilException(403, "Access was denied to the following resource: " + what);
    }
}
