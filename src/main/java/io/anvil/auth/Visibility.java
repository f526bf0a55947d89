package io.anvil.auth;

import io.anvil.store.ListQuery;
import io.anvil.store.Resources;
import io.vertx.ext.web.RoutingContext;

/**
 * List filters for a project-scoped caller (docs/security.md#roles): it lists the nodes its project owns or leases,
 * the ports, portgroups and volume resources of those nodes, and the allocations its project owns or that sit on
 * those nodes. Callers that see every node get no filter. Conditions are on the list query's alias {@code t}.
 */
public final class Visibility {
    private Visibility() {}

    /** Rows of the nodes table. */
    public static void nodes(RoutingContext ctx, ListQuery q) {
        String project = Caller.of(ctx).visibleProject();
        if (project != null) {
            q.where(ownedOrLeased(q.param(project), "t."));
        }
    }

    /** Rows with a {@code node_id}: ports, portgroups, volume connectors and targets. */
    public static void children(RoutingContext ctx, ListQuery q) {
        String project = Caller.of(ctx).visibleProject();
        if (project != null) {
            q.where("t.node_id IN (" + nodeIds(q.param(project)) + ")");
        }
    }

    /** Allocations: the project's own, and those on its nodes. */
    public static void allocations(RoutingContext ctx, ListQuery q) {
        String project = Caller.of(ctx).visibleProject();
        if (project != null) {
            String p = q.param(project);
            q.where("(t.owner = " + p + " OR t.node_id IN (" + nodeIds(p) + "))");
        }
    }

    /** The condition "owned or leased by the project {@code param}" over node columns prefixed by {@code alias}. */
    public static String ownedOrLeased(String param, String alias) {
        return "(" + alias + "owner = " + param + " OR " + alias + "lessee = " + param + ")";
    }

    private static String nodeIds(String param) {
        return "SELECT id FROM " + Resources.NODE.table() + " WHERE " + ownedOrLeased(param, "");
    }
}
