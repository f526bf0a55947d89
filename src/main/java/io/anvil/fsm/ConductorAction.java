package io.anvil.fsm;

/**
 * The conductor operation behind each provision verb ({@code PUT /v1/nodes/{id}/states/provision},
 * Ironic's {@code NodeStatesController.provision}), named after Ironic's RPC methods
 * ({@code ironic/conductor/rpcapi.py: ConductorAPI}).
 */
public enum ConductorAction {
    /** {@code do_node_deploy}: {@code active}, {@code deploy}, {@code rebuild}. */
    DO_NODE_DEPLOY,
    /** {@code do_node_tear_down}: {@code deleted}, {@code undeploy}. */
    DO_NODE_TEAR_DOWN,
    /** {@code inspect_hardware}. */
    INSPECT_HARDWARE,
    /** {@code do_node_clean} (manual cleaning). */
    DO_NODE_CLEAN,
    /** {@code do_node_service}. */
    DO_NODE_SERVICE,
    /** {@code do_node_rescue}. */
    DO_NODE_RESCUE,
    /** {@code do_node_unrescue}. */
    DO_NODE_UNRESCUE,
    /** {@code do_provisioning_action}: manage, provide, abort, adopt, unhold. */
    DO_PROVISIONING_ACTION
}
