package io.anvil.sim.agent;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One agent's command API, as ironic-python-agent serves it (api/app.py, extensions/base.py): {@code GET
 * /v1/commands/} lists the results, {@code GET /v1/commands/<id>} shows one, {@code POST /v1/commands/} runs
 * {@code {"name": "<extension>.<command>", "params": {...}}} ({@code ?wait=true} answers when it ends). Results carry
 * {@code id}, {@code command_name} (without the extension), {@code command_status} (RUNNING, SUCCEEDED, FAILED,
 * CLEAN_VERSION_MISMATCH), {@code command_error} (IPA's serialized error) and {@code command_result}.
 *
 * <p>IPA's answers, reproduced: bad token 401 "Token invalid."; a body without name or params 400; a name without a
 * dot 400 (InvalidCommandError); an unknown extension 404; an unknown command of a known extension 400 ("Invalid
 * command: Unknown command: x", IPA re-raises InvalidContentError); invalid parameters of a validated command 400; a
 * command while the last one is RUNNING 409 "Agent is busy: executing command x". Any other failure is recorded as a
 * FAILED result. Confined to the fleet's context.
 */
final class AgentCommands {
    /** What the commands act on: the agent and its machine. */
    interface Agent extends HardwareSteps.Machine {
        boolean tokenValid(String presented);

        boolean md5Enabled();

        double startedAt();

        String version();

        /** A command ended: IPA forces a heartbeat. */
        void commandFinished();

        /**
         * rescue.finalize_rescue: keep the password hash, then stop serving the API and heartbeating.
         *
         * @param sentHashed whether Anvil sent a hash ({@code hashed: true}) rather than the clear password
         */
        void finalizeRescue(String passwordHash, boolean sentHashed);

        /** Failure injection for tests: the error the next finalize_rescue fails with, or null. */
        default String finalizeRescueFailure() {
            return null;
        }

        /** system.lockdown: stop serving and heartbeating. */
        void lockdown();

        /** standby.power_off / run_image: the ramdisk shuts the machine down or reboots it. */
        void shutdown(boolean reboot);

        /** The agent's log, for log.collect_system_logs. */
        String journal();

        /** IPA's cached partition_uuids ({@code get_partition_uuids}); null before prepare_image. */
        JsonObject partitionUuids();
    }

    /** How a command runs. */
    private enum Kind {
        SYNC,
        ASYNC
    }

    /** A command: its kind, its Python signature (required, optional, whether it takes **kwargs) and its body. */
    private record Command(
            Kind kind,
            List<String> required,
            List<String> optional,
            boolean kwargs,
            BiFunction<Agent, JsonObject, Future<Object>> body) {}

    /** One command result (IPA's BaseCommandResult). */
    static final class Result {
        final String id = UUID.randomUUID().toString();
        final String name;
        String status = "RUNNING";
        JsonObject error;
        Object result;
        final Promise<Void> done = Promise.promise();

        Result(String name) {
            this.name = name;
        }

        JsonObject toJson() {
            return new JsonObject()
                    .put("id", id)
                    .put("command_name", name)
                    .put("command_status", status)
                    .put("command_error", error)
                    .put("command_result", result);
        }
    }

    /** IPA's extensions and their commands, shared by every agent (built once). */
    private static final Map<String, Map<String, Command>> EXTENSIONS = new LinkedHashMap<>();

    static {
        register();
    }

    private final Agent agent;
    private final LinkedHashMap<String, Result> results = new LinkedHashMap<>();
    private Result last;

    AgentCommands(Agent agent) {
        this.agent = agent;
    }

    /** The results, oldest first (for tests). */
    List<JsonObject> results() {
        List<JsonObject> out = new ArrayList<>();
        results.values().forEach(r -> out.add(r.toJson()));
        return out;
    }

    /** A new boot: IPA's results live in the ramdisk's memory. */
    void clear() {
        results.clear();
        last = null;
    }

    // ---- HTTP ----

    Future<AgentFleet.Reply> handle(HttpMethod method, String path, Map<String, String> query, Buffer body) {
        String rest = path.startsWith("/v1/") ? path.substring(3) : path.equals("/v1") ? "/" : path;
        if (path.equals("/") || path.equals("/v1/") || path.equals("/v1")) {
            return reply(200, new JsonObject().put("name", "OpenStack Ironic Python Agent API"));
        }
        if (rest.equals("/status")) {
            return reply(
                    200, new JsonObject().put("started_at", agent.startedAt()).put("version", agent.version()));
        }
        if (!rest.startsWith("/commands")) {
            return reply(404, fault("404 Not Found: The requested URL was not found on the server."));
        }
        if (!agent.tokenValid(query.get("agent_token"))) {
            return reply(401, fault("401 Unauthorized: Token invalid."));
        }
        boolean wait = "true".equalsIgnoreCase(query.get("wait"));
        String sub = rest.substring("/commands".length());
        if (sub.length() > 1) {
            if (method != HttpMethod.GET) {
                return reply(405, fault("405 Method Not Allowed: The method is not allowed for the requested URL."));
            }
            Result r = results.get(sub.substring(1));
            if (r == null) {
                return reply(
                        404,
                        IpaError.notFound("Command Result", sub.substring(1)).fault());
            }
            return wait ? r.done.future().map(v -> ok(r.toJson())) : reply(200, r.toJson());
        }
        if (method == HttpMethod.GET) {
            return reply(200, new JsonObject().put("commands", new JsonArray(results())));
        }
        if (method != HttpMethod.POST) {
            return reply(405, fault("405 Method Not Allowed: The method is not allowed for the requested URL."));
        }
        JsonObject req;
        try {
            req = body == null || body.length() == 0 ? null : body.toJsonObject();
        } catch (RuntimeException e) {
            req = null;
        }
        if (req == null
                || !(req.getValue("name") instanceof String name)
                || !(req.getValue("params") instanceof JsonObject params)) {
            return reply(400, fault("400 Bad Request: Missing or invalid name or params"));
        }
        Result r;
        try {
            r = execute(name, params);
        } catch (IpaError e) {
            return reply(e.code, e.fault());
        }
        return wait ? r.done.future().map(v -> ok(r.toJson())) : reply(200, r.toJson());
    }

    private static AgentFleet.Reply ok(JsonObject body) {
        return new AgentFleet.Reply(200, body);
    }

    private static Future<AgentFleet.Reply> reply(int status, JsonObject body) {
        return Future.succeededFuture(new AgentFleet.Reply(status, body));
    }

    private static JsonObject fault(String message) {
        return new JsonObject().put("faultcode", "Client").put("faultstring", message);
    }

    // ---- IPA's ExecuteCommandMixin.execute_command ----

    /** Runs a command; throws the IpaError the API answers with (busy, unknown, invalid parameters). */
    Result execute(String fullName, JsonObject params) {
        String[] parts = fullName.split("\\.", 2);
        if (parts.length != 2) {
            throw IpaError.invalidCommand("Command name must be of the form <extension>.<name>");
        }
        if (last != null && last.status.equals("RUNNING")) {
            throw IpaError.busy(last.name);
        }
        Map<String, Command> ext = EXTENSIONS.get(parts[0]);
        if (ext == null) {
            throw IpaError.notFound("Extension", parts[0]);
        }
        Command cmd = ext.get(parts[1]);
        if (cmd == null) {
            throw IpaError.invalidCommand("Unknown command: " + parts[1]);
        }
        String typeError = signatureError(parts[1], cmd, params);
        if (cmd.kind == Kind.SYNC) {
            Future<Object> f = typeError != null
                    ? Future.failedFuture(new HardwareSteps.TypeError(typeError))
                    : invoke(cmd, agent, params);
            // sync commands complete at once; a failure is recorded under the full name, as IPA's execute_command
            Result r = new Result(f.succeeded() ? parts[1] : fullName);
            if (f.succeeded()) {
                r.status = "SUCCEEDED";
                r.result = f.result() instanceof String s ? new JsonObject().put("result", s) : f.result();
            } else {
                failSync(r, f.cause());
            }
            r.done.tryComplete();
            record(r);
            return r;
        }
        // a validator's InvalidCommandParamsError propagates from here: the API answers 400, nothing is recorded
        Future<Object> f = typeError != null
                ? Future.failedFuture(new HardwareSteps.TypeError(typeError))
                : invoke(cmd, agent, params);
        Result r = new Result(parts[1]);
        record(r);
        f.onComplete(ar -> {
            if (ar.succeeded()) {
                r.status = "SUCCEEDED";
                r.result = ar.result() instanceof String s
                        ? new JsonObject().put("result", parts[1] + ": " + s)
                        : ar.result();
            } else if (ar.cause() instanceof IpaError e && e.type.equals("VersionMismatch")) {
                r.status = "CLEAN_VERSION_MISMATCH";
                r.error = e.toJson();
            } else {
                r.status = "FAILED";
                r.error = IpaError.of(ar.cause()).toJson();
            }
            r.done.tryComplete();
            agent.commandFinished();
        });
        return r;
    }

    /** A synchronous failure: IPA records a SyncCommandResult named with the full command name. */
    private static void failSync(Result r, Throwable cause) {
        r.status = "FAILED";
        if (cause instanceof HardwareSteps.TypeError t) {
            r.error = new JsonObject()
                    .put("type", "TypeError")
                    .put("code", 500)
                    .put("message", t.getMessage())
                    .put("details", t.getMessage());
        } else {
            r.error = IpaError.of(cause).toJson();
        }
    }

    private void record(Result r) {
        results.put(r.id, r);
        last = r;
    }

    private static Future<Object> invoke(Command cmd, Agent agent, JsonObject params) {
        try {
            return cmd.body.apply(agent, params);
        } catch (IpaError e) {
            if (e.isInvalidContent()) {
                throw e; // IPA's execute_command re-raises InvalidContentError to the caller
            }
            return Future.failedFuture(e);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** Python's TypeError for a call that does not fit the command's signature, or null. */
    private static String signatureError(String name, Command cmd, JsonObject params) {
        List<String> missing = new ArrayList<>();
        for (String p : cmd.required) {
            if (!params.containsKey(p)) {
                missing.add("'" + p + "'");
            }
        }
        if (!missing.isEmpty()) {
            return name + "() missing " + missing.size() + " required positional argument"
                    + (missing.size() == 1 ? "" : "s") + ": " + String.join(" and ", missing);
        }
        if (!cmd.kwargs) {
            for (String p : params.fieldNames()) {
                if (!cmd.required.contains(p) && !cmd.optional.contains(p)) {
                    return name + "() got an unexpected keyword argument '" + p + "'";
                }
            }
        }
        return null;
    }

    // ---- the extensions ----

    private static void command(
            String ext,
            String name,
            Kind kind,
            List<String> required,
            List<String> optional,
            boolean kwargs,
            BiFunction<Agent, JsonObject, Future<Object>> body) {
        EXTENSIONS
                .computeIfAbsent(ext, k -> new LinkedHashMap<>())
                .put(name, new Command(kind, required, optional, kwargs, body));
    }

    private static void register() {
        // clean, deploy, service: the same pair of commands each (extensions/clean.py, deploy.py, service.py)
        stepCommands("clean", HardwareSteps::cleanSteps, IpaError::cleaning);
        stepCommands("deploy", HardwareSteps::deploySteps, IpaError::deployment);
        stepCommands("service", HardwareSteps::serviceSteps, IpaError::servicing);

        // standby (extensions/standby.py)
        command(
                "standby",
                "prepare_image",
                Kind.ASYNC,
                List.of(),
                List.of("image_info", "configdrive"),
                false,
                (agent, p) -> {
                    JsonObject info = p.getValue("image_info") instanceof JsonObject o ? o : null;
                    ImageWriter.validate(info, agent.md5Enabled()); // raised before the command starts: 400
                    return agent.writeImage(info, p.getValue("configdrive")).map(text -> (Object) text);
                });
        command("standby", "get_partition_uuids", Kind.SYNC, List.of(), List.of(), false, (agent, p) -> {
            JsonObject uuids = agent.partitionUuids();
            return Future.succeededFuture(uuids == null ? new JsonObject() : uuids.copy());
        });
        command("standby", "sync", Kind.SYNC, List.of(), List.of(), false, (agent, p) -> Future.succeededFuture(null));
        command("standby", "power_off", Kind.ASYNC, List.of(), List.of(), false, (agent, p) -> agent.pause()
                .map(v -> {
                    agent.shutdown(false);
                    return null;
                }));
        command("standby", "run_image", Kind.ASYNC, List.of(), List.of(), false, (agent, p) -> agent.pause()
                .map(v -> {
                    agent.shutdown(true);
                    return null;
                }));

        // rescue (extensions/rescue.py): Ironic sends the hashed password
        command(
                "rescue",
                "finalize_rescue",
                Kind.SYNC,
                List.of(),
                List.of("rescue_password", "hashed"),
                false,
                (agent, p) -> {
                    String failure = agent.finalizeRescueFailure();
                    if (failure != null) {
                        return Future.failedFuture(IpaError.commandExecution(failure));
                    }
                    String password = String.valueOf(p.getValue("rescue_password", ""));
                    boolean hashed = Boolean.TRUE.equals(p.getValue("hashed"));
                    agent.finalizeRescue(
                            hashed ? password : Sha256Crypt.hash(password, Sha256Crypt.randomSalt()), hashed);
                    return Future.succeededFuture(null);
                });

        // log (extensions/log.py): Ironic collects the ramdisk's logs when a deploy fails ([agent]deploy_logs_collect)
        command(
                "log",
                "collect_system_logs",
                Kind.SYNC,
                List.of(),
                List.of(),
                false,
                (agent, p) -> Future.succeededFuture(new JsonObject()
                        .put(
                                "system_logs",
                                LogArchive.gzipTarBase64(
                                        Map.of("journal", agent.journal()), System.currentTimeMillis() / 1000))));

        // system (extensions/system.py)
        command("system", "lockdown", Kind.SYNC, List.of(), List.of(), false, (agent, p) -> {
            agent.lockdown();
            return Future.succeededFuture(null);
        });

        // image (extensions/image.py): a partition image's boot loader
        command(
                "image",
                "install_bootloader",
                Kind.ASYNC,
                List.of("root_uuid"),
                List.of("efi_system_part_uuid", "prep_boot_part_uuid", "target_boot_mode", "ignore_bootloader_failure"),
                false,
                (agent, p) -> agent.pause().map(v -> null));

        // poll (extensions/poll.py)
        command(
                "poll",
                "get_hardware_info",
                Kind.SYNC,
                List.of(),
                List.of(),
                false,
                (agent, p) -> Future.succeededFuture(agent.inventory().copy()));
        EXTENSIONS.computeIfAbsent("flow", k -> new LinkedHashMap<>());
    }

    private static void stepCommands(
            String ext, java.util.function.Supplier<JsonArray> steps, Function<String, IpaError> wrap) {
        String version = ext + "_version";
        command(ext, "get_" + ext + "_steps", Kind.SYNC, List.of("node", "ports"), List.of(), false, (agent, p) -> {
            JsonObject declared = new JsonObject().put(HardwareSteps.MANAGER_CLASS, steps.get());
            return Future.succeededFuture(new JsonObject()
                    .put(ext + "_steps", declared)
                    .put("hardware_manager_version", HardwareSteps.versions()));
        });
        command(
                ext,
                "execute_" + ext + "_step",
                Kind.ASYNC,
                List.of("step", "node", "ports"),
                List.of(version),
                true,
                (agent, p) -> {
                    Object provided = p.getValue(version);
                    if (provided != null && !HardwareSteps.versions().equals(provided)) {
                        return Future.failedFuture(
                                IpaError.versionMismatch(HardwareSteps.versions(), encode(provided)));
                    }
                    JsonObject step = p.getValue("step") instanceof JsonObject s ? s : new JsonObject();
                    if (!(step.getValue("step") instanceof String stepName)) {
                        return Future.failedFuture(IpaError.commandExecution(
                                "Malformed " + ext + "_step, no \"step\" key: " + step.encode()));
                    }
                    JsonObject args = new JsonObject();
                    for (String k : p.fieldNames()) {
                        if (!Set.of("step", "node", "ports", version).contains(k)) {
                            args.put(k, p.getValue(k));
                        }
                    }
                    if (step.getValue("args") instanceof JsonObject a) {
                        args.mergeIn(a);
                    }
                    if (!HardwareSteps.METHODS.contains(stepName)) {
                        return Future.failedFuture(IpaError.methodNotFound(stepName));
                    }
                    JsonObject node = p.getValue("node") instanceof JsonObject n ? n : new JsonObject();
                    String resultKey = ext + "_result";
                    return HardwareSteps.run(stepName, node, args, agent)
                            .recover(e -> Future.failedFuture(
                                    e instanceof IpaError
                                            ? e
                                            : wrap.apply("Unexpected exception performing " + ext + " step " + stepName
                                                    + ". "
                                                    + (e instanceof HardwareSteps.TypeError
                                                            ? "TypeError"
                                                            : e.getClass().getSimpleName())
                                                    + ": " + e.getMessage())))
                            .map(result ->
                                    new JsonObject().put(resultKey, result).put(ext + "_step", step));
                });
    }

    private static String encode(Object o) {
        return o instanceof JsonObject j ? j.encode() : String.valueOf(o);
    }

    /** Constant-time comparison of an agent token (never logged). */
    static boolean sameToken(String expected, String presented) {
        if (expected == null || presented == null || presented.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
