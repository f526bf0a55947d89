package io.anvil.driver.inspect;

import io.anvil.errors.AnvilException;

/** Ironic's InvalidNodeInventory: the agent's inventory lacks what inspection needs. Fails the inspection. */
public final class InvalidInventory extends AnvilException {
    public InvalidInventory(String nodeUuid, String reason) {
        super(400, "Inventory for node " + nodeUuid + " is invalid: " + reason);
    }
}
