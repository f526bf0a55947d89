/**
 * Ironic's provision state machine and the small rule sets around it, as pure Java with no I/O.
 *
 * <p>Every rule is taken from Ironic's source ({@code openstack/ironic} at {@code 7bc6aba7}); comments name the
 * file and function, short names being under {@code ironic/} ({@code states.py} is {@code ironic/common/states.py},
 * {@code manager.py} is {@code ironic/conductor/manager.py}, {@code node.py} is
 * {@code ironic/api/controllers/v1/node.py}):
 * <ul>
 *   <li>{@link io.anvil.fsm.ProvisionState}: state strings, STABLE/UNSTABLE, STUCK_STATES_TREATED_AS_FAIL,
 *       FAILURE_STATES, UPDATE/DELETE/LOOKUP_ALLOWED_STATES ({@code ironic/common/states.py}),
 *       SYNC_EXCLUDED_STATES ({@code manager.py: _sync_power_states}), the heartbeat record-only set
 *       ({@code ironic/drivers/modules/agent_base.py: HeartbeatMixin.heartbeat}) and each state's default target
 *       ({@code ironic/common/state_machine.py}).</li>
 *   <li>{@link io.anvil.fsm.ProvisionEvent} and {@link io.anvil.fsm.ProvisionStateMachine}: the transition
 *       table ({@code ironic/common/state_machine.py}) and target-state semantics ({@code ironic/common/fsm.py},
 *       {@code ironic/conductor/task_manager.py: TaskManager.process_event}): defaults, overrides (manual
 *       cleaning), keep-target (CLEANWAIT timeout), and "stable with no callback clears the target".</li>
 *   <li>{@link io.anvil.fsm.InvalidStateException}: Ironic's {@code InvalidState} and its message, which
 *       comes from the automaton library ({@code ... (no defined transition)}).</li>
 *   <li>{@link io.anvil.fsm.ApiVerb}, {@link io.anvil.fsm.Microversion}, {@link io.anvil.fsm.ConductorAction},
 *       {@link io.anvil.fsm.ProvisionParameters}: API targets → events, minimum microversions and required
 *       body fields ({@code states.py: VERBS}, {@code node.py: NodeStatesController.provision},
 *       {@code ironic/api/controllers/v1/utils.py}).</li>
 *   <li>{@link io.anvil.fsm.NotificationStatus}, {@link io.anvil.fsm.NotificationLevel}: the
 *       {@code provision_set} start/end/success/error rules ({@code TaskManager._notify_provision_state_change})
 *       and levels ({@code ironic/objects/notification.py}).</li>
 *   <li>{@link io.anvil.fsm.PowerState}: power state strings, API targets, the 1.27 rule for soft actions and
 *       the target power state of each action ({@code ironic/conductor/utils.py: node_power_action}).</li>
 * </ul>
 *
 * <p>Everything here is immutable and safe to share between threads. When to persist a transition (only once
 * the worker really starts, invariant 3 of docs/architecture.md#invariants) is the conductor's business, not this
 * package's.
 */
package io.anvil.fsm;
