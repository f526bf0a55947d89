package io.anvil.driver.redfish;

import io.anvil.driver.DriverTask;
import io.anvil.driver.ManagementInterface;
import io.anvil.driver.steps.CleanStep;
import io.anvil.driver.steps.StepArg;
import io.anvil.errors.AnvilException;
import io.anvil.errors.UnsupportedDriverExtension;
import io.anvil.redfish.RedfishClient;
import io.anvil.redfish.RedfishException;
import io.anvil.redfish.RedfishTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's redfish management interface ({@code ironic/drivers/modules/redfish/management.py}): the boot source
 * override (Pxe, Hdd, Cd, BiosSetup; Continuous or Once), the boot mode (UEFI or Legacy), secure boot, the system's
 * and chassis' IndicatorLED, NMI through ComputerSystem.Reset, sensor readings from the chassis' Thermal and Power
 * resources, and firmware updates through UpdateService.SimpleUpdate as the {@code update_firmware} clean step.
 */
public final class RedfishManagement implements ManagementInterface {
    private static final Logger LOG = LoggerFactory.getLogger(RedfishManagement.class);
    static final Map<String, String> DEVICES = Map.of("pxe", "Pxe", "disk", "Hdd", "cdrom", "Cd", "bios", "BiosSetup");
    private static final Map<String, String> LED_TO_IRONIC = Map.of("Lit", "ON", "Off", "OFF", "Blinking", "BLINKING");
    private static final Map<String, String> IRONIC_TO_LED = Map.of("ON", "Lit", "OFF", "Off", "BLINKING", "Blinking");

    private final RedfishNodes nodes;

    public RedfishManagement(RedfishNodes nodes) {
        this.nodes = nodes;
    }

    @Override
    public Future<Void> validate(DriverTask task) {
        return nodes.validate(task);
    }

    @Override
    public List<String> supportedBootDevices(DriverTask task) {
        return List.of("pxe", "disk", "cdrom", "bios");
    }

    /** PATCH Boot {BootSourceOverrideTarget, BootSourceOverrideEnabled: Continuous|Once} with the system's ETag. */
    @Override
    public Future<Void> setBootDevice(DriverTask task, String device, boolean persistent) {
        String target = DEVICES.get(device);
        if (target == null) {
            return Future.failedFuture(AnvilException.invalid("Invalid boot device " + device + " specified."));
        }
        RedfishTarget t = nodes.target(task);
        return nodes.client().system(t).compose(r -> {
            JsonObject boot = r.body().getJsonObject("Boot", new JsonObject());
            JsonArray allowed = boot.getJsonArray("BootSourceOverrideTarget@Redfish.AllowableValues");
            if (allowed != null && !allowed.contains(target)) {
                return Future.failedFuture(new RedfishException.Unsupported(
                        t.bmc(),
                        "The BMC " + t.bmc() + " does not support the boot device " + target + " (" + device
                                + "); it allows " + allowed.encode() + "."));
            }
            JsonObject patch = new JsonObject()
                    .put(
                            "Boot",
                            new JsonObject()
                                    .put("BootSourceOverrideTarget", target)
                                    .put("BootSourceOverrideEnabled", persistent ? "Continuous" : "Once"));
            return nodes.client()
                    .patch(t, r.body().getString("@odata.id"), patch, r.etag())
                    .mapEmpty();
        });
    }

    @Override
    public Future<JsonObject> getBootDevice(DriverTask task) {
        return nodes.system(task).map(r -> {
            JsonObject boot = r.body().getJsonObject("Boot", new JsonObject());
            String device = null;
            for (var e : DEVICES.entrySet()) {
                if (e.getValue().equals(boot.getString("BootSourceOverrideTarget"))) {
                    device = e.getKey();
                }
            }
            return new JsonObject()
                    .put("boot_device", device)
                    .put("persistent", "Continuous".equals(boot.getString("BootSourceOverrideEnabled")));
        });
    }

    /** Ironic's redfish inject_nmi: ComputerSystem.Reset with ResetType Nmi. */
    @Override
    public Future<Void> injectNmi(DriverTask task) {
        RedfishTarget t = nodes.target(task);
        return nodes.client()
                .system(t)
                .compose(r -> nodes.client()
                        .action(t, r.body(), RedfishPower.RESET, "ResetType", new JsonObject().put("ResetType", "Nmi")))
                .mapEmpty();
    }

    /** Ironic's set_boot_mode: BootSourceOverrideMode UEFI ("uefi") or Legacy ("bios"). */
    @Override
    public Future<Void> setBootMode(DriverTask task, String mode) {
        String value = "uefi".equals(mode) ? "UEFI" : "bios".equals(mode) ? "Legacy" : null;
        if (value == null) {
            return Future.failedFuture(AnvilException.invalid("Invalid boot mode " + mode + " specified."));
        }
        RedfishTarget t = nodes.target(task);
        return nodes.client().system(t).compose(r -> {
            JsonObject boot = r.body().getJsonObject("Boot", new JsonObject());
            if (!boot.containsKey("BootSourceOverrideMode")) {
                return Future.failedFuture(new UnsupportedDriverExtension(
                        task.node().getString("driver"),
                        "set_boot_mode (the system has no Boot.BootSourceOverrideMode)"));
            }
            JsonObject patch = new JsonObject().put("Boot", new JsonObject().put("BootSourceOverrideMode", value));
            return nodes.client()
                    .patch(t, r.body().getString("@odata.id"), patch, r.etag())
                    .mapEmpty();
        });
    }

    /** Ironic's set_secure_boot_state: PATCH the system's SecureBoot resource {SecureBootEnable}. */
    @Override
    public Future<Void> setSecureBootState(DriverTask task, boolean enabled) {
        RedfishTarget t = nodes.target(task);
        return nodes.client().system(t).compose(r -> {
            String sb = RedfishClient.odataId(r.body().getValue("SecureBoot"));
            if (sb == null) {
                return Future.failedFuture(new UnsupportedDriverExtension(
                        task.node().getString("driver"), "set_secure_boot_state (the system has no SecureBoot)"));
            }
            return nodes.client().get(t, sb).compose(res -> nodes.client()
                    .patch(t, sb, new JsonObject().put("SecureBootEnable", enabled), res.etag())
                    .mapEmpty());
        });
    }

    // ---- indicators: the system's and its chassis' IndicatorLED ----

    private static JsonObject led() {
        return new JsonObject()
                .put(
                        "led",
                        new JsonObject()
                                .put("readonly", false)
                                .put(
                                        "states",
                                        new JsonArray()
                                                .add("BLINKING")
                                                .add("OFF")
                                                .add("ON")));
    }

    @Override
    public Future<JsonObject> supportedIndicators(DriverTask task, String component) {
        JsonObject all = new JsonObject().put("system", led()).put("chassis", led());
        JsonObject out = new JsonObject();
        all.forEach(e -> {
            if (component == null || component.equals(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        });
        return Future.succeededFuture(out);
    }

    /** The resource holding a component's LED: the system, or the system's first chassis. */
    private Future<String> ledResource(RedfishTarget t, String component, String indicator) {
        if (!"led".equals(indicator) || !("system".equals(component) || "chassis".equals(component))) {
            return Future.failedFuture(AnvilException.invalid("Invalid indicator " + indicator + "@" + component
                    + " specified; this node has led@system and led@chassis."));
        }
        return nodes.client().system(t).compose(r -> {
            if ("system".equals(component)) {
                return Future.succeededFuture(r.body().getString("@odata.id"));
            }
            JsonArray chassis =
                    r.body().getJsonObject("Links", new JsonObject()).getJsonArray("Chassis");
            if (chassis == null || chassis.isEmpty()) {
                return Future.failedFuture(AnvilException.invalid("The system has no chassis."));
            }
            return Future.succeededFuture(RedfishClient.odataId(chassis.getValue(0)));
        });
    }

    @Override
    public Future<String> getIndicatorState(DriverTask task, String component, String indicator) {
        RedfishTarget t = nodes.target(task);
        return ledResource(t, component, indicator)
                .compose(path -> nodes.client().getJson(t, path))
                .map(res -> LED_TO_IRONIC.getOrDefault(res.getString("IndicatorLED"), "UNKNOWN"));
    }

    @Override
    public Future<Void> setIndicatorState(DriverTask task, String component, String indicator, String state) {
        String led = IRONIC_TO_LED.get(state);
        if (led == null) {
            return Future.failedFuture(AnvilException.invalid(
                    "Invalid indicator state " + state + " specified; supported: BLINKING, OFF, ON."));
        }
        RedfishTarget t = nodes.target(task);
        return ledResource(t, component, indicator)
                .compose(path -> nodes.client().get(t, path).compose(res -> nodes.client()
                        .patch(t, path, new JsonObject().put("IndicatorLED", led), res.etag())))
                .mapEmpty();
    }

    // ---- sensors ----

    /**
     * Ironic's get_sensors_data for redfish: temperatures and fans from each chassis' Thermal, power supplies (and
     * the chassis' power control) from its Power resource, drives from the system's SimpleStorage (else Storage), as
     * {type: {sensor id: {fields, "state", "health"}}} with Ironic's ids and field names, plus Ironic's "Extra"
     * (manufacturer, model, UUID). A part that cannot be read is left out, as Ironic does.
     */
    @Override
    public Future<JsonObject> getSensorsData(DriverTask task) {
        RedfishTarget t = nodes.target(task);
        return nodes.client().system(t).compose(r -> {
            JsonObject system = r.body();
            JsonObject out = new JsonObject()
                    .put("Temperature", new JsonObject())
                    .put("Fan", new JsonObject())
                    .put("Power", new JsonObject())
                    .put("Drive", new JsonObject())
                    .put(
                            "Extra",
                            new JsonObject()
                                    .put("Manufacturer", system.getString("Manufacturer"))
                                    .put("Model", system.getString("Model"))
                                    .put("UUID", system.getString("UUID")));
            List<Future<Void>> reads = new ArrayList<>();
            JsonArray chassis =
                    system.getJsonObject("Links", new JsonObject()).getJsonArray("Chassis", new JsonArray());
            for (Object c : chassis) {
                String path = RedfishClient.odataId(c);
                if (path != null) {
                    reads.add(partly(
                            task,
                            "chassis " + path,
                            nodes.client().getJson(t, path).compose(ch -> readChassisSensors(t, ch, out))));
                }
            }
            reads.add(partly(task, "drives", readDrives(t, system, out.getJsonObject("Drive"))));
            return Future.all(reads).map(out);
        });
    }

    /** A part of the sensor data that failed is logged and left out (Ironic logs it at debug level). */
    private static Future<Void> partly(DriverTask task, String what, Future<Void> read) {
        return read.recover(e -> {
            LOG.debug("Failed reading {} sensor data of node {}: {}", what, task.uuid(), e.toString());
            return Future.succeededFuture();
        });
    }

    private Future<Void> readChassisSensors(RedfishTarget t, JsonObject chassis, JsonObject out) {
        String chassisId = chassis.getString("Id", "");
        List<Future<Void>> reads = new ArrayList<>();
        String thermal = RedfishClient.odataId(chassis.getValue("Thermal"));
        if (thermal != null) {
            Function<JsonObject, String> key = s -> s.getString("MemberId") + "@" + chassisId;
            reads.add(nodes.client().getJson(t, thermal).map(th -> {
                collect(
                        th,
                        "Temperatures",
                        out.getJsonObject("Temperature"),
                        key,
                        "MemberId",
                        "identity",
                        "MaxReadingRangeTemp",
                        "max_reading_range_temp",
                        "MinReadingRangeTemp",
                        "min_reading_range_temp",
                        "ReadingCelsius",
                        "reading_celsius",
                        "PhysicalContext",
                        "physical_context",
                        "SensorNumber",
                        "sensor_number");
                collect(
                        th,
                        "Fans",
                        out.getJsonObject("Fan"),
                        key,
                        "MemberId",
                        "identity",
                        "MaxReadingRange",
                        "max_reading_range",
                        "MinReadingRange",
                        "min_reading_range",
                        "Reading",
                        "reading",
                        "ReadingUnits",
                        "reading_units",
                        "SerialNumber",
                        "serial_number",
                        "PhysicalContext",
                        "physical_context");
                return null;
            }));
        }
        String power = RedfishClient.odataId(chassis.getValue("Power"));
        if (power != null) {
            reads.add(nodes.client().getJson(t, power).map(pw -> {
                String at = ":" + pw.getString("Id", "Power") + "@" + chassisId;
                collect(
                        pw,
                        "PowerSupplies",
                        out.getJsonObject("Power"),
                        s -> s.getString("MemberId") + at,
                        "PowerCapacityWatts",
                        "power_capacity_watts",
                        "LineInputVoltage",
                        "line_input_voltage",
                        "LastPowerOutputWatts",
                        "last_power_output_watts",
                        "SerialNumber",
                        "serial_number");
                // Anvil's addition: the chassis' consumption (Ironic reports the supplies only)
                collect(
                        pw,
                        "PowerControl",
                        out.getJsonObject("Power"),
                        s -> "PowerControl" + s.getString("MemberId") + at,
                        "PowerConsumedWatts",
                        "power_consumed_watts",
                        "PowerCapacityWatts",
                        "power_capacity_watts");
                return null;
            }));
        }
        return Future.all(reads).mapEmpty();
    }

    /** Each sensor of {@code resource}'s {@code member} array into {@code group}, under its id {@code key}. */
    private static void collect(
            JsonObject resource, String member, JsonObject group, Function<JsonObject, String> key, String... fields) {
        for (JsonObject s : members(resource, member)) {
            group.put(key.apply(s), sensor(s, fields));
        }
    }

    /**
     * Ironic's drive sensors: SimpleStorage's devices with a capacity (one read per controller), else Storage's
     * drives (one read per drive), each as {@code <name>:<controller id>@<system id>}.
     */
    private Future<Void> readDrives(RedfishTarget t, JsonObject system, JsonObject drives) {
        String systemId = system.getString("Id", "");
        String simple = RedfishClient.odataId(system.getValue("SimpleStorage"));
        if (simple != null) {
            return eachMember(t, simple, controller -> {
                for (JsonObject d : members(controller, "Devices")) {
                    if (d.getValue("CapacityBytes") instanceof Number) {
                        Map.Entry<String, JsonObject> e = drive(d, controller, systemId);
                        drives.put(e.getKey(), e.getValue());
                    }
                }
                return Future.succeededFuture();
            });
        }
        String storage = RedfishClient.odataId(system.getValue("Storage"));
        if (storage == null) {
            return Future.succeededFuture();
        }
        return eachMember(t, storage, controller -> {
            List<Future<Void>> reads = new ArrayList<>();
            for (Object ref : controller.getJsonArray("Drives", new JsonArray())) {
                String path = RedfishClient.odataId(ref);
                if (path != null) {
                    reads.add(nodes.client().getJson(t, path).map(d -> {
                        Map.Entry<String, JsonObject> e = drive(d, controller, systemId);
                        drives.put(e.getKey(), e.getValue());
                        return null;
                    }));
                }
            }
            return Future.all(reads).mapEmpty();
        });
    }

    /** Reads a collection's members and hands each to {@code each}. */
    private Future<Void> eachMember(RedfishTarget t, String collection, Function<JsonObject, Future<Void>> each) {
        return nodes.client().getJson(t, collection).compose(c -> {
            List<Future<Void>> reads = new ArrayList<>();
            for (JsonObject m : members(c, "Members")) {
                String path = RedfishClient.odataId(m);
                if (path != null) {
                    reads.add(nodes.client().getJson(t, path).compose(each));
                }
            }
            return Future.all(reads).mapEmpty();
        });
    }

    private static Map.Entry<String, JsonObject> drive(JsonObject d, JsonObject controller, String systemId) {
        JsonObject sensor = sensor(d, "Name", "name", "Model", "model", "CapacityBytes", "capacity_bytes");
        // some BMCs (HPE) report a drive's health without its state: a drive that reports health is enabled
        if (sensor.getValue("state") == null && sensor.getValue("health") != null) {
            sensor.put("state", "Enabled");
        }
        return Map.entry(d.getString("Name") + ":" + controller.getString("Id") + "@" + systemId, sensor);
    }

    private static List<JsonObject> members(JsonObject resource, String member) {
        List<JsonObject> out = new ArrayList<>();
        for (Object o : resource.getJsonArray(member, new JsonArray())) {
            if (o instanceof JsonObject s) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Ironic's _sensor2dict: the Redfish fields present on the sensor, under Ironic's names ({@code fields} are
     * Redfish name, Ironic name pairs), plus the sensor's name and its Status' state and health.
     */
    private static JsonObject sensor(JsonObject s, String... fields) {
        JsonObject out = new JsonObject();
        for (int i = 0; i < fields.length; i += 2) {
            if (s.containsKey(fields[i])) {
                out.put(fields[i + 1], s.getValue(fields[i]));
            }
        }
        out.put("name", s.getString("Name"));
        JsonObject status = s.getJsonObject("Status", new JsonObject());
        return out.put("state", status.getString("State")).put("health", status.getString("Health"));
    }

    // ---- firmware ----

    /**
     * Ironic's redfish {@code update_firmware} clean step: each image in turn through UpdateService.SimpleUpdate, its
     * task monitor followed until the BMC's task ends (a failed task fails the step with the task's messages).
     */
    @CleanStep(
            priority = 0,
            requiresRamdisk = false,
            argsinfo = {
                @StepArg(
                        name = "firmware_images",
                        description = "A list of firmware images to apply, each a dict with \"url\" (required),"
                                + " \"checksum\" and \"wait\" (seconds to wait after the update).",
                        required = true)
            })
    public Future<Object> updateFirmware(DriverTask task, JsonObject args) {
        if (!(args.getValue("firmware_images") instanceof JsonArray images) || images.isEmpty()) {
            return Future.failedFuture(AnvilException.invalid(
                    "update_firmware needs firmware_images: a non-empty list of {\"url\": ...} objects."));
        }
        for (Object o : images) {
            if (!(o instanceof JsonObject img) || !(img.getValue("url") instanceof String)) {
                return Future.failedFuture(
                        AnvilException.invalid("Each firmware image needs a \"url\"; got " + o + "."));
            }
        }
        RedfishTarget t = nodes.target(task);
        Future<Void> chain = Future.succeededFuture();
        for (Object o : images) {
            JsonObject img = (JsonObject) o;
            chain = chain.compose(v -> simpleUpdate(t, img.getString("url")));
        }
        return chain.map(v -> null);
    }

    private Future<Void> simpleUpdate(RedfishTarget t, String url) {
        return nodes.client().serviceRoot(t).compose(root -> {
            String us = RedfishClient.odataId(root.getValue("UpdateService"));
            if (us == null) {
                return Future.failedFuture(new RedfishException.Unsupported(
                        t.bmc(), "The Redfish service at " + t.bmc() + " has no UpdateService."));
            }
            return nodes.client().getJson(t, us).compose(service -> nodes.client()
                    .action(
                            t,
                            service,
                            "#UpdateService.SimpleUpdate",
                            null,
                            new JsonObject()
                                    .put("ImageURI", url)
                                    .put("TransferProtocol", url.startsWith("https") ? "HTTPS" : "HTTP"))
                    .mapEmpty());
        });
    }
}
