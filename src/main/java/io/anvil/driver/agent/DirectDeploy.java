package io.anvil.driver.agent;

import io.anvil.driver.AgentReport;
import io.anvil.driver.AsyncStepStatus;
import io.anvil.driver.DeployInterface;
import io.anvil.driver.DriverTask;
import io.anvil.driver.StepOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's {@code direct} deploy interface, first piece (docs/agent.md): the agent writes the image.
 *
 * <ol>
 *   <li>{@link #deploy}: power off, boot device PXE (one-time), agent keys wiped, power on → "wait call-back".</li>
 *   <li>Each heartbeat in "wait call-back" ({@link #heartbeat}, under the node's lock): ask the agent for its command
 *       results; if it has not started {@code standby.prepare_image}, start it with the image from
 *       {@code instance_info}; RUNNING keeps waiting, FAILED fails the deploy, SUCCEEDED resumes it.</li>
 *   <li>{@link #continueDeploy}: boot device disk (persistent), reboot → active.</li>
 * </ol>
 *
 * Issue 11's step engine replaces the fixed sequence by deploy steps gathered from the interfaces and the agent
 * ({@code get_deploy_steps}), cleaning, and the iPXE boot interface.
 */
public final class DirectDeploy implements DeployInterface {
    private static final Logger LOG = LoggerFactory.getLogger(DirectDeploy.class);
    /** IPA reports the command without its extension prefix. */
    static final String PREPARE_IMAGE = "prepare_image";

    private static final Duration POWER_TIMEOUT = Duration.ofSeconds(60);

    private final AgentClient agent;

    public DirectDeploy(AgentClient agent) {
        this.agent = agent;
    }

    @Override
    public Future<StepOutcome> deploy(DriverTask task) {
        if (imageSource(task) == null) {
            return Future.failedFuture(new IllegalArgumentException("Node " + task.uuid()
                    + " is missing instance_info.image_source, which the direct deploy interface requires."));
        }
        var power = task.driver().power();
        JsonObject wiped = AgentInternalInfo.wipedOnPowerOff(task.node().getJsonObject("driver_internal_info"));
        return power.setPowerState(task, "power off", POWER_TIMEOUT)
                .compose(v -> task.driver().management().setBootDevice(task, "pxe", false))
                .compose(v -> wiped == null
                        ? Future.succeededFuture()
                        : task.save(Map.of("driver_internal_info", wiped)).mapEmpty())
                .compose(v -> power.setPowerState(task, "power on", POWER_TIMEOUT))
                .compose(v -> task.save(Map.of("power_state", "power on")))
                .map(StepOutcome.WAIT);
    }

    @Override
    public boolean continuesOnHeartbeat(String provisionState) {
        // the agent's heartbeats drive every wait whose work runs in the ramdisk; rescue goes to the rescue interface
        return switch (provisionState) {
            case "wait call-back", "clean wait", "service wait", "rescue wait" -> true;
            default -> false;
        };
    }

    @Override
    public Future<AsyncStepStatus> heartbeat(DriverTask task, AgentReport report) {
        JsonObject internal = task.node().getJsonObject("driver_internal_info");
        String url = report.callbackUrl() != null && !report.callbackUrl().isEmpty()
                ? report.callbackUrl()
                : internal.getString(AgentInternalInfo.URL);
        if (url == null || url.isEmpty()) {
            return Future.succeededFuture(AsyncStepStatus.running());
        }
        String token = internal.getString(AgentInternalInfo.TOKEN);
        return agent.commandsStatus(url, token).compose(commands -> {
            JsonObject last = lastNamed(commands, PREPARE_IMAGE);
            if (last == null) {
                if (!commands.isEmpty() && "RUNNING".equals(lastOf(commands).getString("command_status"))) {
                    return Future.succeededFuture(AsyncStepStatus.running()); // busy with something else
                }
                LOG.info("Node {}: asking the agent to write image {}", task.uuid(), imageSource(task));
                return agent.runCommand(url, token, "standby." + PREPARE_IMAGE, prepareImageParams(task))
                        .map(started -> "FAILED".equals(started.getString("command_status"))
                                ? failed(task, started)
                                : AsyncStepStatus.running());
            }
            return Future.succeededFuture(
                    switch (String.valueOf(last.getString("command_status"))) {
                        case "SUCCEEDED" -> AsyncStepStatus.succeeded();
                        case "FAILED" -> failed(task, last);
                        default -> AsyncStepStatus.running();
                    });
        });
    }

    private static AsyncStepStatus failed(DriverTask task, JsonObject command) {
        return AsyncStepStatus.failed("Agent returned error for deploy step {'step': 'write_image', 'interface':"
                + " 'deploy'} on node " + task.uuid() + " : " + AgentClient.commandError(command) + ".");
    }

    @Override
    public Future<StepOutcome> continueDeploy(DriverTask task) {
        return task.driver()
                .management()
                .setBootDevice(task, "disk", true)
                .compose(v -> task.driver().power().reboot(task, false, POWER_TIMEOUT))
                .compose(v -> task.save(Map.of("power_state", "power on")))
                .map(StepOutcome.DONE);
    }

    @Override
    public Future<Void> tearDown(DriverTask task) {
        return task.driver().power().setPowerState(task, "power off", POWER_TIMEOUT);
    }

    @Override
    public Future<StepOutcome> clean(DriverTask task, JsonArray steps) {
        return Future.succeededFuture(StepOutcome.DONE); // agent cleaning: issue 11
    }

    @Override
    public Future<StepOutcome> service(DriverTask task, JsonArray steps) {
        return Future.succeededFuture(StepOutcome.DONE);
    }

    @Override
    public Future<Void> takeOver(DriverTask task) {
        return Future.succeededFuture();
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

    private static JsonObject lastOf(JsonArray commands) {
        return commands.getJsonObject(commands.size() - 1);
    }
}
