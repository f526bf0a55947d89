package io.anvil.driver;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A node's network interface (Ironic's {@code NetworkInterface} in ironic/drivers/base.py): which virtual network
 * interfaces (VIFs) the node's ports carry. Anvil talks to no network service, so attaching a VIF only records it
 * on a port or portgroup, as Ironic's {@code flat} interface does once Neutron is out of the picture; {@code noop}
 * records nothing. Called under the node's lock: exclusive to attach and detach, shared to list.
 */
public interface NetworkInterface {
    /** The key in a port's or portgroup's {@code internal_info} naming the tenant VIF it carries. */
    String TENANT_VIF_KEY = "tenant_vif_port_id";

    /** Every attached VIF as {@code {"id": vif}}: ports first, then portgroups (Ironic's vif_list). */
    Future<List<JsonObject>> vifList(DriverTask task);

    /**
     * Attaches {@code vifInfo.id} to a free port or portgroup ({@code vifInfo} may name one with {@code port_uuid}
     * or {@code portgroup_uuid}). Fails with 409 VifAlreadyAttached or 400 NoFreePhysicalPorts.
     */
    Future<Void> vifAttach(DriverTask task, JsonObject vifInfo);

    /** Detaches {@code vifId}; 400 VifNotAttached when no port or portgroup of the node carries it. */
    Future<Void> vifDetach(DriverTask task, String vifId);

    /** The deploy step {@code switch_to_tenant_network}'s work (Ironic's configure_tenant_networks). */
    default Future<Void> configureTenantNetworks(DriverTask task) {
        return Future.succeededFuture();
    }
}
