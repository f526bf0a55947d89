package io.anvil.driver.fake;

import io.anvil.driver.DeployInterface;
import io.anvil.driver.DriverTask;
import io.anvil.driver.StepOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

/**
 * Ironic's fake deploy: every step completes at once. {@code driver_info.fake_deploy_wait=true} makes deploy
 * return WAIT (the node rests in "wait call-back" until continued, as an agent would), and
 * {@code fake_deploy_fail} / {@code fake_clean_fail} make the step fail with that message.
 */
public final class FakeDeploy implements DeployInterface {
    @Override
    public Future<StepOutcome> deploy(DriverTask task) {
        String fail = Fakes.failure(task, "fake_deploy_fail");
        if (fail != null) {
            return Future.failedFuture(new IllegalStateException(fail));
        }
        return Future.succeededFuture(Fakes.flag(task, "fake_deploy_wait") ? StepOutcome.WAIT : StepOutcome.DONE);
    }

    @Override
    public Future<Void> tearDown(DriverTask task) {
        return Future.succeededFuture();
    }

    @Override
    public Future<StepOutcome> clean(DriverTask task, JsonArray steps) {
        String fail = Fakes.failure(task, "fake_clean_fail");
        return fail != null
                ? Future.failedFuture(new IllegalStateException(fail))
                : Future.succeededFuture(StepOutcome.DONE);
    }

    @Override
    public Future<StepOutcome> service(DriverTask task, JsonArray steps) {
        return Future.succeededFuture(StepOutcome.DONE);
    }

    @Override
    public Future<Void> takeOver(DriverTask task) {
        return Future.succeededFuture();
    }
}
