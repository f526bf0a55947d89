package io.anvil.driver;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * What a hardware interface sees of the task it runs under: the node as read under the lock and a fenced save. The
 * driver package owns this narrow view so that drivers never depend on the conductor; the conductor's {@code Task}
 * implements it (Ironic passes its whole TaskManager to drivers; Anvil keeps the contract to what drivers use).
 */
public interface DriverTask {
    /** The node as read under the lock (driver_info, driver_internal_info, power_state, ...). */
    JsonObject node();

    String uuid();

    /** True under a shared lock: the driver may read the hardware but must not {@link #save}. */
    boolean isShared();

    /** Why the task was taken (for logs), e.g. "power state sync". */
    String purpose();

    /** The node's loaded driver, so one interface can call another (a deploy powers the node through power()). */
    Driver driver();

    /**
     * The lock's fencing token (docs/locks.md): a driver that writes rows beside the node's (its BIOS settings) checks
     * it in the same transaction, so a holder whose lease ran out writes nothing.
     */
    long fence();

    /** Fenced update of the node's columns; fails under a shared lock or when the lock was lost. */
    Future<JsonObject> save(Map<String, Object> columns);

    /** The node's ports (the agent is told its NICs, as Ironic passes them to get/execute steps). */
    Future<java.util.List<JsonObject>> ports();

    /** The node's portgroups, by creation (the network interface chooses among them). */
    Future<java.util.List<JsonObject>> portgroups();

    /**
     * Stores a port's or portgroup's {@code internal_info} and {@code extra} (the network interface recording a VIF),
     * fenced like {@link #save}: nothing is written once the node's lock was lost.
     */
    Future<Void> savePortLike(String uuid, boolean portgroup, JsonObject internalInfo, JsonObject extra);

    /** The node's network interface ({@code flat} or {@code noop}). */
    NetworkInterface network();

    /**
     * Creates ports for MAC addresses this node's hardware reported out-of-band (Ironic's create_ports_if_not_exist
     * after a redfish inspection), fenced like {@link #save}; a MAC that already has a port is skipped.
     *
     * @return the MACs that got a new port
     */
    default Future<java.util.List<String>> createPorts(java.util.List<String> macs, boolean pxeEnabled) {
        return Future.failedFuture(new UnsupportedOperationException("this task cannot create ports"));
    }
}
