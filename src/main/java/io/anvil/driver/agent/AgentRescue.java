package io.anvil.driver.agent;

import io.anvil.driver.AgentReport;
import io.anvil.driver.AsyncStepStatus;
import io.anvil.driver.BootInterface;
import io.anvil.driver.DriverTask;
import io.anvil.driver.RescueInterface;
import io.anvil.driver.StepOutcome;
import io.anvil.driver.agent.AgentClient.AgentCommandException;
import io.anvil.driver.agent.RescuePasswordHash.Algorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's {@code agent} rescue interface ({@code drivers/modules/agent.py} AgentRescue, {@code agent_base.py}
 * _finalize_rescue), see docs/agent.md#rescue:
 *
 * <ol>
 *   <li>{@link #rescue}: the rescue password is present and the boot interface knows the rescue ramdisk; the password
 *       is hashed (crypt(3), {@code conductor.rescue_password_hash_algorithm}) into
 *       {@code instance_info.hashed_rescue_password}; power off, boot device PXE (one-time), the old agent's URL and
 *       token wiped, power on → "rescue wait". The boot interface serves the rescue ramdisk in that state.
 *   <li>{@link #heartbeat}: the rescue ramdisk's agent looked up and heartbeats; it is sent
 *       {@code rescue.finalize_rescue} with the <em>hashed</em> password and {@code hashed: true} (the clear password
 *       never leaves Anvil). The command is synchronous in the agent: its answer decides. The agent then stops its API
 *       and its heartbeats (ironic-python-agent's {@code extensions/rescue.py}).
 *   <li>{@link #cleanUp}: both passwords leave {@code instance_info} (Ironic's remove_node_rescue_password). Ironic also
 *       removes the rescuing network; Anvil manages no networks, and its iPXE scripts are rendered from the node's
 *       state, so there is no ramdisk configuration to remove either.
 *   <li>{@link #unrescue}: power off, clean up, boot device disk (persistent), agent token and URL wiped, power on.
 * </ol>
 *
 * Unlike Ironic, an agent that does not answer {@code finalize_rescue} (connection refused, timeout) or is busy
 * leaves the node in "rescue wait": the next heartbeat tries again, and {@code conductor.rescue_callback_timeout}
 * (which heartbeats do not reset) bounds the wait. An answer that is an error fails the rescue.
 */
public final class AgentRescue implements RescueInterface {
    private static final Logger LOG = LoggerFactory.getLogger(AgentRescue.class);
    static final String FINALIZE_RESCUE = "rescue.finalize_rescue";
    static final String RESCUE_PASSWORD = "rescue_password";
    static final String HASHED_RESCUE_PASSWORD = "hashed_rescue_password";

    private static final Duration POWER_TIMEOUT = AgentRamdisk.POWER_TIMEOUT;

    private final Vertx vertx;
    private final AgentClient agent;
    private final Function<JsonObject, BootInterface> bootOf;
    private final Algorithm algorithm;

    /**
     * @param bootOf the node's boot interface, or null when it has none that needs validating ({@code fake})
     * @param algorithm {@code conductor.rescue_password_hash_algorithm}
     */
    public AgentRescue(
            Vertx vertx, AgentClient agent, Function<JsonObject, BootInterface> bootOf, Algorithm algorithm) {
        this.vertx = vertx;
        this.agent = agent;
        this.bootOf = bootOf;
        this.algorithm = algorithm;
    }

    @Override
    public Future<StepOutcome> rescue(DriverTask task) {
        String password;
        try {
            password = validate(task.node());
        } catch (RuntimeException e) {
            return forgetPasswords(task).transform(x -> Future.failedFuture(e));
        }
        return vertx.executeBlocking(() -> RescuePasswordHash.hash(password, algorithm), false)
                .compose(hashed -> {
                    JsonObject info = instanceInfo(task.node()).put(HASHED_RESCUE_PASSWORD, hashed);
                    return task.save(Map.of("instance_info", info));
                })
                .compose(v -> AgentRamdisk.boot(task))
                .map(StepOutcome.WAIT)
                // Ironic's _do_node_rescue handle_failure: a rescue that did not start keeps no password
                .recover(e -> forgetPasswords(task).transform(x -> Future.failedFuture(e)));
    }

    /**
     * Ironic's AgentRescue.validate for GET /v1/nodes/{id}/validate: the rescue ramdisk is known; the password is
     * checked only while the node is rescuing (it is given with the rescue request).
     */
    @Override
    public void validate(DriverTask task) {
        BootInterface boot = bootOf.apply(task.node());
        if (boot != null) {
            boot.validateRescue(task.node());
        }
        if ("rescuing".equals(task.node().getString("provision_state"))) {
            validate(task.node());
        }
    }

    /**
     * Ironic's AgentRescue.validate (the rescue ramdisk is known, the password is a non-empty string); returns the
     * password.
     */
    private String validate(JsonObject node) {
        BootInterface boot = bootOf.apply(node);
        if (boot != null) {
            boot.validateRescue(node);
        }
        Object password = instanceInfo(node).getValue(RESCUE_PASSWORD);
        String uuid = node.getString("uuid");
        if (password == null) {
            throw new IllegalArgumentException(
                    "Node " + uuid + " is missing 'instance_info/rescue_password'. It is required for rescuing node.");
        }
        if (!(password instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException("The 'instance_info/rescue_password' is an empty string for node " + uuid
                    + ". The 'rescue_password' must be a non-empty string value.");
        }
        return s;
    }

    @Override
    public Future<AsyncStepStatus> heartbeat(DriverTask task, AgentReport report) {
        JsonObject internal = internal(task);
        String url = report.callbackUrl() != null && !report.callbackUrl().isEmpty()
                ? report.callbackUrl()
                : internal.getString(AgentInternalInfo.URL);
        if (url == null || url.isEmpty()) {
            return Future.succeededFuture(AsyncStepStatus.running());
        }
        String hashed = instanceInfo(task.node()).getString(HASHED_RESCUE_PASSWORD);
        if (hashed == null || hashed.isEmpty()) {
            return Future.succeededFuture(failed(task, "Agent rescue requires rescue_password in instance_info"));
        }
        LOG.info("Node {}: handing the hashed rescue password to its rescue ramdisk", task.uuid());
        JsonObject params = new JsonObject().put(RESCUE_PASSWORD, hashed).put("hashed", true);
        return agent.runCommand(AgentClient.Agent.of(internal, url), FINALIZE_RESCUE, params)
                .map(result -> "SUCCEEDED".equals(result.getString("command_status"))
                        ? AsyncStepStatus.succeeded()
                        : failed(
                                task,
                                "Agent returned bad result for command finalize_rescue: "
                                        + AgentClient.commandError(result)))
                .recover(e -> {
                    if (e instanceof AgentCommandException ace && (ace.unanswered() || ace.status() == 409)) {
                        LOG.warn(
                                "Node {}: the rescue ramdisk did not take finalize_rescue, retrying on its next"
                                        + " heartbeat: {}",
                                task.uuid(),
                                e.getMessage());
                        return Future.succeededFuture(AsyncStepStatus.running());
                    }
                    return Future.succeededFuture(failed(task, e.getMessage()));
                });
    }

    /** Ironic's last_error: _heartbeat_rescue_wait's prefix around InstanceRescueFailure. */
    private static AsyncStepStatus failed(DriverTask task, String reason) {
        Object instance = task.node().getValue("instance_uuid");
        return AsyncStepStatus.failed("Node failed to perform rescue operation: Failed to rescue instance "
                + (instance == null ? "None" : instance) + " for node " + task.uuid() + ": " + reason);
    }

    @Override
    public Future<Void> cleanUp(DriverTask task) {
        return forgetPasswords(task);
    }

    @Override
    public Future<Void> unrescue(DriverTask task) {
        var power = task.driver().power();
        return power.setPowerState(task, "power off", POWER_TIMEOUT)
                .compose(v -> cleanUp(task))
                .compose(v -> task.driver().management().setBootDevice(task, "disk", true))
                .compose(v -> {
                    // the rescue ramdisk's agent is gone: Ironic wipes its token and URL after unrescue
                    JsonObject off = AgentInternalInfo.wipedOnPowerOff(internal(task));
                    JsonObject wiped = AgentInternalInfo.wipedTokenAndUrl(off == null ? internal(task) : off);
                    return saveInternal(task, wiped != null ? wiped : off);
                })
                .compose(v -> power.setPowerState(task, "power on", POWER_TIMEOUT))
                .compose(v -> task.save(Map.of("power_state", "power on")))
                .mapEmpty();
    }

    /** Ironic's remove_node_rescue_password: neither the clear nor the hashed password stays. */
    private static Future<Void> forgetPasswords(DriverTask task) {
        JsonObject info = instanceInfo(task.node());
        if (!info.containsKey(RESCUE_PASSWORD) && !info.containsKey(HASHED_RESCUE_PASSWORD)) {
            return Future.succeededFuture();
        }
        info.remove(RESCUE_PASSWORD);
        info.remove(HASHED_RESCUE_PASSWORD);
        Map<String, Object> cols = new HashMap<>();
        cols.put("instance_info", info);
        return task.save(cols).mapEmpty();
    }

    private static Future<Void> saveInternal(DriverTask task, JsonObject internal) {
        return internal == null
                ? Future.succeededFuture()
                : task.save(Map.of("driver_internal_info", internal)).mapEmpty();
    }

    /** A copy of the node's instance_info (never null). */
    private static JsonObject instanceInfo(JsonObject node) {
        JsonObject info = node.getJsonObject("instance_info");
        return info == null ? new JsonObject() : info.copy();
    }

    private static JsonObject internal(DriverTask task) {
        JsonObject internal = task.node().getJsonObject("driver_internal_info");
        return internal == null ? new JsonObject() : internal;
    }
}
