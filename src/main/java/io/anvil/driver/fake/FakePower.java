package io.anvil.driver.fake;

import io.anvil.driver.DriverTask;
import io.anvil.driver.PowerInterface;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Ironic's fake power: the "hardware" is the node's recorded power_state (null until a power action). {@code driver_info.fake_power_fail}
 * (a message) makes every call fail, to exercise error paths without hardware.
 */
public final class FakePower implements PowerInterface {
    @Override
    public Future<Void> validate(DriverTask task) {
        return Future.succeededFuture();
    }

    @Override
    public Future<String> getPowerState(DriverTask task) {
        String fail = Fakes.failure(task, "fake_power_fail");
        if (fail != null) {
            return Future.failedFuture(new IllegalStateException(fail));
        }
        // as Ironic's fake power: what is recorded, nothing (null) for a node no power action has touched yet
        return Future.succeededFuture(task.node().getString("power_state"));
    }

    @Override
    public Future<Void> setPowerState(DriverTask task, String target, Duration timeout) {
        String fail = Fakes.failure(task, "fake_power_fail");
        return fail != null ? Future.failedFuture(new IllegalStateException(fail)) : Future.succeededFuture();
    }

    @Override
    public Future<Void> reboot(DriverTask task, boolean soft, Duration timeout) {
        return setPowerState(task, "power on", timeout);
    }
}
