package io.anvil.auth;

import io.vertx.ext.web.RoutingContext;
import java.util.Collection;
import java.util.Locale;

/**
 * Who is calling, once authenticated: a name (for logs), one role and, for project-scoped callers, a project.
 * Roles are Ironic's simplified (docs/security.md#roles): {@code admin} may do everything; {@code member} acts on the
 * nodes its project owns and reads the ones it owns or leases; {@code reader} reads the same and changes nothing. A
 * member or reader without a project is system-scoped: it sees every node (Ironic's system scope).
 */
public record Caller(String name, Role role, String project) {
    /** The caller of an API without authentication (noauth): Ironic treats it as an administrator. */
    public static final Caller NOAUTH = new Caller("noauth", Role.ADMIN, null);

    static final String KEY = "anvil.caller";

    public enum Role {
        READER,
        MEMBER,
        ADMIN;

        /** The strongest role named in {@code names} (case-insensitive), or null when none is Anvil's. */
        static Role strongest(Collection<String> names) {
            Role best = null;
            for (String n : names) {
                Role r =
                        switch (n.trim().toLowerCase(Locale.ROOT)) {
                            case "admin" -> ADMIN;
                            case "member" -> MEMBER;
                            case "reader" -> READER;
                            default -> null;
                        };
                if (r != null && (best == null || r.ordinal() > best.ordinal())) {
                    best = r;
                }
            }
            return best;
        }
    }

    public Caller {
        project = project == null || project.isBlank() ? null : project;
    }

    /** The caller of this request; {@link #NOAUTH} where no authentication ran (noauth, or a router without it). */
    public static Caller of(RoutingContext ctx) {
        Caller c = ctx.get(KEY);
        return c == null ? NOAUTH : c;
    }

    /**
     * The project whose nodes alone this caller may see, or null when it sees every node (an admin, or a
     * system-scoped member or reader). List queries filter on it.
     */
    public String visibleProject() {
        return role == Role.ADMIN ? null : project;
    }

    /** May see a node with this owner and lessee (Ironic's is_node_owner or is_node_lessee). */
    public boolean sees(String owner, String lessee) {
        String p = visibleProject();
        return p == null || p.equals(owner) || p.equals(lessee);
    }

    /** Reads that Ironic grants the owner only (history, inventory): a lessee sees the node but not these. */
    public boolean readsAsOwner(String owner) {
        String p = visibleProject();
        return p == null || p.equals(owner);
    }

    /** May act on a node with this owner: an admin, a system member, or a member of the owning project. */
    public boolean actsOn(String owner) {
        return role == Role.ADMIN || (role == Role.MEMBER && (project == null || project.equals(owner)));
    }

    /** An admin, or a member without a project (Ironic's system member). */
    public boolean systemMember() {
        return role == Role.ADMIN || (role == Role.MEMBER && project == null);
    }

    /**
     * May create allocations (Ironic's ALLOCATION_CREATOR: system member or any member); a project member's are owned
     * by its project ({@link #allocationProject()}).
     */
    public boolean createsAllocations() {
        return role == Role.ADMIN || role == Role.MEMBER;
    }

    /**
     * The project an allocation this caller creates must belong to, and whose owned or leased nodes alone it may take
     * (Ironic without {@code baremetal:allocation:create_restricted}); null for an admin or a system member.
     */
    public String allocationProject() {
        return systemMember() ? null : project;
    }

    /** May change or delete an allocation owned by {@code owner} (Ironic's ALLOCATION_MEMBER). */
    public boolean actsOnAllocation(String owner) {
        return systemMember() || (role == Role.MEMBER && project != null && project.equals(owner));
    }

    public boolean admin() {
        return role == Role.ADMIN;
    }

    @Override
    public String toString() {
        return name + " (" + role.name().toLowerCase(Locale.ROOT) + (project == null ? "" : ", project " + project)
                + ")";
    }
}
