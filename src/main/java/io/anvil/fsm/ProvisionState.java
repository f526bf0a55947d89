package io.anvil.fsm;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A node's {@code provision_state}, with the exact strings Ironic stores in the database and shows in the API
 * ({@code ironic/common/states.py}).
 *
 * <p>Ironic's "no state" ({@code NOSTATE = None}) is not a constant here: a missing target is
 * {@link #NOSTATE}, an empty {@link Optional}, stored as SQL {@code NULL} / JSON {@code null}.
 *
 * <p>The verbs and aliases that Ironic also defines as strings in {@code states.py} but never stores as
 * {@code provision_state} ({@code deploy}, {@code deploy complete}, {@code deleted}, {@code undeploy},
 * {@code rebuild}, {@code service}) are deliberately absent; {@link #fromValue} rejects them.
 */
public enum ProvisionState {
    // Stable states (states.py).
    ENROLL("enroll"),
    MANAGEABLE("manageable"),
    AVAILABLE("available"),
    ACTIVE("active"),
    /** Stable; only reached when a tear-down fails. */
    ERROR("error"),
    RESCUE("rescue"),

    VERIFYING("verifying"),

    DEPLOYING("deploying"),
    DEPLOYWAIT("wait call-back"),
    DEPLOYHOLD("deploy hold"),
    DEPLOYFAIL("deploy failed"),

    DELETING("deleting"),

    CLEANING("cleaning"),
    CLEANWAIT("clean wait"),
    CLEANHOLD("clean hold"),
    CLEANFAIL("clean failed"),

    INSPECTING("inspecting"),
    INSPECTWAIT("inspect wait"),
    INSPECTFAIL("inspect failed"),

    ADOPTING("adopting"),
    ADOPTFAIL("adopt failed"),

    RESCUING("rescuing"),
    RESCUEWAIT("rescue wait"),
    RESCUEFAIL("rescue failed"),
    UNRESCUING("unrescuing"),
    UNRESCUEFAIL("unrescue failed"),

    SERVICING("servicing"),
    SERVICEWAIT("service wait"),
    SERVICEHOLD("service hold"),
    SERVICEFAIL("service failed");

    /** Ironic's {@code NOSTATE}: "no target". */
    public static final Optional<ProvisionState> NOSTATE = Optional.empty();

    /** {@code STABLE_STATES}: states that change only on request. Only these may be targets (states.py, fsm.py). */
    public static final Set<ProvisionState> STABLE = setOf(ENROLL, MANAGEABLE, AVAILABLE, ACTIVE, ERROR, RESCUE);

    /**
     * {@code UNSTABLE_STATES} (states.py). Drives the provision notification start/end rule
     * (TaskManager._notify_provision_state_change). Note that the *HOLD and *FAIL states are in neither STABLE nor
     * UNSTABLE.
     */
    public static final Set<ProvisionState> UNSTABLE = setOf(
            DEPLOYING,
            DEPLOYWAIT,
            CLEANING,
            CLEANWAIT,
            VERIFYING,
            DELETING,
            INSPECTING,
            INSPECTWAIT,
            ADOPTING,
            RESCUING,
            RESCUEWAIT,
            UNRESCUING,
            SERVICING,
            SERVICEWAIT);

    /**
     * {@code STUCK_STATES_TREATED_AS_FAIL}: given the {@code fail} event on conductor start-up (states.py, manager.py:
     * _correct_stuck_states).
     */
    public static final Set<ProvisionState> STUCK_STATES_TREATED_AS_FAIL =
            setOf(DEPLOYING, CLEANING, VERIFYING, INSPECTING, ADOPTING, RESCUING, UNRESCUING, DELETING, SERVICING);

    /**
     * {@code FAILURE_STATES} (states.py). A power action keeps {@code last_error} in these (utils.py:
     * node_power_action).
     */
    public static final Set<ProvisionState> FAILURE_STATES =
            setOf(DEPLOYFAIL, CLEANFAIL, INSPECTFAIL, RESCUEFAIL, UNRESCUEFAIL, ADOPTFAIL, SERVICEFAIL);

    /**
     * {@code UPDATE_ALLOWED_STATES}: transitional states in which a node may still be updated (states.py).
     * Ironic's tuple also lists {@code SERVICE}, which is the verb {@code 'service'} and never a
     * {@code provision_state}, so that entry can never match and is left out here.
     */
    public static final Set<ProvisionState> UPDATE_ALLOWED_STATES = setOf(
            DEPLOYFAIL,
            INSPECTING,
            INSPECTFAIL,
            INSPECTWAIT,
            CLEANFAIL,
            ERROR,
            VERIFYING,
            ADOPTFAIL,
            RESCUEFAIL,
            UNRESCUEFAIL,
            SERVICEHOLD,
            SERVICEFAIL);

    /**
     * {@code DELETE_ALLOWED_STATES} (states.py). AVAILABLE is added when
     * {@code [conductor]allow_deleting_available_nodes} is set; see {@link #isNodeDeleteAllowed}.
     */
    public static final Set<ProvisionState> DELETE_ALLOWED_STATES = setOf(MANAGEABLE, ENROLL, ADOPTFAIL);

    /**
     * {@code LOOKUP_ALLOWED_STATES}: agent lookup with {@code [api]restrict_lookup=True} (states.py, ramdisk.py:
     * LookupController).
     */
    public static final Set<ProvisionState> LOOKUP_ALLOWED_STATES = setOf(
            DEPLOYING, DEPLOYWAIT, CLEANING, CLEANWAIT, INSPECTING, INSPECTWAIT, RESCUING, RESCUEWAIT, SERVICEWAIT);

    /** {@code FASTTRACK_LOOKUP_ALLOWED_STATES}: {@link #LOOKUP_ALLOWED_STATES} plus the fast-track ones (states.py). */
    public static final Set<ProvisionState> FASTTRACK_LOOKUP_ALLOWED_STATES =
            union(LOOKUP_ALLOWED_STATES, setOf(ENROLL, MANAGEABLE, AVAILABLE, SERVICING, SERVICEHOLD));

    /** {@code SYNC_EXCLUDED_STATES}: skipped by the power-state sync periodic (manager.py: _sync_power_states). */
    public static final Set<ProvisionState> SYNC_EXCLUDED_STATES = setOf(DEPLOYWAIT, CLEANWAIT, ENROLL, ADOPTFAIL);

    /**
     * {@code _HEARTBEAT_RECORD_ONLY}: a heartbeat in these states records agent liveness and does nothing
     * else (agent_base.py: HeartbeatMixin.heartbeat).
     */
    public static final Set<ProvisionState> HEARTBEAT_RECORD_ONLY = setOf(
            ENROLL,
            MANAGEABLE,
            AVAILABLE,
            CLEANING,
            DEPLOYING,
            RESCUING,
            DEPLOYHOLD,
            CLEANHOLD,
            SERVICING,
            SERVICEHOLD);

    /** Default target of each non-stable state ({@code add_state(..., target=X)} in Ironic). */
    private static final Map<ProvisionState, ProvisionState> DEFAULT_TARGETS = defaultTargets();

    private final String value;

    ProvisionState(String value) {
        this.value = value;
    }

    /** The string Ironic stores and shows, e.g. {@code "wait call-back"}. */
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }

    /**
     * The state whose {@link #value()} is {@code value}.
     *
     * @throws IllegalArgumentException for {@code null} or an unknown string (including verbs such as
     *                                  {@code "deleted"} that are never a provision state)
     */
    public static ProvisionState fromValue(String value) {
        return lookup(value).orElseThrow(() -> new IllegalArgumentException("Unknown provision state: " + value));
    }

    /** Like {@link #fromValue} but empty for {@code null} or an unknown string. */
    public static Optional<ProvisionState> lookup(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (ProvisionState state : values()) {
            if (state.value.equals(value)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }

    /**
     * Reads a stored {@code target_provision_state}: {@code null} is {@link #NOSTATE}.
     *
     * @throws IllegalArgumentException for an unknown non-null string
     */
    public static Optional<ProvisionState> targetFromValue(String valueOrNull) {
        return valueOrNull == null ? NOSTATE : Optional.of(fromValue(valueOrNull));
    }

    /** The string to store for a target: {@code null} for {@link #NOSTATE}. */
    public static String targetValue(Optional<ProvisionState> target) {
        return target.map(ProvisionState::value).orElse(null);
    }

    public boolean isStable() {
        return STABLE.contains(this);
    }

    public boolean isUnstable() {
        return UNSTABLE.contains(this);
    }

    public boolean isFailure() {
        return FAILURE_STATES.contains(this);
    }

    /**
     * The target a node in this state heads for by default (states.py, fsm.py); always a stable state. Empty for
     * stable states. CLEANING/CLEANWAIT/CLEANHOLD/CLEANFAIL default to AVAILABLE; manual cleaning overrides it
     * with MANAGEABLE.
     */
    public Optional<ProvisionState> defaultTarget() {
        return Optional.ofNullable(DEFAULT_TARGETS.get(this));
    }

    /**
     * Whether {@code DELETE /v1/nodes/{id}} is allowed in this state (states.py, node.py: NodeStatesController): in
     * {@link #DELETE_ALLOWED_STATES}, in AVAILABLE when {@code allowDeletingAvailableNodes} (Ironic's default
     * is {@code true}), or in any state when the node is in maintenance. Protection and instance association are
     * checked elsewhere.
     */
    public boolean isNodeDeleteAllowed(boolean allowDeletingAvailableNodes, boolean maintenance) {
        return maintenance
                || DELETE_ALLOWED_STATES.contains(this)
                || (this == AVAILABLE && allowDeletingAvailableNodes);
    }

    private static Map<ProvisionState, ProvisionState> defaultTargets() {
        Map<ProvisionState, ProvisionState> targets = new EnumMap<>(ProvisionState.class);
        targets.put(VERIFYING, MANAGEABLE);
        for (ProvisionState s : setOf(DEPLOYING, DEPLOYWAIT, DEPLOYHOLD, DEPLOYFAIL)) {
            targets.put(s, ACTIVE);
        }
        targets.put(DELETING, AVAILABLE);
        for (ProvisionState s : setOf(CLEANING, CLEANWAIT, CLEANHOLD, CLEANFAIL)) {
            targets.put(s, AVAILABLE);
        }
        for (ProvisionState s : setOf(INSPECTING, INSPECTWAIT, INSPECTFAIL)) {
            targets.put(s, MANAGEABLE);
        }
        targets.put(ADOPTING, ACTIVE);
        targets.put(ADOPTFAIL, ACTIVE);
        for (ProvisionState s : setOf(RESCUING, RESCUEWAIT, RESCUEFAIL)) {
            targets.put(s, RESCUE);
        }
        targets.put(UNRESCUING, ACTIVE);
        targets.put(UNRESCUEFAIL, ACTIVE);
        for (ProvisionState s : setOf(SERVICING, SERVICEWAIT, SERVICEHOLD, SERVICEFAIL)) {
            targets.put(s, ACTIVE);
        }
        return Collections.unmodifiableMap(targets);
    }

    private static Set<ProvisionState> setOf(ProvisionState first, ProvisionState... rest) {
        return Collections.unmodifiableSet(EnumSet.of(first, rest));
    }

    private static Set<ProvisionState> union(Set<ProvisionState> a, Set<ProvisionState> b) {
        EnumSet<ProvisionState> all = EnumSet.copyOf(a);
        all.addAll(b);
        return Collections.unmodifiableSet(all);
    }
}
