package io.anvil.driver;

import io.vertx.core.Future;
import java.time.Duration;

/** Ironic's power interface. States are Ironic's strings: "power on", "power off", "error". */
public interface PowerInterface {
    Future<Void> validate(DriverTask task);

    Future<String> getPowerState(DriverTask task);

    /** "power on", "power off" or "soft power off"; completes once the hardware reached the state. */
    Future<Void> setPowerState(DriverTask task, String target, Duration timeout);

    /** Hard ("rebooting") or soft ("soft rebooting") reboot; completes once the node is on again. */
    Future<Void> reboot(DriverTask task, boolean soft, Duration timeout);
}
