package io.anvil.conductor;

import io.anvil.driver.BootInterface;
import io.anvil.driver.Driver;
import io.anvil.driver.VendorInterface;
import io.anvil.errors.AnvilException;
import io.anvil.errors.UnsupportedDriverExtension;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's conductor calls behind the node's validate, management, vendor passthru and RAID routes
 * ({@code ironic/conductor/manager.py}: validate_driver_interfaces, inject_nmi, change_node_boot_mode,
 * change_node_secure_boot, the indicator calls, vendor_passthru, set_target_raid_config), with Ironic's locking: shared
 * for reads, exclusive for changes, the boot mode and secure boot changes and asynchronous passthru methods in a
 * worker after the API answered 202.
 */
public final class ManagementActions {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementActions.class);

    /** Ironic's core then optional interfaces (BareDriver.non_vendor_interfaces), the validate answer's order. */
    static final List<String> VALIDATED = List.of(
            "boot",
            "deploy",
            "management",
            "network",
            "power",
            "bios",
            "console",
            "inspect",
            "raid",
            "rescue",
            "storage");

    /** The console, network and storage implementations that validate (nothing to check without Neutron/Cinder). */
    private static final Set<String> PASSIVE = Set.of("fake", "flat", "noop", "neutron");

    private final TaskManager tasks;

    public ManagementActions(TaskManager tasks) {
        this.tasks = tasks;
    }

    // ---- validate ----

    /**
     * GET /v1/nodes/{id}/validate: every interface's {"result": bool, "reason": ...} ("reason" only when it failed),
     * under a shared lock. A check that throws something other than a 400 is reported, not raised, as Ironic does.
     */
    public Future<JsonObject> validateInterfaces(String ident) {
        return tasks.withTask(ident, TaskOptions.shared("driver interface validation"), task -> task.ports()
                .compose(ports -> {
                    JsonObject out = new JsonObject();
                    Future<Void> chain = Future.succeededFuture();
                    for (String iface : VALIDATED) {
                        chain = chain.compose(v -> check(task, iface, ports).transform(ar -> {
                            out.put(iface, result(task, iface, ar.cause()));
                            return Future.<Void>succeededFuture();
                        }));
                    }
                    return chain.map(out);
                }));
    }

    private JsonObject result(Task task, String iface, Throwable error) {
        JsonObject r = new JsonObject();
        if (error == null) {
            return r.put("result", true);
        }
        r.put("result", false);
        if (error instanceof AnvilException a && a.status() < 500) {
            return r.put("reason", a.getMessage());
        }
        if (error instanceof IllegalArgumentException) {
            return r.put("reason", error.getMessage());
        }
        LOG.error(
                "Unexpected exception occurred while validating {} driver interface for driver {}: {} on node {}.",
                iface,
                task.node().getString("driver"),
                error.toString(),
                task.uuid(),
                error);
        return r.put(
                "reason",
                "Unexpected exception, traceback saved into log by the conductor service that is running on "
                        + tasks.host() + ": " + Provisioning.message(error));
    }

    private Future<Void> check(Task task, String iface, List<JsonObject> ports) {
        Driver d = task.driver();
        JsonObject node = task.node();
        String impl = node.getString(iface + "_interface");
        return Futures.attempt(() -> switch (iface) {
            case "boot" -> {
                BootInterface boot = tasks.drivers().bootFor(node);
                if (boot != null) {
                    boot.validate(node, ports);
                }
                yield Future.<Void>succeededFuture();
            }
            case "deploy" -> {
                // Ironic's AgentDeploy.validate checks the boot interface first when it manages the agent's boot
                BootInterface boot = tasks.drivers().bootFor(node);
                if (boot != null && d.deploy().usesAgent()) {
                    boot.validate(node, ports);
                }
                d.deploy().validate(task);
                yield Future.<Void>succeededFuture();
            }
            case "management" -> d.management().validate(task);
            case "power" -> d.power().validate(task);
            case "bios" ->
                d.bios() == null ? unsupported(task, iface) : d.bios().validate(task);
            case "raid" ->
                d.raid() == null ? unsupported(task, iface) : d.raid().validate(task);
            case "inspect" -> {
                if (d.inspect() == null) {
                    yield unsupported(task, iface);
                }
                d.inspect().validate(task);
                yield Future.<Void>succeededFuture();
            }
            case "rescue" -> {
                if (d.rescue() == null) {
                    yield unsupported(task, iface);
                }
                d.rescue().validate(task);
                yield Future.<Void>succeededFuture();
            }
            default -> {
                if (Consoles.INTERFACE.equals(impl)) {
                    // the SOL console needs what the ipmi power interface needs (docs/console.md)
                    io.anvil.driver.ipmi.IpmiDriverInfo.parse(
                            task.node().getString("uuid"), task.node().getJsonObject("driver_info"));
                    yield Future.<Void>succeededFuture();
                }
                yield impl != null && PASSIVE.contains(impl) ? Future.succeededFuture() : unsupported(task, iface);
            }
        });
    }

    private static Future<Void> unsupported(Task task, String iface) {
        return Future.failedFuture(new UnsupportedDriverExtension(task.node().getString("driver"), iface));
    }

    // ---- management ----

    /** Ironic's inject_nmi: synchronous, under the exclusive lock. */
    public Future<Void> injectNmi(String ident) {
        return tasks.withTask(ident, TaskOptions.exclusive("inject nmi"), task -> task.driver()
                .management()
                .validate(task)
                .compose(v -> task.driver().management().injectNmi(task)));
    }

    /**
     * Ironic's change_node_boot_mode: management validated and last_error cleared now (the API answers 202), the change
     * in a worker; it records the new boot_mode, or last_error in Ironic's words when the driver refuses.
     */
    public Future<Void> changeBootMode(String ident, String mode) {
        return tasks.withTask(ident, TaskOptions.exclusive("changing node boot mode"), task -> task.driver()
                .management()
                .validate(task)
                .compose(v -> clearLastError(task))
                .map(v -> {
                    task.spawnAfter(
                            "changing node boot mode",
                            t -> Future.succeededFuture(),
                            t -> change(
                                    t,
                                    Futures.attempt(
                                            () -> t.driver().management().setBootMode(t, mode)),
                                    "boot_mode",
                                    mode,
                                    "Failed to change boot mode to '" + mode + ": "));
                    return (Void) null;
                }));
    }

    /** Ironic's change_node_secure_boot, as {@link #changeBootMode}. */
    public Future<Void> changeSecureBoot(String ident, boolean enabled) {
        return tasks.withTask(ident, TaskOptions.exclusive("changing node secure"), task -> task.driver()
                .management()
                .validate(task)
                .compose(v -> clearLastError(task))
                .map(v -> {
                    task.spawnAfter(
                            "changing node secure boot",
                            t -> Future.succeededFuture(),
                            t -> change(
                                    t,
                                    Futures.attempt(
                                            () -> t.driver().management().setSecureBootState(t, enabled)),
                                    "secure_boot",
                                    enabled,
                                    "Failed to change secure_boot state to '" + (enabled ? "True" : "False") + "': "));
                    return (Void) null;
                }));
    }

    /**
     * Records the driver's answer: the new value, or last_error. Ironic first asks the driver for the current value
     * and skips an identical change; no driver here can report it (Ironic's ipmitool and fake cannot either), so the
     * change is always asked for.
     */
    private static Future<Void> change(
            Task task, Future<Void> action, String column, Object value, String errorPrefix) {
        return action.transform(ar -> {
            Map<String, Object> cols = new HashMap<>();
            if (ar.succeeded()) {
                cols.put(column, value);
            } else {
                cols.put("last_error", errorPrefix + Provisioning.message(ar.cause()));
            }
            return task.save(cols).<Void>mapEmpty();
        });
    }

    private static Future<Void> clearLastError(Task task) {
        if (task.node().getValue("last_error") == null) {
            return Future.succeededFuture();
        }
        Map<String, Object> cols = new HashMap<>();
        cols.put("last_error", null);
        return task.save(cols).mapEmpty();
    }

    /** Ironic's get_supported_indicators (shared lock). */
    public Future<JsonObject> supportedIndicators(String ident) {
        return tasks.withTask(ident, TaskOptions.shared("getting supported indicators"), task -> task.driver()
                .management()
                .supportedIndicators(task, null));
    }

    /** Ironic's get_indicator_state (it takes the exclusive lock and validates management first). */
    public Future<String> indicatorState(String ident, String component, String indicator) {
        return tasks.withTask(ident, TaskOptions.exclusive("getting indicators states"), task -> {
            var mgmt = task.driver().management();
            return mgmt.validate(task)
                    .compose(v -> Futures.attempt(() -> mgmt.getIndicatorState(task, component, indicator)));
        });
    }

    public Future<Void> setIndicatorState(String ident, String component, String indicator, String state) {
        return tasks.withTask(ident, TaskOptions.exclusive("setting indicator state"), task -> {
            var mgmt = task.driver().management();
            return mgmt.validate(task)
                    .compose(v -> Futures.attempt(() -> mgmt.setIndicatorState(task, component, indicator, state)));
        });
    }

    // ---- vendor passthru ----

    /** What a passthru call answered: the body, and whether it ran in a worker (the API answers 202). */
    public record PassthruResult(Object body, boolean async) {}

    /** Ironic's get_node_vendor_passthru_methods: the node's vendor methods' metadata ({} for no-vendor). */
    public Future<JsonObject> vendorMethods(String ident) {
        return tasks.withTask(
                ident,
                TaskOptions.shared("listing vendor passthru methods"),
                task -> Future.succeededFuture(methodsJson(task.driver().vendor())));
    }

    public static JsonObject methodsJson(VendorInterface vendor) {
        JsonObject out = new JsonObject();
        if (vendor != null) {
            vendor.methods().forEach((name, m) -> out.put(name, m.toJson()));
        }
        return out;
    }

    /**
     * Ironic's vendor_passthru: shared lock first, the method looked up and its HTTP method checked, then the lock
     * upgraded when the method needs it, validated, and run now (synchronous) or in a worker (asynchronous).
     */
    public Future<PassthruResult> vendorPassthru(String ident, String method, String httpMethod, JsonObject args) {
        return tasks.withTask(ident, TaskOptions.shared("calling vendor passthru"), task -> {
            VendorInterface vendor = task.driver().vendor();
            VendorInterface.Method m = vendor == null ? null : vendor.methods().get(method);
            if (m == null) {
                return Future.failedFuture(AnvilException.invalid("No handler for method " + method));
            }
            if (!m.httpMethods().contains(httpMethod)) {
                return Future.failedFuture(
                        AnvilException.invalid("The method " + method + " does not support HTTP " + httpMethod));
            }
            Future<Void> locked =
                    m.exclusiveLock() ? task.upgradeLock("calling vendor passthru") : Future.succeededFuture();
            return locked.compose(v -> {
                VendorInterface current = task.driver().vendor();
                current.validate(task, method, args);
                if (!m.async()) {
                    return current.call(task, method, args).map(body -> new PassthruResult(body, false));
                }
                task.spawnAfter(
                        "vendor passthru " + method,
                        t -> Future.succeededFuture(),
                        t -> t.driver().vendor().call(t, method, args).mapEmpty());
                return Future.succeededFuture(new PassthruResult(null, true));
            });
        });
    }

    // ---- RAID ----

    /**
     * Ironic's set_target_raid_config: a non-empty configuration is validated by the node's RAID interface (Ironic's
     * UnsupportedDriverExtension for no-raid, which the API answers 404), then stored; {} clears it.
     */
    public Future<Void> setTargetRaidConfig(String ident, JsonObject config) {
        return tasks.withTask(ident, TaskOptions.exclusive("setting target RAID config"), task -> {
            if (!config.isEmpty()) {
                var raid = task.driver().raid();
                if (raid == null) {
                    return Future.failedFuture(
                            new UnsupportedDriverExtension(task.node().getString("driver"), "raid").withStatus(404));
                }
                raid.validateRaidConfig(task, config);
            }
            return task.save(Map.of("target_raid_config", config)).mapEmpty();
        });
    }
}
