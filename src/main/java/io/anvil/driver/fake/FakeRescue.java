package io.anvil.driver.fake;

import io.anvil.driver.DriverTask;
import io.anvil.driver.RescueInterface;
import io.anvil.driver.StepOutcome;
import io.vertx.core.Future;

/** Ironic's fake rescue: rescue and unrescue complete at once. */
public final class FakeRescue implements RescueInterface {
    @Override
    public Future<StepOutcome> rescue(DriverTask task) {
        return Future.succeededFuture(StepOutcome.DONE);
    }

    @Override
    public Future<Void> unrescue(DriverTask task) {
        return Future.succeededFuture();
    }
}
