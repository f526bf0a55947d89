package io.anvil.upkeep;

import io.anvil.conductor.StepEngine;
import io.anvil.conductor.Task;
import io.anvil.fsm.ProvisionState;
import io.anvil.periodic.NodeFilter;
import io.anvil.periodic.NodeWalker;
import io.anvil.periodic.Periodic;
import io.anvil.periodic.PeriodicContext;
import io.anvil.periodic.Visit;
import io.anvil.periodic.Walk;
import io.anvil.periodic.WalkResult;
import io.vertx.core.Future;
import java.util.List;

/**
 * Ironic's {@code RedfishBIOS._query_bios_apply_status} ({@code ironic/drivers/modules/redfish/bios.py}), for every
 * interface that implements {@code driver.RebootPoll}: nodes waiting (clean wait, wait call-back, service wait) after a
 * step rebooted them without a ramdisk — the {@code <type>_polling} flag of Ironic's async steps — are checked, and
 * those whose reboot is over run their step again (docs/steps.md#running-the-steps). Its spacing is Ironic's option
 * for that periodic, {@code redfish.firmware_update_status_interval}.
 */
public final class RebootedSteps {
    private static final List<ProvisionState> WAITING =
            List.of(ProvisionState.CLEANWAIT, ProvisionState.DEPLOYWAIT, ProvisionState.SERVICEWAIT);

    private final StepEngine steps;
    private final int concurrency;

    public RebootedSteps(StepEngine steps, int concurrency) {
        this.steps = steps;
        this.concurrency = Math.max(1, concurrency);
    }

    static NodeFilter filter() {
        return NodeFilter.all()
                .provisionStateIn(WAITING)
                .maintenance(false)
                .unreserved()
                .where("(driver_internal_info->>'cleaning_polling' = 'true'"
                        + " OR driver_internal_info->>'deployment_polling' = 'true'"
                        + " OR driver_internal_info->>'servicing_polling' = 'true')");
    }

    @Periodic(spacing = "redfish.firmware_update_status_interval", name = "poll_rebooted_steps")
    public Future<WalkResult> pollRebootedSteps(PeriodicContext ctx) {
        return pollRebootedSteps(ctx.nodes(Task.class));
    }

    public Future<WalkResult> pollRebootedSteps(NodeWalker<Task> nodes) {
        return nodes.forEach(
                filter(),
                Walk.exclusive("checking a step's reboot").concurrency(concurrency),
                (task, ref) -> steps.pollRebootedStep(task).map(Visit.CONTINUE));
    }
}
