package io.anvil.conductor;

import io.anvil.errors.AnvilException;
import io.anvil.fsm.PowerState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ironic's change_node_power_state and node_power_action, and the boot-device calls of the management
 * interface. The target power state is recorded only once a worker slot is granted (nothing is written on 503);
 * power_set start/end/error notifications follow Ironic's {@code ironic/conductor/utils.py: node_power_action}
 * (docs/architecture.md#ironic-scenarios, scenario 11).
 */
public final class PowerActions {
    /** Ironic's power_state_change_timeout default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Ironic's soft_power_off_timeout default. */
    public static final Duration SOFT_TIMEOUT = Duration.ofSeconds(600);

    private final TaskManager tasks;

    public PowerActions(TaskManager tasks) {
        this.tasks = tasks;
    }

    /** Completes when the action started (target recorded); the API answers 202. */
    public Future<Void> changePowerState(String ident, PowerState target, Integer timeoutSeconds) {
        Duration timeout = timeoutSeconds != null
                ? Duration.ofSeconds(timeoutSeconds)
                : target.isSoft() ? SOFT_TIMEOUT : DEFAULT_TIMEOUT;
        return tasks.withTask(
                ident,
                TaskOptions.exclusive("changing node power state"),
                task -> task.driver().power().validate(task).map(v -> {
                    task.spawnAfter(
                            "node_power_action",
                            t -> t.saveWithEvent(
                                            Map.of(
                                                    "target_power_state",
                                                    target.targetPowerState().value()),
                                            "baremetal.node.power_set.start",
                                            "info",
                                            toPower(target))
                                    .mapEmpty(),
                            t -> powerAction(t, target, timeout));
                    return (Void) null;
                }));
    }

    /**
     * Ironic's node_power_action for a caller that already holds the node exclusively (power sync, timeout
     * clean-ups): records the target with power_set.start, then acts as {@link #changePowerState}'s worker does.
     */
    public Future<Void> nodePowerAction(Task task, PowerState target, Duration timeout) {
        return task.saveWithEvent(
                        Map.of("target_power_state", target.targetPowerState().value()),
                        "baremetal.node.power_set.start",
                        "info",
                        toPower(target))
                .compose(x -> powerAction(task, target, timeout));
    }

    private static JsonObject toPower(PowerState target) {
        return new JsonObject().put("to_power", target.value());
    }

    /** node_power_action: skip when already there, else act; record the outcome with its notification. */
    private Future<Void> powerAction(Task task, PowerState target, Duration timeout) {
        var power = task.driver().power();
        PowerState reached = target.targetPowerState();
        boolean skippable =
                target == PowerState.POWER_ON || target == PowerState.POWER_OFF || target == PowerState.SOFT_POWER_OFF;
        Future<Boolean> alreadyThere = skippable
                ? power.getPowerState(task).map(actual -> reached.value().equals(actual))
                : Future.succeededFuture(false);
        return wipeAgentOnPowerOff(task, target)
                .compose(w -> alreadyThere)
                .compose(skip -> skip
                        ? Future.succeededFuture()
                        : switch (target) {
                            case REBOOT -> power.reboot(task, false, timeout);
                            case SOFT_REBOOT -> power.reboot(task, true, timeout);
                            default -> power.setPowerState(task, target.value(), timeout);
                        })
                .compose(v -> {
                    Map<String, Object> cols = new HashMap<>();
                    cols.put("power_state", reached.value());
                    cols.put("target_power_state", null);
                    cols.put("last_error", null);
                    return task.saveWithEvent(cols, "baremetal.node.power_set.end", "info", toPower(target))
                            .<Void>mapEmpty();
                })
                .recover(e -> {
                    Map<String, Object> cols = new HashMap<>();
                    cols.put("target_power_state", null);
                    cols.put(
                            "last_error",
                            "Failed to change power state to '" + reached.value() + "' by '" + target.value() + "': "
                                    + Provisioning.message(e));
                    return task.saveWithEvent(cols, "baremetal.node.power_set.error", "error", toPower(target))
                            .compose(x -> Future.failedFuture(e));
                });
    }

    /**
     * Ironic's wipe_internal_info_on_power_off, done before the action as Ironic does (also when the node is already
     * off): the agent of a node that powers off or reboots is gone, so its URL and token (unless pre-generated) are
     * too; a new agent looks up again. No write when there is nothing to wipe.
     */
    private static Future<Void> wipeAgentOnPowerOff(Task task, PowerState target) {
        if (target != PowerState.POWER_OFF
                && target != PowerState.SOFT_POWER_OFF
                && target != PowerState.REBOOT
                && target != PowerState.SOFT_REBOOT) {
            return Future.succeededFuture();
        }
        JsonObject wiped = io.anvil.driver.agent.AgentInternalInfo.wipedOnPowerOff(
                task.node().getJsonObject("driver_internal_info"));
        return wiped == null
                ? Future.succeededFuture()
                : task.save(Map.of("driver_internal_info", wiped)).mapEmpty();
    }

    /** Synchronous, under the exclusive lock (Ironic's set_boot_device RPC call). */
    public Future<Void> setBootDevice(String ident, String device, boolean persistent) {
        return tasks.withTask(ident, TaskOptions.exclusive("setting boot device"), task -> {
            var mgmt = task.driver().management();
            List<String> supported = mgmt.supportedBootDevices(task);
            if (!supported.contains(device)) {
                return Future.failedFuture(AnvilException.invalid("Invalid boot device " + device
                        + " specified; supported: " + String.join(", ", supported) + "."));
            }
            return mgmt.validate(task).compose(v -> mgmt.setBootDevice(task, device, persistent));
        });
    }

    public Future<JsonObject> getBootDevice(String ident) {
        return tasks.withTask(ident, TaskOptions.shared("getting boot device"), task -> task.driver()
                .management()
                .getBootDevice(task));
    }

    public Future<List<String>> supportedBootDevices(String ident) {
        return tasks.withTask(
                ident,
                TaskOptions.shared("getting supported boot devices"),
                task -> Future.succeededFuture(task.driver().management().supportedBootDevices(task)));
    }
}
