package io.anvil.sim.agent;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * ironic-python-agent's GenericHardwareManager as the simulator has it (hardware.py): the clean, deploy and service
 * steps it declares, with IPA's priorities, interfaces, {@code reboot_requested}, {@code abortable} and
 * {@code argsinfo}, and what running each one does to the simulated machine. Erasing steps blank the
 * {@link SimulatedDisk}; {@code write_image} runs {@code standby.prepare_image}; the rest take
 * {@code stepTime} and change nothing.
 */
final class HardwareSteps {
    static final String MANAGER_CLASS = "GenericHardwareManager";
    static final String MANAGER_NAME = "generic_hardware_manager";
    static final String MANAGER_VERSION = "1.2";

    private static final JsonObject RAID_APPLY_ARGSINFO = new JsonObject()
            .put(
                    "raid_config",
                    new JsonObject()
                            .put("description", "The RAID configuration to apply.")
                            .put("required", true))
            .put(
                    "delete_existing",
                    new JsonObject()
                            .put(
                                    "description",
                                    "Setting this to 'True' indicates to delete existing RAID configuration prior to "
                                            + "creating the new configuration. Default value is 'True'.")
                            .put("required", false));

    private static final JsonObject UEFI_NVRAM_ARGSINFO = new JsonObject()
            .put(
                    "match_patterns",
                    new JsonObject()
                            .put(
                                    "description",
                                    "Json blob contains a list of regex patterns where any UEFI NVRAM entry matching "
                                            + "that pattern will be deleted. Default value is "
                                            + "'[\"^HD\\(\", \"shim.*\\.efi\", \"grub.*\\.efi\"]'")
                            .put("required", false));

    private static final JsonObject INJECT_FILES_ARGSINFO = new JsonObject()
            .put(
                    "files",
                    new JsonObject()
                            .put(
                                    "description",
                                    "Files to inject, a list of file structures with keys: 'path' (path to the file), "
                                            + "'partition' (partition specifier), 'content' (base64 encoded string), "
                                            + "'mode' (new file mode) and 'dirmode' (mode for the leaf directory, if "
                                            + "created). Merged with the values from node.properties[inject_files].")
                            .put("required", false))
            .put(
                    "verify_ca",
                    new JsonObject()
                            .put(
                                    "description",
                                    "Whether to verify TLS certificates. Global agent options are used by default.")
                            .put("required", false));

    private HardwareSteps() {}

    /** {@code hardware_manager_version}: IPA's get_current_versions. */
    static JsonObject versions() {
        return new JsonObject().put(MANAGER_NAME, MANAGER_VERSION);
    }

    private static JsonObject step(String name, int priority, String iface, Boolean abortable, JsonObject argsinfo) {
        JsonObject s = new JsonObject()
                .put("step", name)
                .put("priority", priority)
                .put("interface", iface)
                .put("reboot_requested", false);
        if (abortable != null) {
            s.put("abortable", abortable);
        }
        if (argsinfo != null) {
            s.put("argsinfo", argsinfo.copy());
        }
        return s;
    }

    static JsonArray cleanSteps() {
        return new JsonArray()
                .add(step("erase_devices", 10, "deploy", true, null))
                .add(step("erase_devices_metadata", 99, "deploy", true, null))
                .add(step("erase_devices_express", 0, "deploy", true, null))
                .add(step("erase_pstore", 0, "deploy", true, null))
                .add(step("clean_uefi_nvram", 0, "deploy", true, UEFI_NVRAM_ARGSINFO))
                .add(step("delete_configuration", 0, "raid", true, null))
                .add(step("create_configuration", 0, "raid", true, null))
                .add(step("burnin_cpu", 0, "deploy", true, null))
                .add(step("burnin_gpu", 0, "deploy", true, null))
                .add(step("burnin_disk", 0, "deploy", true, null))
                .add(step("burnin_memory", 0, "deploy", true, null))
                .add(step("burnin_network", 0, "deploy", true, null));
    }

    static JsonArray deploySteps() {
        return new JsonArray()
                .add(step("erase_devices_metadata", 0, "deploy", null, null))
                .add(step("apply_configuration", 0, "raid", null, RAID_APPLY_ARGSINFO))
                .add(step("clean_uefi_nvram", 0, "deploy", null, UEFI_NVRAM_ARGSINFO))
                .add(step("write_image", 0, "deploy", null, null))
                // IPA's inject_files_priority, 0 unless the ramdisk's kernel parameters say otherwise
                .add(step("inject_files", 0, "deploy", null, INJECT_FILES_ARGSINFO))
                .add(step("execute_bootc_install", 0, "deploy", null, null));
    }

    static JsonArray serviceSteps() {
        return new JsonArray()
                .add(step("delete_configuration", 0, "raid", true, null))
                .add(step("apply_configuration", 0, "raid", null, RAID_APPLY_ARGSINFO))
                .add(step("create_configuration", 0, "raid", true, null))
                .add(step("burnin_cpu", 0, "deploy", true, null))
                .add(step("burnin_gpu", 0, "deploy", true, null))
                .add(step("burnin_memory", 0, "deploy", true, null))
                .add(step("burnin_network", 0, "deploy", true, null))
                .add(step("write_image", 0, "deploy", null, null))
                .add(step("inject_files", 0, "deploy", null, INJECT_FILES_ARGSINFO))
                .add(step("execute_bootc_install", 0, "deploy", null, null));
    }

    /** Every method a step may name: IPA dispatches any manager method by name, whichever list declared it. */
    static final Set<String> METHODS;

    static {
        Set<String> all = new LinkedHashSet<>();
        for (JsonArray list : List.of(cleanSteps(), deploySteps(), serviceSteps())) {
            list.forEach(o -> all.add(((JsonObject) o).getString("step")));
        }
        METHODS = Set.copyOf(all);
    }

    /** What a running step needs from its machine. */
    interface Machine {
        SimulatedDisk disk();

        JsonObject inventory();

        Future<Void> pause();

        /**
         * standby.prepare_image's work: validates {@code image_info} (failing with InvalidCommandParamsError), then
         * downloads and writes; completes with IPA's text ("image (id) written to device …").
         */
        Future<String> writeImage(JsonObject imageInfo, Object configdrive);
    }

    /**
     * Runs step {@code name} (already known to exist) with its arguments; fails with an {@link IpaError} as IPA's
     * method would raise it (a missing required argument is a Python TypeError, wrapped by the caller).
     */
    static Future<Object> run(String name, JsonObject node, JsonObject args, Machine m) {
        switch (name) {
            case "erase_devices" -> {
                return m.pause().map(v -> {
                    m.disk().erase(false);
                    JsonObject out = new JsonObject();
                    for (Object d : m.inventory().getJsonArray("disks")) {
                        out.putNull(((JsonObject) d).getString("name"));
                    }
                    return out;
                });
            }
            case "erase_devices_metadata", "erase_devices_express" -> {
                // the simulated disks are SATA: express erase falls back to metadata erasure, as IPA's does
                return m.pause().map(v -> {
                    m.disk().erase(true);
                    return null;
                });
            }
            case "clean_uefi_nvram" -> {
                Object patterns = args.getValue("match_patterns");
                if (patterns != null
                        && !(patterns instanceof JsonArray a && a.stream().allMatch(p -> p instanceof String))) {
                    return Future.failedFuture(
                            IpaError.invalidParams("The match_patterns must be a list of strings: " + patterns));
                }
                return m.pause().map(v -> null);
            }
            case "apply_configuration" -> {
                if (!args.containsKey("raid_config")) {
                    return Future.failedFuture(new TypeError(
                            "apply_configuration() missing 1 required positional argument: 'raid_config'"));
                }
                Object config = args.getValue("raid_config");
                return m.pause().map(v -> config);
            }
            case "create_configuration" -> {
                Object target = node == null ? null : node.getValue("target_raid_config");
                return m.pause().map(v -> target instanceof JsonObject t ? t : new JsonObject());
            }
            case "write_image" -> {
                if (!args.containsKey("image_info")) {
                    return Future.failedFuture(
                            new TypeError("write_image() missing 1 required positional argument: 'image_info'"));
                }
                Object info = args.getValue("image_info");
                // IPA's write_image starts prepare_image and waits for its command_result
                return m.writeImage(info instanceof JsonObject o ? o : null, args.getValue("configdrive"))
                        .map(text -> new JsonObject().put("result", "prepare_image: " + text));
            }
            case "execute_bootc_install" -> {
                return Future.failedFuture(IpaError.commandExecution(
                        "The bootc deploy interface is administratively disable. Deployment cannot proceed."));
            }
            default -> {
                // erase_pstore, delete_configuration, burnin_*, inject_files: time passes, nothing to show
                return m.pause().map(v -> null);
            }
        }
    }

    /** A Python TypeError inside a step (wrong arguments): IPA wraps it into a Cleaning/Deployment/ServicingError. */
    static final class TypeError extends RuntimeException {
        TypeError(String message) {
            super(message, null, false, false);
        }
    }
}
