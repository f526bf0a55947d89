package io.anvil.fsm;

import static io.anvil.fsm.ProvisionEvent.*;
import static io.anvil.fsm.ProvisionState.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Ironic's provision state machine ({@code ironic/common/state_machine.py}) and its target-state rules
 * ({@code ironic/common/fsm.py}), as a pure, immutable function of (state, target, event). One instance,
 * {@link #ironic()}, is shared by every thread; nothing in it changes after construction.
 *
 * <p>Unlike Ironic's {@code fsm.FSM}, which is a mutable object copied and initialised per task, this class
 * holds no current state: callers pass the node's stored state and target and get a {@link Transition} back.
 */
public final class ProvisionStateMachine {

    /** One row of the transition table: {@code from --event--> to}. */
    public record Edge(ProvisionState from, ProvisionEvent event, ProvisionState to) {
        public Edge {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(to, "to");
        }
    }

    private static final ProvisionStateMachine IRONIC = buildIronic();

    private final Map<ProvisionState, Map<ProvisionEvent, ProvisionState>> table;
    private final List<Edge> edges;

    private ProvisionStateMachine(List<Edge> edges) {
        Map<ProvisionState, Map<ProvisionEvent, ProvisionState>> byState = new EnumMap<>(ProvisionState.class);
        for (ProvisionState state : ProvisionState.values()) {
            byState.put(state, new EnumMap<>(ProvisionEvent.class));
        }
        for (Edge edge : edges) {
            ProvisionState previous = byState.get(edge.from()).put(edge.event(), edge.to());
            if (previous != null) {
                throw new IllegalStateException("Duplicate transition " + edge + " (already to " + previous + ")");
            }
        }
        byState.replaceAll((state, events) -> Collections.unmodifiableMap(events));
        this.table = Collections.unmodifiableMap(byState);
        this.edges = List.copyOf(edges);
    }

    /** The machine Ironic runs ({@code ironic/common/state_machine.py}). */
    public static ProvisionStateMachine ironic() {
        return IRONIC;
    }

    /** Where {@code event} takes a node in {@code state}, or empty if the event is not allowed there. */
    public Optional<ProvisionState> next(ProvisionState state, ProvisionEvent event) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(event, "event");
        return Optional.ofNullable(table.get(state).get(event));
    }

    /** Ironic's {@code is_actionable_event}: whether {@code event} has a transition from {@code state}. */
    public boolean isActionable(ProvisionState state, ProvisionEvent event) {
        return next(state, event).isPresent();
    }

    /** Every event allowed in {@code state}. */
    public Set<ProvisionEvent> actionableEvents(ProvisionState state) {
        Set<ProvisionEvent> events =
                table.get(Objects.requireNonNull(state, "state")).keySet();
        return events.isEmpty()
                ? Collections.unmodifiableSet(EnumSet.noneOf(ProvisionEvent.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(events));
    }

    /** The whole transition table, in declaration order. */
    public List<Edge> edges() {
        return edges;
    }

    /** {@link #apply(ProvisionState, Optional, ProvisionEvent, Optional, boolean, boolean)} with no override. */
    public Transition apply(
            ProvisionState state, Optional<ProvisionState> target, ProvisionEvent event, boolean hasCallback) {
        return apply(state, target, event, NOSTATE, false, hasCallback);
    }

    /**
     * Applies {@code event} to a node, like Ironic's {@code TaskManager.process_event} around
     * {@code fsm.process_event} ({@code ironic/common/fsm.py}, {@code TaskManager.process_event}), and returns the new
     * state and target.
     *
     * <p>Target rules, in order:
     * <ol>
     *   <li>The machine starts from the node's target, or the state's default target if it has none
     *       ({@code fsm.initialize(state, target)}).</li>
     *   <li>After the move, a target that has been reached is cleared, and a new state with a default target
     *       sets it ({@code _post_process_event}).</li>
     *   <li>An override replaces it ({@code process_event(event, target_state=X)}); manual cleaning passes
     *       MANAGEABLE. {@code keepTarget} uses the node's current target as the override, as the CLEANWAIT
     *       timeout does ({@code keep_target_state=True}).</li>
     *   <li>Without a callback, a stable new state gets {@link ProvisionState#NOSTATE}; otherwise the
     *       machine's target is stored. So DEPLOYFAIL keeps {@code active} and CLEANFAIL keeps
     *       {@code available} or {@code manageable}.</li>
     * </ol>
     *
     * @param state          the node's {@code provision_state}
     * @param target         the node's {@code target_provision_state}
     * @param event          the event to apply
     * @param targetOverride a stable target to use instead of the default, or {@link ProvisionState#NOSTATE}
     * @param keepTarget     keep the node's current target (must not be combined with {@code targetOverride})
     * @param hasCallback    whether work is spawned with the event ({@code callback=} in Ironic)
     * @throws InvalidStateException if the event is not allowed in {@code state}, or a target is not stable;
     *                               nothing must then be written
     */
    public Transition apply(
            ProvisionState state,
            Optional<ProvisionState> target,
            ProvisionEvent event,
            Optional<ProvisionState> targetOverride,
            boolean keepTarget,
            boolean hasCallback) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(targetOverride, "targetOverride");
        if (keepTarget && targetOverride.isPresent()) {
            throw new IllegalArgumentException("keepTarget and targetOverride are mutually exclusive");
        }
        requireStableTarget(state, Optional.of(event), target);

        ProvisionState next =
                next(state, event).orElseThrow(() -> InvalidStateException.noTransition(state, event, target));

        Optional<ProvisionState> machineTarget = target.or(state::defaultTarget);
        if (machineTarget.equals(Optional.of(next))) {
            machineTarget = NOSTATE;
        }
        if (next.defaultTarget().isPresent()) {
            machineTarget = next.defaultTarget();
        }

        Optional<ProvisionState> override = keepTarget ? target : targetOverride;
        if (override.isPresent()) {
            requireStableTarget(state, Optional.of(event), override);
            machineTarget = override;
        }

        Optional<ProvisionState> newTarget = !hasCallback && next.isStable() ? NOSTATE : machineTarget;
        return new Transition(state, target, event, next, newTarget);
    }

    private static void requireStableTarget(
            ProvisionState state, Optional<ProvisionEvent> event, Optional<ProvisionState> target) {
        if (target.isPresent() && !target.get().isStable()) {
            throw InvalidStateException.unstableTarget(state, event, target.get());
        }
    }

    /** The transitions of {@code ironic/common/state_machine.py}, one line per event. */
    private static ProvisionStateMachine buildIronic() {
        TableBuilder t = new TableBuilder();
        t.on(DEPLOY).from(AVAILABLE, DEPLOYFAIL).to(DEPLOYING);
        t.on(REBUILD).from(ACTIVE, DEPLOYFAIL, ERROR).to(DEPLOYING);

        t.on(WAIT).from(DEPLOYING).to(DEPLOYWAIT);
        t.on(WAIT).from(CLEANING).to(CLEANWAIT);
        t.on(WAIT).from(INSPECTING).to(INSPECTWAIT);
        t.on(WAIT).from(RESCUING).to(RESCUEWAIT);
        t.on(WAIT).from(SERVICING, SERVICEFAIL).to(SERVICEWAIT);

        t.on(RESUME).from(DEPLOYWAIT).to(DEPLOYING);
        t.on(RESUME).from(CLEANWAIT).to(CLEANING);
        t.on(RESUME).from(INSPECTWAIT).to(INSPECTING);
        t.on(RESUME).from(RESCUEWAIT).to(RESCUING);
        t.on(RESUME).from(SERVICEWAIT).to(SERVICING);

        t.on(HOLD).from(DEPLOYING, DEPLOYWAIT).to(DEPLOYHOLD);
        t.on(HOLD).from(CLEANING, CLEANWAIT).to(CLEANHOLD);
        t.on(HOLD).from(SERVICING, SERVICEWAIT, SERVICEFAIL).to(SERVICEHOLD);

        t.on(UNHOLD).from(DEPLOYHOLD).to(DEPLOYWAIT);
        t.on(UNHOLD).from(CLEANHOLD).to(CLEANWAIT);
        t.on(UNHOLD).from(SERVICEHOLD).to(SERVICEWAIT);

        t.on(DONE).from(DEPLOYING).to(ACTIVE);
        t.on(DONE).from(CLEANING).to(AVAILABLE);
        t.on(DONE).from(VERIFYING).to(MANAGEABLE);
        t.on(DONE).from(INSPECTING, INSPECTWAIT).to(MANAGEABLE);
        t.on(DONE).from(RESCUING).to(ProvisionState.RESCUE);
        t.on(DONE).from(UNRESCUING).to(ACTIVE);
        t.on(DONE).from(ADOPTING).to(ACTIVE);
        t.on(DONE).from(SERVICING).to(ACTIVE);

        // No DEPLOYHOLD --fail-->: a deploy hold leaves only by abort or unhold (state_machine.py).
        t.on(FAIL).from(DEPLOYING, DEPLOYWAIT).to(DEPLOYFAIL);
        t.on(FAIL).from(DELETING).to(ERROR);
        t.on(FAIL).from(CLEANING, CLEANWAIT).to(CLEANFAIL);
        t.on(FAIL).from(INSPECTING, INSPECTWAIT).to(INSPECTFAIL);
        t.on(FAIL).from(RESCUING, RESCUEWAIT).to(RESCUEFAIL);
        t.on(FAIL).from(UNRESCUING).to(UNRESCUEFAIL);
        t.on(FAIL).from(VERIFYING).to(ENROLL);
        t.on(FAIL).from(ADOPTING).to(ADOPTFAIL);
        t.on(FAIL).from(SERVICING, SERVICEWAIT, SERVICEHOLD).to(SERVICEFAIL);

        // DEPLOYWAIT --abort--> is recent; the API allows it only from microversion 1.110 (ApiVerb).
        t.on(ABORT).from(DEPLOYWAIT, DEPLOYHOLD).to(DEPLOYFAIL);
        t.on(ABORT).from(CLEANWAIT, CLEANHOLD).to(CLEANFAIL);
        t.on(ABORT).from(INSPECTWAIT).to(INSPECTFAIL);
        t.on(ABORT).from(RESCUEWAIT).to(RESCUEFAIL);
        t.on(ABORT).from(SERVICEWAIT, SERVICEHOLD).to(SERVICEFAIL);
        t.on(ABORT).from(SERVICEFAIL).to(ACTIVE);

        t.on(DELETE)
                .from(
                        ACTIVE,
                        DEPLOYWAIT,
                        DEPLOYFAIL,
                        ERROR,
                        ProvisionState.RESCUE,
                        RESCUEWAIT,
                        RESCUEFAIL,
                        UNRESCUEFAIL,
                        SERVICEWAIT,
                        SERVICEFAIL)
                .to(DELETING);

        // CLEANFAIL has neither clean nor provide: the operator must manage first (state_machine.py).
        t.on(CLEAN).from(DELETING).to(CLEANING); // internal, after tear-down
        t.on(CLEAN).from(MANAGEABLE).to(CLEANING); // manual cleaning; the caller passes target MANAGEABLE
        t.on(PROVIDE).from(MANAGEABLE).to(CLEANING);

        t.on(MANAGE).from(ENROLL).to(VERIFYING);
        t.on(MANAGE).from(AVAILABLE, CLEANFAIL, INSPECTFAIL, ADOPTFAIL).to(MANAGEABLE);
        t.on(MANAGE).from(CLEANING).to(MANAGEABLE); // end of manual cleaning

        t.on(INSPECT).from(MANAGEABLE, INSPECTFAIL).to(INSPECTING);
        t.on(ADOPT).from(MANAGEABLE, ADOPTFAIL).to(ADOPTING);
        t.on(ProvisionEvent.RESCUE)
                .from(ACTIVE, ProvisionState.RESCUE, RESCUEFAIL, UNRESCUEFAIL, SERVICEFAIL)
                .to(RESCUING);
        t.on(UNRESCUE).from(ProvisionState.RESCUE, RESCUEFAIL, UNRESCUEFAIL).to(UNRESCUING);
        t.on(SERVICE).from(ACTIVE, SERVICEHOLD, SERVICEFAIL).to(SERVICING);
        return new ProvisionStateMachine(t.edges);
    }

    /** Reads like the table: {@code on(event).from(a, b).to(c)}. */
    private static final class TableBuilder {
        private final List<Edge> edges = new ArrayList<>();

        Sources on(ProvisionEvent event) {
            return sources -> destination -> {
                for (ProvisionState source : sources) {
                    edges.add(new Edge(source, event, destination));
                }
            };
        }

        interface Sources {
            Destination from(ProvisionState... sources);
        }

        interface Destination {
            void to(ProvisionState destination);
        }
    }
}
