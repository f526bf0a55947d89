package io.anvil.driver.inspect;

import io.anvil.driver.BootInterface;
import io.anvil.driver.DriverTask;
import io.anvil.driver.InspectInterface;
import io.anvil.driver.StepOutcome;
import io.anvil.driver.agent.AgentInternalInfo;
import io.anvil.driver.agent.AgentRamdisk;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's {@code agent} inspect interface (ironic/drivers/modules/inspector/agent.py, interface.py; docs/agent.md):
 * in-band inspection by the ramdisk agent.
 *
 * <ol>
 *   <li>{@link #inspect}: remember the BMC addresses for the lookup, wipe the old agent's keys, power off, boot
 *       device PXE (one-time), power on → "inspect wait". The node's iPXE script in the inspection states carries
 *       {@code ipa-inspection-callback-url} (see {@code IpxeBoot}), so the agent posts its inventory to
 *       {@code POST /v1/continue_inspection}.</li>
 *   <li>{@link #processInventory}: the inventory becomes properties and ports ({@link InventoryProcessing}).</li>
 *   <li>{@link #finishInspection} and {@link #abort}: forget the lookup addresses and power the node off.</li>
 * </ol>
 *
 * Anvil renders boot scripts from the node's state, so there is no ramdisk configuration to prepare or clean up
 * (Ironic's managed boot); with no port (or a boot interface that boots nothing) the node is booted from the network
 * as it is (Ironic's unmanaged inspection) and found by its BMC address when it reports.
 */
public final class AgentInspect implements InspectInterface {
    private static final Logger LOG = LoggerFactory.getLogger(AgentInspect.class);

    /** Ironic's inspect_utils.LOOKUP_CACHE_FIELD: the BMC addresses an inspecting node is looked up by. */
    public static final String LOOKUP_BMC_ADDRESSES = "lookup_bmc_addresses";
    /** Ironic's _IRONIC_MANAGES_BOOT: whether the boot interface's script boots this node's ramdisk. */
    static final String MANAGES_BOOT = "inspector_manage_boot";

    private final Function<JsonObject, BootInterface> bootOf;
    private final InspectionSettings settings;

    /** @param bootOf the node's boot interface, or null when it boots nothing over the network ({@code fake}) */
    public AgentInspect(Function<JsonObject, BootInterface> bootOf, InspectionSettings settings) {
        this.bootOf = bootOf;
        this.settings = settings;
    }

    @Override
    public Future<StepOutcome> inspect(DriverTask task) {
        JsonObject node = task.node();
        BootInterface boot = bootOf.apply(node);
        return task.ports().compose(ports -> {
            // Ironic's ironic_manages_boot: a boot interface that cannot boot this node (no port to serve a script
            // for) falls back to unmanaged inspection; anything else it is missing (the ramdisk images) is an error
            boolean managed = boot != null && !ports.isEmpty();
            if (managed) {
                boot.validate(node, ports);
            }
            JsonObject internal = internal(node);
            JsonObject wiped = AgentInternalInfo.wipedOnPowerOff(internal);
            JsonObject info = (wiped == null ? internal : wiped).copy();
            info.put(MANAGES_BOOT, managed);
            Set<String> addresses = bmcAddresses(node.getJsonObject("driver_info"));
            if (addresses.isEmpty()) {
                info.remove(LOOKUP_BMC_ADDRESSES);
            } else {
                info.put(LOOKUP_BMC_ADDRESSES, new JsonArray(List.copyOf(addresses)));
            }
            LOG.debug(
                    "Starting inspection of node {}; booting is {}managed, lookup BMC addresses {}",
                    task.uuid(),
                    managed ? "" : "un",
                    addresses);
            // a new inspection has not finished (Ironic clears inspection_finished_at on entering "inspecting")
            Map<String, Object> cols = new HashMap<>();
            cols.put("driver_internal_info", info);
            cols.put("inspection_finished_at", null);
            return task.save(cols).compose(v -> AgentRamdisk.boot(task)).map(StepOutcome.WAIT);
        });
    }

    @Override
    public Future<InventoryProcessing.Result> processInventory(
            DriverTask task, JsonObject inventory, JsonObject pluginData) {
        // Ironic's ramdisk-error hook: an agent that failed to collect says so in "error" (IPA's AccumulatedFailures)
        Object error = pluginData == null ? null : pluginData.getValue("error");
        if (error != null && !(error instanceof String s && s.isEmpty()) && !Boolean.FALSE.equals(error)) {
            return Future.failedFuture(
                    new IllegalStateException("Failed to inspect hardware. Reason: Ramdisk reported error: " + error));
        }
        return task.ports()
                .map(ports -> InventoryProcessing.process(task.node(), inventory, pluginData, ports, settings));
    }

    @Override
    public Future<Void> finishInspection(DriverTask task) {
        return tearDown(task);
    }

    @Override
    public Future<Void> abort(DriverTask task) {
        return tearDown(task);
    }

    /**
     * Ironic's tear_down_managed_boot with always_power_off: the ramdisk is done (or no longer wanted), so the node
     * goes off and its agent's keys with it; Anvil has no fast track, so it always powers off.
     */
    private Future<Void> tearDown(DriverTask task) {
        return AgentRamdisk.powerOff(task, MANAGES_BOOT, LOOKUP_BMC_ADDRESSES);
    }

    /**
     * Ironic's _get_bmc_addresses: every {@code *_address} in driver_info, a URL reduced to its host, IPv6 brackets
     * stripped. Unlike Ironic, hostnames are not resolved (no blocking DNS on the conductor) and loopback addresses
     * are kept, so simulated BMCs on 127.0.0.1 can be found; several nodes sharing an address make the lookup
     * ambiguous, which answers 404 (see docs/agent.md).
     */
    static Set<String> bmcAddresses(JsonObject driverInfo) {
        Set<String> out = new LinkedHashSet<>();
        if (driverInfo == null) {
            return out;
        }
        for (String key : driverInfo.fieldNames()) {
            if (!key.endsWith("_address") || !(driverInfo.getValue(key) instanceof String raw)) {
                continue;
            }
            String address = raw.trim();
            if (address.contains("//")) {
                try {
                    address = URI.create(address).getHost();
                } catch (IllegalArgumentException e) {
                    continue;
                }
            }
            if (address == null) {
                continue;
            }
            address = address.replace("[", "").replace("]", "");
            if (!address.isEmpty()) {
                out.add(address);
            }
        }
        return out;
    }

    private static JsonObject internal(JsonObject node) {
        JsonObject o = node.getJsonObject("driver_internal_info");
        return o == null ? new JsonObject() : o;
    }
}
