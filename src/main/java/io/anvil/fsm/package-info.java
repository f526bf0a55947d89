/**
 * Ironic's provision state machine and the small rule sets around it, as pure Java with no I/O.
 *
 * <p>Every rule is taken from {@code /work/shared/research/ironic.md} (a summary of
 * {@code openstack/ironic} at {@code 7bc6aba7}); the section is cited next to the code:
 * <ul>
 *   <li>{@link io.anvil.fsm.ProvisionState}: state strings, STABLE/UNSTABLE, STUCK_STATES_TREATED_AS_FAIL,
 *       FAILURE_STATES, UPDATE/DELETE/LOOKUP_ALLOWED_STATES (§1.1), SYNC_EXCLUDED_STATES (§4.3), the heartbeat
 *       record-only set (§5.2) and each state's default target (§1.1, {@code state_machine.py}).</li>
 *   <li>{@link io.anvil.fsm.ProvisionEvent} and {@link io.anvil.fsm.ProvisionStateMachine}: the transition
 *       table (§1.2) and target-state semantics (§1.3, §2.6): defaults, overrides (manual cleaning),
 *       keep-target (CLEANWAIT timeout), and "stable with no callback clears the target".</li>
 *   <li>{@link io.anvil.fsm.InvalidStateException}: Ironic's {@code InvalidState} and its message, which
 *       comes from the automaton library ({@code ... (no defined transition)}).</li>
 *   <li>{@link io.anvil.fsm.ApiVerb}, {@link io.anvil.fsm.Microversion}, {@link io.anvil.fsm.ConductorAction},
 *       {@link io.anvil.fsm.ProvisionParameters}: API targets → events, minimum microversions and required
 *       body fields (§1.1 {@code VERBS}, §7). Abort from INSPECTWAIT needing 1.41 is from Ironic's
 *       {@code node.py}, not ironic.md.</li>
 *   <li>{@link io.anvil.fsm.NotificationStatus}, {@link io.anvil.fsm.NotificationLevel}: the
 *       {@code provision_set} start/end/success/error rules (§3.1) and levels (§3).</li>
 *   <li>{@link io.anvil.fsm.PowerState}: power state strings, API targets, the 1.27 rule for soft actions and
 *       the target power state of each action (§6.1).</li>
 * </ul>
 *
 * <p>Everything here is immutable and safe to share between threads. When to persist a transition (only once
 * the worker really starts, DESIGN.md invariant 3) is the conductor's business, not this package's.
 */
package io.anvil.fsm;
