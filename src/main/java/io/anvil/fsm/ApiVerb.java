package io.anvil.fsm;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code target} strings of {@code PUT /v1/nodes/{id}/states/provision}: the event each one sends, the
 * microversion it needs, the conductor action behind it and the body fields it requires (Ironic's
 * {@code ironic/common/states.py: VERBS} and
 * {@code ironic/api/controllers/v1/node.py: NodeStatesController.provision}).
 *
 * <p>A request whose version is too old for the verb gets 406; see {@link #isAllowedAt}.
 */
public enum ApiVerb {
    ACTIVE("active", ProvisionEvent.DEPLOY, 1, ConductorAction.DO_NODE_DEPLOY),
    /** Alias of {@code active} (node.py: NodeStatesController: 1.73). */
    DEPLOY("deploy", ProvisionEvent.DEPLOY, 73, ConductorAction.DO_NODE_DEPLOY),
    /** Not in Ironic's {@code VERBS}: accepted as a target and sent as the event of the same name (states.py). */
    REBUILD("rebuild", ProvisionEvent.REBUILD, 1, ConductorAction.DO_NODE_DEPLOY),
    DELETED("deleted", ProvisionEvent.DELETE, 1, ConductorAction.DO_NODE_TEAR_DOWN),
    /** Alias of {@code deleted} (node.py: NodeStatesController: 1.73). */
    UNDEPLOY("undeploy", ProvisionEvent.DELETE, 73, ConductorAction.DO_NODE_TEAR_DOWN),
    MANAGE("manage", ProvisionEvent.MANAGE, 4, ConductorAction.DO_PROVISIONING_ACTION),
    PROVIDE("provide", ProvisionEvent.PROVIDE, 4, ConductorAction.DO_PROVISIONING_ACTION),
    INSPECT("inspect", ProvisionEvent.INSPECT, 6, ConductorAction.INSPECT_HARDWARE),
    ABORT("abort", ProvisionEvent.ABORT, 13, ConductorAction.DO_PROVISIONING_ACTION),
    CLEAN("clean", ProvisionEvent.CLEAN, 15, ConductorAction.DO_NODE_CLEAN),
    ADOPT("adopt", ProvisionEvent.ADOPT, 17, ConductorAction.DO_PROVISIONING_ACTION),
    RESCUE("rescue", ProvisionEvent.RESCUE, 38, ConductorAction.DO_NODE_RESCUE),
    UNRESCUE("unrescue", ProvisionEvent.UNRESCUE, 38, ConductorAction.DO_NODE_UNRESCUE),
    UNHOLD("unhold", ProvisionEvent.UNHOLD, 85, ConductorAction.DO_PROVISIONING_ACTION),
    SERVICE("service", ProvisionEvent.SERVICE, 87, ConductorAction.DO_NODE_SERVICE);

    /**
     * {@code abort} from DEPLOYWAIT ({@code MINOR_110_DEPLOYWAIT_ABORT}, {@code ironic/api/controllers/v1/utils.py}).
     */
    public static final Microversion DEPLOYWAIT_ABORT_MIN_VERSION = Microversion.of(110);

    /**
     * {@code abort} from INSPECTWAIT ({@code MINOR_41_INSPECTION_ABORT}). Taken from Ironic's
     * {@code NodeStatesController.provision}, which answers 406 below it.
     */
    public static final Microversion INSPECTWAIT_ABORT_MIN_VERSION = Microversion.of(41);

    private final String target;
    private final ProvisionEvent event;
    private final Microversion minimumVersion;
    private final ConductorAction conductorAction;

    ApiVerb(String target, ProvisionEvent event, int minimumMinor, ConductorAction conductorAction) {
        this.target = target;
        this.event = event;
        this.minimumVersion = Microversion.of(minimumMinor);
        this.conductorAction = conductorAction;
    }

    /** The API {@code target} string. */
    public String target() {
        return target;
    }

    /** The state-machine event the verb sends ({@code VERBS.get(target, target)}). */
    public ProvisionEvent event() {
        return event;
    }

    public ConductorAction conductorAction() {
        return conductorAction;
    }

    /** The lowest microversion that accepts this verb in any state. */
    public Microversion minimumVersion() {
        return minimumVersion;
    }

    /**
     * The lowest microversion that accepts this verb for a node in {@code current}: {@link #minimumVersion()},
     * raised for {@code abort} from DEPLOYWAIT (1.110) and from INSPECTWAIT (1.41).
     */
    public Microversion minimumVersion(ProvisionState current) {
        Objects.requireNonNull(current, "current");
        if (this == ABORT && current == ProvisionState.DEPLOYWAIT) {
            return DEPLOYWAIT_ABORT_MIN_VERSION;
        }
        if (this == ABORT && current == ProvisionState.INSPECTWAIT) {
            return INSPECTWAIT_ABORT_MIN_VERSION;
        }
        return minimumVersion;
    }

    /** Whether a request at {@code requested} may use this verb on a node in {@code current} (else 406). */
    public boolean isAllowedAt(Microversion requested, ProvisionState current) {
        return requested.isAtLeast(minimumVersion(current));
    }

    /**
     * Whether the verb is refused (400 {@code NodeInMaintenance}) for a node in maintenance (node.py:
     * NodeStatesController: {@code active} and {@code rebuild}; the {@code deploy} alias is treated like
     * {@code active}, inferred).
     */
    public boolean isRefusedInMaintenance() {
        return this == ACTIVE || this == DEPLOY || this == REBUILD;
    }

    /** The verb whose target string is {@code target}, or empty (an unknown target is a 400). */
    public static Optional<ApiVerb> fromTarget(String target) {
        for (ApiVerb verb : values()) {
            if (verb.target.equals(target)) {
                return Optional.of(verb);
            }
        }
        return Optional.empty();
    }

    /**
     * Checks the body fields tied to verbs (node.py: NodeStatesController), in Ironic's order: first fields that only
     * one verb accepts, then the field this verb requires. Returns the 400 message, or empty when the body is
     * acceptable.
     * <ul>
     *   <li>{@code clean} needs a non-empty {@code clean_steps}, and only {@code clean} takes it;</li>
     *   <li>{@code service} needs a non-empty {@code service_steps}, and only {@code service} takes it;</li>
     *   <li>{@code rescue} needs a non-blank {@code rescue_password}, and only {@code rescue} takes it.</li>
     * </ul>
     * The {@code service_steps} wording follows the {@code clean_steps} one (inferred).
     */
    public Optional<String> checkParameters(ProvisionParameters parameters) {
        Objects.requireNonNull(parameters, "parameters");
        if (parameters.hasCleanSteps() && this != CLEAN) {
            return Optional.of(onlyValidWith("clean_steps", CLEAN));
        }
        if (parameters.hasServiceSteps() && this != SERVICE) {
            return Optional.of(onlyValidWith("service_steps", SERVICE));
        }
        if (parameters.rescuePassword() != null && this != RESCUE) {
            return Optional.of(onlyValidWith("rescue_password", RESCUE));
        }
        if (this == CLEAN && !parameters.hasCleanSteps()) {
            return Optional.of(requiredFor("clean_steps", CLEAN));
        }
        if (this == SERVICE && !parameters.hasServiceSteps()) {
            return Optional.of(requiredFor("service_steps", SERVICE));
        }
        if (this == RESCUE && !parameters.hasUsableRescuePassword()) {
            return Optional.of("A non-empty \"rescue_password\" is required when setting target provision state to "
                    + RESCUE.target);
        }
        return Optional.empty();
    }

    private static String onlyValidWith(String field, ApiVerb verb) {
        return "\"" + field + "\" is only valid when setting target provision state to " + verb.target;
    }

    private static String requiredFor(String field, ApiVerb verb) {
        return "\"" + field + "\" is required when setting target provision state to " + verb.target;
    }

    @Override
    public String toString() {
        return target;
    }
}
