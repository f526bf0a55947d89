package io.anvil.driver.fake;

import io.anvil.driver.DeployInterface;
import io.anvil.driver.DriverTask;
import io.anvil.driver.StepOutcome;
import io.anvil.driver.steps.CleanStep;
import io.anvil.driver.steps.DeployStep;
import io.anvil.driver.steps.StepArg;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Ironic's fake deploy: every step completes at once. {@code driver_info.fake_deploy_wait=true} makes the deploy
 * step return WAIT (the node rests in "wait call-back" until continued, as an agent would), and
 * {@code fake_deploy_fail} / {@code fake_clean_fail} make deploying / cleaning fail with that message. Two
 * out-of-band clean steps of priority 0 let manual cleaning be exercised without an agent, and the deploy step
 * {@code record_args} (priority 0) lets deploy templates and user deploy steps be.
 */
public final class FakeDeploy implements DeployInterface {
    @Override
    @DeployStep(priority = 100)
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
    public Future<StepOutcome> prepareCleaning(DriverTask task) {
        String fail = Fakes.failure(task, "fake_clean_fail");
        return fail != null
                ? Future.failedFuture(new IllegalStateException(fail))
                : Future.succeededFuture(StepOutcome.DONE);
    }

    /**
     * A deploy step of priority 0 that takes arguments, so deploy templates and a deploy's {@code deploy_steps} can be
     * exercised without hardware: it records its arguments in {@code driver_internal_info.fake_deploy_step_args}.
     */
    @DeployStep(
            priority = 0,
            argsinfo = {
                @StepArg(
                        name = "message",
                        description = "Any text; recorded with the step's arguments",
                        required = true),
                @StepArg(name = "count", description = "Any number; recorded with the step's arguments")
            })
    public Future<Object> recordArgs(DriverTask task, JsonObject args) {
        JsonObject dii = task.node().getJsonObject("driver_internal_info").copy();
        dii.put("fake_deploy_step_args", args.copy());
        return task.save(Map.of("driver_internal_info", dii)).map(row -> null);
    }

    @CleanStep(priority = 0, requiresRamdisk = false)
    public Future<Object> eraseDevicesMetadata(DriverTask task) {
        return Future.succeededFuture();
    }

    @CleanStep(priority = 0, requiresRamdisk = false, abortable = true)
    public Future<Object> eraseDevices(DriverTask task) {
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> takeOver(DriverTask task) {
        return Future.succeededFuture();
    }
}
