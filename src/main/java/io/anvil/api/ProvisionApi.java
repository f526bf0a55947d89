package io.anvil.api;

import io.anvil.conductor.ConductorErrors;
import io.anvil.conductor.PowerActions;
import io.anvil.conductor.Provisioning;
import io.anvil.errors.AnvilException;
import io.anvil.fsm.ApiVerb;
import io.anvil.fsm.Microversion;
import io.anvil.fsm.PowerState;
import io.anvil.fsm.ProvisionParameters;
import io.anvil.fsm.ProvisionState;
import io.anvil.fsm.ProvisionStateMachine;
import io.anvil.lock.LockInfo;
import io.anvil.lock.NodeLockService;
import io.anvil.secrets.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * Provisioning, power and boot-device endpoints ({@code /v1/nodes/{id}/states/...}, {@code .../management/...})
 * and Anvil's {@code GET /v1/nodes/{id}/lock}. The API pre-checks in Ironic's order, then the conductor
 * re-validates under the node's lock.
 */
final class ProvisionApi {
    private static final Set<String> PROVISION_FIELDS = Set.of(
            "target",
            "configdrive",
            "clean_steps",
            "deploy_steps",
            "service_steps",
            "rescue_password",
            "disable_ramdisk",
            "runbook");
    private static final ProvisionStateMachine FSM = ProvisionStateMachine.ironic();

    private final ApiServices services;
    private final NodeApi nodes;

    ProvisionApi(ApiServices services, NodeApi nodes) {
        this.services = services;
        this.nodes = nodes;
    }

    private Provisioning provisioning() {
        return services.conductor().provisioning();
    }

    private PowerActions power() {
        return services.conductor().power();
    }

    /** PUT /v1/nodes/{id}/states/provision → 202 with Location. */
    Future<Void> setProvisionState(RoutingContext ctx) {
        ApiVersion v = Requests.version(ctx);
        JsonObject body = Requests.jsonObject(ctx);
        for (String k : body.fieldNames()) {
            if (!PROVISION_FIELDS.contains(k)) {
                throw AnvilException.invalid("Unknown attribute for provision state change: " + k + ".");
            }
        }
        if (!(body.getValue("target") instanceof String target)) {
            throw AnvilException.invalid("Mandatory field missing: 'target'.");
        }
        ApiVerb verb = ApiVerb.fromTarget(target)
                .orElseThrow(() -> AnvilException.invalid("Invalid provision state target \"" + target + "\"."));
        return nodes.load(ctx.pathParam("node")).compose(node -> {
            ProvisionState state = ProvisionState.fromValue(node.getString("provision_state"));
            if (!verb.isAllowedAt(Microversion.of(v.minor()), state)) {
                return Future.failedFuture(AnvilException.notAcceptable("The provision target \"" + target
                        + "\" needs API version " + verb.minimumVersion(state) + " or later."));
            }
            String uuid = node.getString("uuid");
            if (verb.isRefusedInMaintenance() && Boolean.TRUE.equals(node.getBoolean("maintenance"))) {
                return Future.failedFuture(AnvilException.invalid("Node " + uuid + " is in maintenance mode."));
            }
            boolean protectedNode = Boolean.TRUE.equals(node.getBoolean("protected"));
            if (protectedNode
                    && (verb == ApiVerb.DELETED
                            || verb == ApiVerb.UNDEPLOY
                            || verb == ApiVerb.REBUILD
                            || (verb == ApiVerb.ACTIVE && state == ProvisionState.ACTIVE))) {
                return Future.failedFuture(AnvilException.invalid(
                        "Node " + uuid + " is protected and cannot be undeployed, rebuilt or deleted"));
            }
            var event = verb.event();
            if (!FSM.isActionable(state, event)) {
                String holder = node.getString("reservation");
                if (holder != null) {
                    return Future.failedFuture(AnvilException.conflict("Node " + uuid + " is locked by host " + holder
                            + ", please retry after the current operation is completed."));
                }
                return Future.failedFuture(new ConductorErrors.InvalidStateRequested(
                        "The requested action \"" + target + "\" can not be performed on node \"" + uuid
                                + "\" while it is in state \"" + state.value() + "\"."));
            }
            ProvisionParameters params = new ProvisionParameters(
                    list(body, "clean_steps"),
                    list(body, "service_steps"),
                    body.getValue("rescue_password") instanceof String s ? s : null);
            SecretBox.refuseSealedInput("rescue_password", params.rescuePassword());
            var problem = verb.checkParameters(params);
            if (problem.isPresent()) {
                return Future.failedFuture(AnvilException.invalid(problem.get()));
            }
            checkDeployStepsAllowed(v, verb, body.getValue("deploy_steps"));
            // the shape of user steps, before the conductor checks them against the node's steps (Ironic's
            // _check_steps)
            if (verb == ApiVerb.CLEAN) {
                io.anvil.conductor.steps.UserSteps.checkShape(
                        io.anvil.conductor.steps.StepType.CLEAN, body.getValue("clean_steps"));
            }
            if (body.getValue("deploy_steps") instanceof JsonArray ds && !ds.isEmpty()) {
                io.anvil.conductor.steps.UserSteps.checkShape(io.anvil.conductor.steps.StepType.DEPLOY, ds);
            }
            return provisioning().provision(uuid, verb, body).onSuccess(x -> location(ctx, uuid));
        });
    }

    /**
     * Ironic's check_allow_deploy_steps: only with target {@code active} or {@code rebuild} (Ironic refuses the
     * {@code deploy} alias too), and only from API 1.69.
     */
    private static void checkDeployStepsAllowed(ApiVersion v, ApiVerb verb, Object deploySteps) {
        if (deploySteps == null || (deploySteps instanceof JsonArray a && a.isEmpty())) {
            return;
        }
        if (verb != ApiVerb.ACTIVE && verb != ApiVerb.REBUILD) {
            throw AnvilException.invalid(
                    "\"deploy_steps\" is only valid when setting target provision state to active or rebuild");
        }
        if (!v.atLeast(69)) {
            throw AnvilException.notAcceptable("The \"deploy_steps\" field needs API version 1.69 or later.");
        }
    }

    private static List<?> list(JsonObject body, String key) {
        Object v = body.getValue(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof JsonArray a)) {
            throw AnvilException.invalid("'" + key + "' must be a list of steps.");
        }
        return a.getList();
    }

    private void location(RoutingContext ctx, String uuid) {
        ctx.response()
                .putHeader(
                        "Location",
                        Links.base(ctx, services.config().api().publicUrl()) + "/v1/nodes/" + uuid + "/states");
    }

    /** PUT /v1/nodes/{id}/states/power → 202. */
    Future<Void> setPowerState(RoutingContext ctx) {
        ApiVersion v = Requests.version(ctx);
        JsonObject body = Requests.jsonObject(ctx);
        for (String k : body.fieldNames()) {
            if (!k.equals("target") && !k.equals("timeout")) {
                throw AnvilException.invalid("Unknown attribute for power state change: " + k + ".");
            }
        }
        String target = body.getValue("target") instanceof String s ? s : null;
        PowerState state = target == null
                ? null
                : PowerState.lookup(target).filter(PowerState::isApiTarget).orElse(null);
        if (state == null) {
            throw AnvilException.invalid("Invalid power target \"" + body.getValue("target")
                    + "\"; use one of: power on, " + "power off, rebooting, soft rebooting, soft power off.");
        }
        Integer timeout = null;
        if (body.getValue("timeout") != null) {
            if (!(body.getValue("timeout") instanceof Integer t) || t < 1) {
                throw AnvilException.invalid("The power timeout must be a positive integer (seconds).");
            }
            timeout = t;
        }
        if ((state.isSoft() || timeout != null) && !v.atLeast(27)) {
            throw AnvilException.notAcceptable("Soft power actions and timeout need API version 1.27 or later.");
        }
        Integer t = timeout;
        return nodes.load(ctx.pathParam("node")).compose(node -> {
            String ps = node.getString("provision_state");
            if (ps.equals("cleaning") || ps.equals("clean wait")) {
                return Future.failedFuture(AnvilException.invalid("Node " + node.getString("uuid")
                        + " is in provision state \"" + ps + "\"; power changes are refused while cleaning."));
            }
            String uuid = node.getString("uuid");
            return power().changePowerState(uuid, state, t).onSuccess(x -> location(ctx, uuid));
        });
    }

    /** PUT /v1/nodes/{id}/management/boot_device → 204. */
    Future<Void> setBootDevice(RoutingContext ctx) {
        JsonObject body = Requests.jsonObject(ctx);
        if (!(body.getValue("boot_device") instanceof String device)) {
            throw AnvilException.invalid("Mandatory field missing: 'boot_device'.");
        }
        Object p = body.getValue("persistent");
        if (p != null && !(p instanceof Boolean)) {
            throw AnvilException.invalid("'persistent' must be a boolean.");
        }
        return power().setBootDevice(ctx.pathParam("node"), device, Boolean.TRUE.equals(p));
    }

    Future<JsonObject> getBootDevice(RoutingContext ctx) {
        return power().getBootDevice(ctx.pathParam("node"));
    }

    Future<JsonObject> supportedBootDevices(RoutingContext ctx) {
        return power().supportedBootDevices(ctx.pathParam("node"))
                .map(l -> new JsonObject().put("supported_boot_devices", new JsonArray(l)));
    }

    /** GET /v1/nodes/{id}/lock: Anvil's view of the fair lock — holder, shared holders, queue in order. */
    Future<JsonObject> lock(RoutingContext ctx) {
        NodeLockService locks = services.conductor().locks();
        return nodes.load(ctx.pathParam("node"))
                .compose(node -> locks.inspect(node.getString("uuid")))
                .map(ProvisionApi::lockJson);
    }

    static JsonObject lockJson(LockInfo info) {
        JsonArray shared = new JsonArray();
        info.shared().forEach(h -> shared.add(holder(h)));
        JsonArray queue = new JsonArray();
        info.queue()
                .forEach(w -> queue.add(new JsonObject()
                        .put("owner", w.owner())
                        .put("mode", mode(w.mode()))
                        .put("purpose", w.purpose())
                        .put("position", w.position())
                        .put("waited_ms", w.waited().toMillis())));
        return new JsonObject()
                .put("node_uuid", info.nodeUuid())
                .put("exclusive", info.exclusive() == null ? null : holder(info.exclusive()))
                .put("shared", shared)
                .put("queue", queue)
                .put("queue_length", info.queueLength())
                .put("last_fence", info.lastFence());
    }

    private static JsonObject holder(LockInfo.Holder h) {
        return new JsonObject()
                .put("owner", h.owner())
                .put("mode", mode(h.mode()))
                .put("purpose", h.purpose())
                .put("fence", h.fence())
                .put("held_ms", h.age().toMillis())
                .put("lease_ttl_ms", h.ttl().toMillis());
    }

    private static String mode(io.anvil.lock.LockMode m) {
        return m.name().toLowerCase();
    }
}
