package io.anvil.driver.redfish;

import io.anvil.driver.DriverTask;
import io.anvil.driver.PowerInterface;
import io.anvil.redfish.RedfishTarget;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * Ironic's redfish power interface ({@code ironic/drivers/modules/redfish/power.py}): ComputerSystem.Reset with On,
 * ForceOff, GracefulShutdown, ForceRestart and GracefulRestart (a ResetType the system does not list in its
 * AllowableValues is refused with a clear error), then PowerState polled on Vert.x timers until it is reached.
 */
public final class RedfishPower implements PowerInterface {
    static final String RESET = "#ComputerSystem.Reset";
    private final RedfishNodes nodes;

    public RedfishPower(RedfishNodes nodes) {
        this.nodes = nodes;
    }

    @Override
    public Future<Void> validate(DriverTask task) {
        return nodes.validate(task);
    }

    /** Ironic's mapping: On and PoweringOn are "power on", Off and PoweringOff "power off". */
    static String powerState(JsonObject system) {
        String s = system.getString("PowerState");
        if ("On".equals(s) || "PoweringOn".equals(s)) {
            return "power on";
        }
        if ("Off".equals(s) || "PoweringOff".equals(s)) {
            return "power off";
        }
        return "error";
    }

    @Override
    public Future<String> getPowerState(DriverTask task) {
        return nodes.system(task).map(r -> powerState(r.body()));
    }

    @Override
    public Future<Void> setPowerState(DriverTask task, String target, Duration timeout) {
        String resetType;
        String want;
        switch (target) {
            case "power on" -> {
                resetType = "On";
                want = "power on";
            }
            case "power off" -> {
                resetType = "ForceOff";
                want = "power off";
            }
            case "soft power off" -> {
                resetType = "GracefulShutdown";
                want = "power off";
            }
            default -> {
                return Future.failedFuture(new IllegalArgumentException("unsupported power target " + target));
            }
        }
        RedfishTarget t = nodes.target(task);
        return nodes.client().system(t).compose(r -> {
            if (powerState(r.body()).equals(want)) {
                return Future.succeededFuture(); // already there: many BMCs refuse On when on
            }
            return reset(t, r.body(), resetType).compose(v -> waitFor(t, want, deadline(timeout), 100));
        });
    }

    /** Ironic's redfish reboot: ForceRestart (GracefulRestart when soft) when on, On when off; then wait for on. */
    @Override
    public Future<Void> reboot(DriverTask task, boolean soft, Duration timeout) {
        RedfishTarget t = nodes.target(task);
        return nodes.client().system(t).compose(r -> {
            boolean on = powerState(r.body()).equals("power on");
            String type = on ? (soft ? "GracefulRestart" : "ForceRestart") : "On";
            return reset(t, r.body(), type).compose(v -> waitFor(t, "power on", deadline(timeout), 100));
        });
    }

    Future<Void> reset(RedfishTarget t, JsonObject system, String type) {
        return nodes.client()
                .action(t, system, RESET, "ResetType", new JsonObject().put("ResetType", type))
                .mapEmpty();
    }

    private static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    private Future<Void> waitFor(RedfishTarget t, String want, long deadline, long delayMs) {
        return nodes.client().system(t).compose(r -> {
            String now = powerState(r.body());
            if (now.equals(want)) {
                return Future.succeededFuture();
            }
            if (System.nanoTime() >= deadline) {
                return Future.failedFuture(new IllegalStateException(
                        "Failed to set node power state to " + want + " within the timeout; the BMC still reports "
                                + r.body().getString("PowerState") + "."));
            }
            Promise<Void> later = Promise.promise();
            nodes.vertx().setTimer(delayMs, id -> waitFor(t, want, deadline, Math.min(delayMs * 2, 2000))
                    .onComplete(later));
            return later.future();
        });
    }
}
