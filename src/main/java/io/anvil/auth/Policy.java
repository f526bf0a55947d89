package io.anvil.auth;

import io.anvil.store.ResourceDef;
import io.anvil.store.Resources;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who may call what: the one table of the API's access rules, keyed by method and path (docs/security.md#roles). The
 * first rule whose method and path match decides. Ironic's policy defaults (ironic/common/policy.py) made simple:
 * reads of a node go to its owner's and lessee's members and readers, actions to its owner's members, system-wide
 * changes (chassis, templates, ports and other wiring) to admins or system members. The table is checked at start
 * against every route of the router ({@link AuthHandler#bind}), so a new route without a rule stops the start.
 */
public final class Policy {
    /** What a rule asks of the caller, and which resource it is checked against. */
    public enum Access {
        /** No credentials: discovery, health, the machines' iPXE scripts, and the agent's endpoints (agent token). */
        OPEN,
        /** {@code /metrics}: open or admin, per {@code api.metrics_access}. */
        METRICS,
        /** Any authenticated caller; what it lists is filtered to what it may see. */
        AUTHENTICATED,
        SYSTEM_MEMBER,
        ADMIN,
        /** The node must be visible (owner or lessee), else 404. */
        NODE_READ,
        /** Visible, and read by its owner's project only (history, inventory; Ironic's SYSTEM_OR_OWNER_READER). */
        NODE_OWNER_READ,
        /** Visible, and acted on by its owner's members (Ironic's SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN). */
        NODE_ACT,
        /** Visible, and changed by system members only (Ironic's SYSTEM_MEMBER_OR_OWNER_ADMIN). */
        NODE_SYSTEM_MEMBER,
        /** Visible, and changed by admins only (delete, vendor passthru). */
        NODE_ADMIN,
        /** A port, portgroup or volume resource whose node must be visible, else 404. */
        CHILD_READ,
        CHILD_SYSTEM_MEMBER,
        /** An allocation the caller's project owns, or whose node it may see, else 404. */
        ALLOCATION_READ,
        /**
         * Creating an allocation (Ironic's ALLOCATION_CREATOR): system members, and project members, whose allocation
         * is then owned by their project and may only take nodes it owns or leases (checked by the allocation API).
         */
        ALLOCATION_CREATE,
        /** Visible, and changed by system members or the members of the project that owns the allocation. */
        ALLOCATION_MEMBER
    }

    /** One rule: methods (empty: any), a path pattern ({@code :name} one segment, a trailing {@code /**} any rest). */
    public record Rule(Set<HttpMethod> methods, String path, Pattern regex, Access access, ResourceDef child) {
        boolean matches(HttpMethod m, String p) {
            return (methods.isEmpty() || methods.contains(m))
                    && regex.matcher(p).matches();
        }

        /** The value of the path parameter {@code name} in {@code path} (which this rule matches). */
        String param(String p, String name) {
            Matcher matcher = regex.matcher(p);
            return matcher.matches() ? matcher.group(name) : null;
        }
    }

    private static final Set<HttpMethod> ANY = Set.of();
    private static final Set<HttpMethod> GET = Set.of(HttpMethod.GET, HttpMethod.HEAD);

    private final List<Rule> rules = new ArrayList<>();

    public Policy() {
        // open: discovery, health, the booting machines' iPXE scripts, the ramdisk agent (docs/agent.md: agent token)
        add(GET, "/", Access.OPEN);
        add(GET, "/v1", Access.OPEN);
        add(GET, "/v1/", Access.OPEN);
        add(GET, "/healthcheck", Access.OPEN);
        add(GET, "/health/**", Access.OPEN);
        add(GET, "/boot/**", Access.OPEN);
        add(Set.of(HttpMethod.POST), "/v1/heartbeat/:node", Access.OPEN);
        add(GET, "/v1/lookup", Access.OPEN);
        add(Set.of(HttpMethod.POST), "/v1/continue_inspection", Access.OPEN);
        add(GET, "/v1/openapi.json", Access.OPEN); // the API's description: no secret in it
        add(GET, "/dashboard/:file", Access.OPEN); // the dashboard's static files; its data come through the API
        add(GET, "/v1/auth/whoami", Access.AUTHENTICATED); // who the credentials name (docs/dashboard.md)
        add(GET, "/metrics", Access.METRICS);

        // nodes
        add(GET, "/v1/nodes", Access.AUTHENTICATED);
        add(GET, "/v1/nodes/detail", Access.AUTHENTICATED);
        add(Set.of(HttpMethod.POST), "/v1/nodes", Access.ADMIN);
        add(Set.of(HttpMethod.DELETE), "/v1/nodes/:node", Access.NODE_ADMIN);
        add(ANY, "/v1/nodes/:node/vendor_passthru/**", Access.NODE_ADMIN);
        add(GET, "/v1/nodes/:node/states/console", Access.NODE_ACT); // its answer holds console credentials
        add(GET, "/v1/nodes/:node/console", Access.NODE_ACT); // the stream: a viewer may type into the machine
        add(Set.of(HttpMethod.PUT), "/v1/nodes/:node/management/boot_device", Access.NODE_SYSTEM_MEMBER);
        add(Set.of(HttpMethod.PUT), "/v1/nodes/:node/management/inject_nmi", Access.NODE_SYSTEM_MEMBER);
        add(Set.of(HttpMethod.PUT, HttpMethod.DELETE), "/v1/nodes/:node/traits/**", Access.NODE_SYSTEM_MEMBER);
        add(GET, "/v1/nodes/:node/history/**", Access.NODE_OWNER_READ);
        add(GET, "/v1/nodes/:node/inventory", Access.NODE_OWNER_READ);
        add(GET, "/v1/nodes/:node/**", Access.NODE_READ);
        add(ANY, "/v1/nodes/:node/**", Access.NODE_ACT);

        // ports, portgroups, volume connectors and targets: through their node
        children("ports", Resources.PORT);
        children("portgroups", Resources.PORTGROUP);
        children("volume/connectors", Resources.VOLUME_CONNECTOR);
        children("volume/targets", Resources.VOLUME_TARGET);
        add(GET, "/v1/portgroups/:pg/ports/**", Access.AUTHENTICATED);
        add(GET, "/v1/volume", Access.AUTHENTICATED);

        // allocations: their owner, or their node
        add(GET, "/v1/allocations", Access.AUTHENTICATED);
        add(GET, "/v1/allocations/:id", Access.ALLOCATION_READ);
        add(Set.of(HttpMethod.POST), "/v1/allocations", Access.ALLOCATION_CREATE);
        add(Set.of(HttpMethod.PATCH, HttpMethod.DELETE), "/v1/allocations/:id", Access.ALLOCATION_MEMBER);

        // the event feed, filtered to the caller's nodes
        add(GET, "/v1/events", Access.AUTHENTICATED);

        // system-wide resources: anyone authenticated reads, admins change
        add(ANY, "/v1/drivers/:driver/vendor_passthru/**", Access.ADMIN);
        add(GET, "/v1/drivers/**", Access.AUTHENTICATED);
        add(GET, "/v1/conductors/**", Access.AUTHENTICATED);
        add(GET, "/v1/chassis/**", Access.AUTHENTICATED);
        add(ANY, "/v1/chassis/**", Access.ADMIN);
        add(GET, "/v1/deploy_templates/**", Access.AUTHENTICATED);
        add(ANY, "/v1/deploy_templates/**", Access.ADMIN);
    }

    private void children(String path, ResourceDef def) {
        String coll = "/v1/" + path;
        add(GET, coll, Access.AUTHENTICATED);
        add(GET, coll + "/detail", Access.AUTHENTICATED);
        add(GET, coll + "/:id", Access.CHILD_READ, def);
        add(Set.of(HttpMethod.POST), coll, Access.SYSTEM_MEMBER);
        add(Set.of(HttpMethod.PATCH, HttpMethod.DELETE), coll + "/:id", Access.CHILD_SYSTEM_MEMBER, def);
    }

    private void add(Set<HttpMethod> methods, String path, Access access) {
        add(methods, path, access, null);
    }

    private void add(Set<HttpMethod> methods, String path, Access access, ResourceDef child) {
        rules.add(new Rule(methods, path, compile(path), access, child));
    }

    /** The rule deciding this request; null when none does (then only an admin passes, and the router answers). */
    public Rule match(HttpMethod method, String path) {
        for (Rule r : rules) {
            if (r.matches(method, path)) {
                return r;
            }
        }
        return null;
    }

    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    /** A request path a router path stands for: each {@code :param} and {@code *} replaced by a sample segment. */
    public static String sample(String routePath) {
        return routePath.replaceAll(":[A-Za-z0-9_]+", "x").replace("*", "x");
    }

    private static Pattern compile(String path) {
        StringBuilder re = new StringBuilder("^");
        String body = path.endsWith("/**") ? path.substring(0, path.length() - 3) : path;
        for (String seg : body.split("/", -1)) {
            if (seg.isEmpty()) {
                continue;
            }
            re.append('/');
            re.append(seg.startsWith(":") ? "(?<" + seg.substring(1) + ">[^/]+)" : Pattern.quote(seg));
        }
        if (path.endsWith("/**")) {
            re.append("(?:/.*)?");
        } else if (path.endsWith("/")) {
            re.append('/');
        }
        if (re.length() == 1) {
            re.append('/');
        }
        return Pattern.compile(re.append('$').toString());
    }
}
