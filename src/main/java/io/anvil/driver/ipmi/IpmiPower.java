package io.anvil.driver.ipmi;

import io.anvil.driver.DriverTask;
import io.anvil.driver.PowerInterface;
import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.IpmiClient;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Power through Anvil's own IPMI client (Ironic's ipmitool power interface, without forking ipmitool):
 * Chassis Control, then Get Chassis Status until the state is reached or the timeout passes, polled on Vert.x
 * timers with a growing interval. Every call goes through the client's per-BMC governor.
 */
public final class IpmiPower implements PowerInterface {
    private final Vertx vertx;
    private final IpmiClient client;
    private final boolean disableBootTimeoutDefault;

    /** @param disableBootTimeoutDefault [ipmi] disable_boot_timeout, used when a forced boot device is re-applied */
    public IpmiPower(Vertx vertx, IpmiClient client, boolean disableBootTimeoutDefault) {
        this.vertx = vertx;
        this.client = client;
        this.disableBootTimeoutDefault = disableBootTimeoutDefault;
    }

    private static BmcTarget bmc(DriverTask task) {
        return IpmiDriverInfo.parse(task.uuid(), task.node().getJsonObject("driver_info"));
    }

    @Override
    public Future<Void> validate(DriverTask task) {
        return Futures.attempt(() -> {
            bmc(task);
            return Future.succeededFuture();
        });
    }

    @Override
    public Future<String> getPowerState(DriverTask task) {
        return client.getChassisStatus(bmc(task)).map(s -> s.powerOn() ? "power on" : "power off");
    }

    @Override
    public Future<Void> setPowerState(DriverTask task, String target, Duration timeout) {
        BmcTarget bmc = bmc(task);
        return switch (target) {
            case "power on" ->
                reapplyBootDevice(task, bmc).compose(v -> act(bmc, ChassisControl.Action.POWER_UP, true, timeout));
            case "power off" -> act(bmc, ChassisControl.Action.POWER_DOWN, false, timeout);
            case "soft power off" -> act(bmc, ChassisControl.Action.SOFT_SHUTDOWN, false, timeout);
            default -> Future.failedFuture(new IllegalArgumentException("unsupported power target " + target));
        };
    }

    /** Ironic's ipmitool reboot: off (soft or hard) unless already off, wait, then on and wait. */
    @Override
    public Future<Void> reboot(DriverTask task, boolean soft, Duration timeout) {
        BmcTarget bmc = bmc(task);
        return client.getChassisStatus(bmc)
                .compose(s -> s.powerOn()
                        ? act(
                                bmc,
                                soft ? ChassisControl.Action.SOFT_SHUTDOWN : ChassisControl.Action.POWER_DOWN,
                                false,
                                timeout)
                        : Future.succeededFuture())
                .compose(v -> reapplyBootDevice(task, bmc))
                .compose(v -> act(bmc, ChassisControl.Action.POWER_UP, true, timeout));
    }

    /** Ironic's ensure_next_boot_device: with ipmi_force_boot_device, re-send the remembered device before power on. */
    private Future<Void> reapplyBootDevice(DriverTask task, BmcTarget bmc) {
        var device = IpmiManagement.rememberedDevice(task.node());
        return device == null
                ? Future.succeededFuture()
                : client.setBootDevice(
                                bmc,
                                device,
                                false,
                                IpmiManagement.uefi(task.node()),
                                IpmiManagement.disableBootTimeout(task.node(), disableBootTimeoutDefault))
                        .mapEmpty();
    }

    private Future<Void> act(BmcTarget bmc, ChassisControl.Action action, boolean wantOn, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return client.chassisControl(bmc, action).compose(v -> waitFor(bmc, wantOn, deadline, 250));
    }

    /** Ironic's node_wait_for_power_state: poll until reached, PowerStateFailure after the timeout. */
    private Future<Void> waitFor(BmcTarget bmc, boolean wantOn, long deadline, long delayMs) {
        return client.getChassisStatus(bmc).compose(s -> {
            if (s.powerOn() == wantOn) {
                return Future.succeededFuture();
            }
            if (System.nanoTime() >= deadline) {
                return Future.failedFuture(new IllegalStateException("Failed to set node power state to "
                        + (wantOn ? "power on" : "power off") + " within the timeout; the BMC still reports "
                        + (s.powerOn() ? "power on" : "power off") + "."));
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(delayMs, id -> waitFor(bmc, wantOn, deadline, Math.min(delayMs * 2, 2000))
                    .onComplete(later));
            return later.future();
        });
    }
}
