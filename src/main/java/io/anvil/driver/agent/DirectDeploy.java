package io.anvil.driver.agent;

import io.anvil.driver.AgentCommandStarted;
import io.anvil.driver.AgentReport;
import io.anvil.driver.AsyncStepStatus;
import io.anvil.driver.DeployInterface;
import io.anvil.driver.DriverTask;
import io.anvil.driver.StepOutcome;
import io.anvil.driver.steps.DeployStep;
import io.anvil.errors.AnvilException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's {@code direct} deploy interface (ironic/drivers/modules/agent.py AgentDeploy, agent_base.py): the agent
 * writes the image. Its deploy steps, run by the conductor's step engine in priority order (docs/steps.md):
 *
 * <ol>
 *   <li>{@code deploy} (100): power off, boot device PXE, agent keys wiped, power on → "wait call-back" until the
 *       agent heartbeats; the engine then fetches the agent's own deploy steps and re-plans.</li>
 *   <li>{@code write_image} (80): {@code standby.prepare_image} with the image of {@code instance_info}; the agent
 *       downloads it, verifies its checksum and writes it; heartbeats poll the command.</li>
 *   <li>{@code prepare_instance_boot} (60): boot device disk, persistent.</li>
 *   <li>{@code tear_down_agent} (40): power off through the BMC.</li>
 *   <li>{@code switch_to_tenant_network} (30): the node's network interface's configure_tenant_networks (nothing
 *       to do for {@code flat} and {@code noop}: Anvil talks to no network service).</li>
 *   <li>{@code boot_instance} (20): power on; the agent's token and URL are void.</li>
 * </ol>
 *
 * Cleaning and servicing boot the same ramdisk ({@link #prepareCleaning}) and run the agent's in-band steps
 * ({@code execute_clean_step}); their tear-down powers the node off (and, for servicing, boots the instance again).
 */
public final class DirectDeploy implements DeployInterface {
    private static final Logger LOG = LoggerFactory.getLogger(DirectDeploy.class);
    /** IPA reports the command without its extension prefix. */
    static final String PREPARE_IMAGE = "prepare_image";

    private final AgentClient agent;

    public DirectDeploy(AgentClient agent) {
        this.agent = agent;
    }

    // ---- deploy steps ----

    /** Ironic's AgentDeploy.validate for an HTTP(S) image: instance_info.image_source is required. */
    @Override
    public void validate(DriverTask task) {
        String source = imageSource(task);
        if (source == null || source.isBlank()) {
            throw AnvilException.invalid("Cannot validate driver deploy. Some parameters were missing in node's"
                    + " instance_info. Missing are: ['image_source']");
        }
    }

    @Override
    @DeployStep(priority = 100)
    public Future<StepOutcome> deploy(DriverTask task) {
        if (imageSource(task) == null) {
            return Future.failedFuture(new IllegalArgumentException("Node " + task.uuid()
                    + " is missing instance_info.image_source, which the direct deploy interface requires."));
        }
        return AgentRamdisk.boot(task).map(StepOutcome.WAIT);
    }

    @DeployStep(priority = 80)
    public Future<Object> writeImage(DriverTask task) {
        LOG.info("Node {}: asking the agent to write image {}", task.uuid(), imageSource(task));
        return agent.runCommand(agentOf(task, null), "standby." + PREPARE_IMAGE, prepareImageParams(task))
                .compose(started -> "FAILED".equals(started.getString("command_status"))
                        ? Future.failedFuture(new AgentClient.AgentCommandException(
                                failedStep(task, "deploy", "deploy", "write_image", started)))
                        : Future.succeededFuture(new AgentCommandStarted(PREPARE_IMAGE)));
    }

    @DeployStep(priority = 60)
    public Future<Object> prepareInstanceBoot(DriverTask task) {
        return task.driver().management().setBootDevice(task, "disk", true).map(v -> null);
    }

    @DeployStep(priority = 40)
    public Future<Object> tearDownAgent(DriverTask task) {
        return AgentRamdisk.powerOff(task).map(v -> null);
    }

    @DeployStep(priority = 30)
    public Future<Object> switchToTenantNetwork(DriverTask task) {
        // Ironic's configure_tenant_networks; flat and noop have nothing to bind without a network service
        return task.network().configureTenantNetworks(task).map(v -> null);
    }

    @DeployStep(priority = 20)
    public Future<Object> bootInstance(DriverTask task) {
        return task.driver()
                .power()
                .setPowerState(task, "power on", AgentRamdisk.POWER_TIMEOUT)
                .compose(v -> task.save(Map.of("power_state", "power on")))
                .map(v -> null);
    }

    // ---- cleaning, servicing, tear-down ----

    @Override
    public Future<StepOutcome> prepareCleaning(DriverTask task) {
        return AgentRamdisk.boot(task).map(StepOutcome.WAIT);
    }

    @Override
    public Future<StepOutcome> prepareService(DriverTask task) {
        return AgentRamdisk.boot(task).map(StepOutcome.WAIT);
    }

    @Override
    public Future<Void> tearDownCleaning(DriverTask task) {
        return AgentRamdisk.powerOff(task);
    }

    /** Ironic's tear_down_service: the instance boots again from its disk. */
    @Override
    public Future<Void> tearDownService(DriverTask task) {
        return AgentRamdisk.powerOff(task)
                .compose(v -> task.driver().management().setBootDevice(task, "disk", true))
                .compose(v -> task.driver().power().setPowerState(task, "power on", AgentRamdisk.POWER_TIMEOUT))
                .compose(v -> task.save(Map.of("power_state", "power on")))
                .mapEmpty();
    }

    /** Ironic's deploy_utils.set_failed_state after a failed deploy: the node is powered off. */
    @Override
    public Future<Void> cleanUp(DriverTask task) {
        return AgentRamdisk.powerOff(task);
    }

    @Override
    public Future<Void> tearDown(DriverTask task) {
        return AgentRamdisk.powerOff(task);
    }

    @Override
    public Future<Void> takeOver(DriverTask task) {
        return Future.succeededFuture();
    }

    // ---- the agent ----

    @Override
    public boolean continuesOnHeartbeat(String provisionState) {
        // the agent's heartbeats drive every wait whose work runs in the ramdisk; rescue goes to the rescue interface
        return switch (provisionState) {
            case "wait call-back", "clean wait", "service wait", "rescue wait" -> true;
            default -> false;
        };
    }

    @Override
    public boolean usesAgent() {
        return true;
    }

    @Override
    public Future<JsonObject> agentSteps(DriverTask task, String type) {
        return task.ports()
                .compose(ports -> agent.runCommand(
                        agentOf(task, null),
                        type + ".get_" + type + "_steps",
                        new JsonObject().put("node", agentView(task)).put("ports", new JsonArray(ports))))
                .compose(result -> "SUCCEEDED".equals(result.getString("command_status"))
                        ? Future.succeededFuture(
                                result.getJsonObject("command_result") == null
                                        ? new JsonObject()
                                        : result.getJsonObject("command_result"))
                        : Future.failedFuture(new AgentClient.AgentCommandException(
                                "Agent failed to list its " + type + " steps: " + AgentClient.commandError(result))));
    }

    @Override
    public Future<AgentCommandStarted> executeAgentStep(DriverTask task, String type, JsonObject step) {
        String command = "execute_" + type + "_step";
        JsonObject version =
                task.node().getJsonObject("driver_internal_info").getJsonObject("hardware_manager_version");
        return task.ports()
                .compose(ports -> agent.runCommand(
                        agentOf(task, null),
                        type + "." + command,
                        new JsonObject()
                                .put("step", step)
                                .put("node", agentView(task))
                                .put("ports", new JsonArray(ports))
                                .put(type + "_version", version)))
                .compose(started -> "FAILED".equals(started.getString("command_status"))
                        ? Future.failedFuture(new AgentClient.AgentCommandException(
                                failedStep(task, type, step.getString("interface"), step.getString("step"), started)))
                        : Future.succeededFuture(new AgentCommandStarted(command)));
    }

    @Override
    public Future<AsyncStepStatus> agentCommandStatus(DriverTask task, AgentReport report, String command) {
        AgentClient.Agent target = agentOf(task, report == null ? null : report.callbackUrl());
        if (target.url() == null || target.url().isEmpty()) {
            return Future.succeededFuture(AsyncStepStatus.running());
        }
        return agent.commandsStatus(target).map(commands -> {
            JsonObject last = lastNamed(commands, command);
            if (last == null) {
                return AsyncStepStatus.running(); // not listed (yet): the wait timeout bounds a command that is lost
            }
            return switch (String.valueOf(last.getString("command_status"))) {
                case "SUCCEEDED" -> AsyncStepStatus.succeeded();
                case "FAILED" -> AsyncStepStatus.failed(AgentClient.commandError(last));
                default -> AsyncStepStatus.running();
            };
        });
    }

    // ---- helpers ----

    /** The same words as the step engine's for a step the agent failed later (Ironic's message). */
    private static String failedStep(DriverTask task, String type, String iface, String stepName, JsonObject command) {
        return "Agent returned error for " + type + " step {'interface': '" + iface + "', 'step': '" + stepName
                + "'} on node " + task.uuid() + " : " + AgentClient.commandError(command) + ".";
    }

    /** What the agent is told about its node: no secrets (Ironic sends node.as_dict(secure=True)). */
    private static JsonObject agentView(DriverTask task) {
        JsonObject node = task.node();
        JsonObject ii = node.getJsonObject("instance_info", new JsonObject()).copy();
        ii.remove("configdrive");
        ii.remove("rescue_password");
        ii.remove("hashed_rescue_password");
        return new JsonObject()
                .put("uuid", task.uuid())
                .put("name", node.getValue("name"))
                .put("properties", node.getValue("properties"))
                .put("instance_info", ii);
    }

    private static AgentClient.Agent agentOf(DriverTask task, String url) {
        return AgentClient.Agent.of(task.node().getJsonObject("driver_internal_info"), url);
    }

    /** Ironic's agent.py image_info, for an HTTP(S) image_source (no Glance). */
    static JsonObject prepareImageParams(DriverTask task) {
        JsonObject ii = task.node().getJsonObject("instance_info");
        String source = imageSource(task);
        JsonObject image = new JsonObject()
                .put("id", source.substring(source.lastIndexOf('/') + 1))
                .put("urls", new JsonArray().add(source))
                .put("disk_format", ii.getString("image_disk_format"))
                .put("container_format", ii.getString("image_container_format"))
                .put("stream_raw_images", true)
                .put("node_uuid", task.uuid());
        if (ii.getValue("image_checksum") != null) {
            image.put("checksum", ii.getValue("image_checksum"));
        }
        if (ii.getValue("image_os_hash_algo") != null && ii.getValue("image_os_hash_value") != null) {
            image.put("os_hash_algo", ii.getValue("image_os_hash_algo"));
            image.put("os_hash_value", ii.getValue("image_os_hash_value"));
        }
        return new JsonObject().put("image_info", image).put("configdrive", ii.getValue("configdrive"));
    }

    private static String imageSource(DriverTask task) {
        JsonObject ii = task.node().getJsonObject("instance_info");
        return ii == null ? null : ii.getString("image_source");
    }

    private static JsonObject lastNamed(JsonArray commands, String name) {
        for (int i = commands.size() - 1; i >= 0; i--) {
            JsonObject c = commands.getJsonObject(i);
            if (name.equals(c.getString("command_name"))) {
                return c;
            }
        }
        return null;
    }
}
