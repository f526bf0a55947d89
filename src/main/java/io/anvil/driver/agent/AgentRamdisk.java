package io.anvil.driver.agent;

import io.anvil.driver.DriverTask;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;

/**
 * Booting a node into the agent ramdisk and out of it, the same for the direct deploy, cleaning, inspection and
 * rescue (Ironic's prepare_ramdisk + reboot, and the power-off that ends a ramdisk's work). The boot interface serves
 * the right script by the node's state (docs/boot.md), so a PXE boot is all it takes; virtual media (redfish) inserts
 * the agent's ISO instead ({@link io.anvil.driver.BootInterface#prepareRamdisk}).
 */
public final class AgentRamdisk {
    /** How long one power action through the BMC may take. */
    public static final Duration POWER_TIMEOUT = Duration.ofSeconds(60);

    private AgentRamdisk() {}

    /** Power off, boot device PXE (one-time), the previous agent's keys wiped, power on. */
    public static Future<Void> boot(DriverTask task) {
        var power = task.driver().power();
        return power.setPowerState(task, "power off", POWER_TIMEOUT)
                .compose(v -> task.driver().boot() == null
                        ? task.driver().management().setBootDevice(task, "pxe", false)
                        : task.driver().boot().prepareRamdisk(task))
                .compose(v -> {
                    JsonObject wiped =
                            AgentInternalInfo.wipedOnPowerOff(task.node().getJsonObject("driver_internal_info"));
                    return wiped == null
                            ? Future.succeededFuture()
                            : task.save(Map.of("driver_internal_info", wiped)).mapEmpty();
                })
                .compose(v -> power.setPowerState(task, "power on", POWER_TIMEOUT))
                .compose(v -> task.save(Map.of("power_state", "power on")))
                .mapEmpty();
    }

    /**
     * Power off through the BMC: the agent is gone with its URL and token (unless pre-generated) and cached steps;
     * {@code alsoRemove} names further driver_internal_info keys of the operation that ends here.
     */
    public static Future<Void> powerOff(DriverTask task, String... alsoRemove) {
        return task.driver()
                .power()
                .setPowerState(task, "power off", POWER_TIMEOUT)
                .compose(v -> task.driver().boot() == null
                        ? Future.<Void>succeededFuture()
                        : task.driver().boot().cleanUpRamdisk(task))
                .compose(v -> {
                    JsonObject internal = task.node().getJsonObject("driver_internal_info");
                    JsonObject wiped = AgentInternalInfo.wipedOnPowerOff(internal);
                    JsonObject info = (wiped == null ? internal : wiped).copy();
                    for (String key : alsoRemove) {
                        info.remove(key);
                    }
                    return task.save(Map.of("power_state", "power off", "driver_internal_info", info));
                })
                .mapEmpty();
    }
}
