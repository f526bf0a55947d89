package io.anvil.driver;

import io.vertx.core.Future;

/**
 * Ironic's BIOS interface. Its work is clean and deploy steps (apply_configuration, factory_reset, ...) declared on the
 * implementation with {@code @CleanStep}; the settings it reads back live in the node's bios_settings rows, which
 * {@code GET /v1/nodes/{id}/bios} shows (docs/api.md#bios).
 */
public interface BiosInterface {
    /** Ironic's bios.validate: what the interface needs from the node is there. */
    default Future<Void> validate(DriverTask task) {
        return Future.succeededFuture();
    }
}
