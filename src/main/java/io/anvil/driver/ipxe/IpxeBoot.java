package io.anvil.driver.ipxe;

import io.anvil.driver.BootInterface;
import io.anvil.errors.AnvilException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code ipxe} boot interface. Unlike Ironic, which writes a per-MAC config file under its HTTP root when it
 * prepares a ramdisk, Anvil renders each node's iPXE script when the firmware asks for it, from the node's state at
 * that moment: nothing to prepare, nothing to clean up, nothing stale after a crash. The script carries no secret
 * (no agent token, no BMC credential): the agent gets its token at lookup. See docs/boot.md.
 */
public final class IpxeBoot implements BootInterface {
    /** States whose work runs in the agent ramdisk (Ironic's need_prepare_ramdisk, plus the holds). */
    static final Set<String> DEPLOY_RAMDISK_STATES = Set.of(
            "deploying",
            "wait call-back",
            "deploy hold",
            "cleaning",
            "clean wait",
            "clean hold",
            "inspecting",
            "inspect wait",
            "servicing",
            "service wait",
            "service hold");

    /** States in which the agent runs inspection and posts its inventory (Ironic's prepare_managed_inspection). */
    static final Set<String> INSPECTION_STATES = Set.of("inspecting", "inspect wait");

    static final Set<String> RESCUE_RAMDISK_STATES = Set.of("rescuing", "rescue wait");

    /** An image reference must not be able to add iPXE commands or kernel arguments: one token, no expansions. */
    private static final Pattern SAFE_REF = Pattern.compile("[^\\s${}\"'\\\\]+");

    private final IpxeSettings settings;

    public IpxeBoot(IpxeSettings settings) {
        this.settings = settings;
    }

    @Override
    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("deploy_kernel", "URL or path of the agent's kernel. Required unless conductor.deploy_kernel is set.");
        p.put("deploy_ramdisk", "URL of the agent's initramfs. Required unless conductor.deploy_ramdisk is set.");
        p.put("rescue_kernel", "URL of the rescue ramdisk's kernel. Required for rescue.");
        p.put("rescue_ramdisk", "URL of the rescue ramdisk's initramfs. Required for rescue.");
        p.put(
                "kernel_append_params",
                "Kernel parameters of the ramdisk instead of pxe.kernel_append_params; "
                        + "%default% stands for the configured ones. Optional.");
        return p;
    }

    @Override
    public void validate(JsonObject node, List<JsonObject> ports) {
        if (ports == null || ports.isEmpty()) {
            throw AnvilException.invalid(
                    "Node " + node.getString("uuid") + " does not have any port associated with it");
        }
        images(node, "deploy");
    }

    @Override
    public void validateRescue(JsonObject node) {
        images(node, "rescue");
    }

    /** What a booting node should do, decided from its boot interface and provision state. */
    public enum Action {
        /** Boot the deploy ramdisk (the agent). */
        DEPLOY_RAMDISK,
        /** Boot the rescue ramdisk. */
        RESCUE_RAMDISK,
        /** Nothing for the network to do: hand back to the firmware's next boot device (the local disk). */
        LOCAL_DISK
    }

    public static Action actionFor(JsonObject node) {
        // only nodes that boot through this interface are network-booted (Ironic writes PXE configs for them alone)
        if (!"ipxe".equals(node.getString("boot_interface"))) {
            return Action.LOCAL_DISK;
        }
        String state = node.getString("provision_state");
        if (DEPLOY_RAMDISK_STATES.contains(state)) {
            return Action.DEPLOY_RAMDISK;
        }
        if (RESCUE_RAMDISK_STATES.contains(state)) {
            return Action.RESCUE_RAMDISK;
        }
        return Action.LOCAL_DISK;
    }

    /**
     * The script a node gets when its firmware asks with {@code mac}.
     *
     * @param anvilUrl where the agent reaches Anvil's API ({@code ipa-api-url}), e.g. {@code http://10.0.0.1:6385}
     */
    public String scriptFor(JsonObject node, String mac, String anvilUrl) {
        Action action = actionFor(node);
        String uuid = node.getString("uuid");
        if (action == Action.LOCAL_DISK) {
            return IpxeScripts.localDisk(uuid, node.getString("provision_state"));
        }
        String mode = action == Action.RESCUE_RAMDISK ? "rescue" : "deploy";
        String[] kr;
        try {
            kr = images(node, mode);
        } catch (AnvilException e) {
            // a node the operator has not finished configuring: say so on the console and try again later
            return IpxeScripts.retry(uuid + ": " + e.getMessage());
        }
        return IpxeScripts.ramdisk(
                kr[0], kr[1], mode + "_ramdisk", kernelParams(node, anvilUrl, mac), settings.ipxeTimeout());
    }

    /**
     * The fallback script of a machine Anvil knows by no NIC while {@code waiting} (a node in "inspect wait" whose
     * boot Anvil does not manage: no port yet) waits for its inventory: the agent ramdisk of that node's images, told
     * to inspect. iPXE fills in {@code BOOTIF} with the MAC it booted from, as in Ironic's documented inspector.ipxe,
     * so the agent reports its PXE NIC. The agent is found by its BMC address when it posts.
     */
    public String inspectorScript(JsonObject waiting, String anvilUrl) {
        String[] kr;
        try {
            kr = images(waiting, "deploy");
        } catch (AnvilException e) {
            return IpxeScripts.retry(waiting.getString("uuid") + ": " + e.getMessage());
        }
        String params = operatorParams(waiting);
        String agent = "ipa-api-url=" + anvilUrl + " BOOTIF=${mac} " + IpxeScripts.INSPECTION_CALLBACK_PARAM + "="
                + inspectionCallbackUrl(anvilUrl);
        return IpxeScripts.ramdisk(
                kr[0], kr[1], "deploy_ramdisk", (params.isEmpty() ? "" : params + " ") + agent, settings.ipxeTimeout());
    }

    /** The kernel command line: the operator's parameters, then what the agent needs to find Anvil and its NIC. */
    String kernelParams(JsonObject node, String anvilUrl, String mac) {
        String params = operatorParams(node);
        String agent = "ipa-api-url=" + anvilUrl + " BOOTIF=" + mac;
        if (INSPECTION_STATES.contains(node.getString("provision_state"))) {
            agent += " " + IpxeScripts.INSPECTION_CALLBACK_PARAM + "=" + inspectionCallbackUrl(anvilUrl);
        }
        return (params.isEmpty() ? "" : params + " ") + agent;
    }

    /** The operator's kernel parameters (driver_info's, else the configured ones), safe to put in a script. */
    private String operatorParams(JsonObject node) {
        JsonObject info = driverInfo(node);
        String params = settings.kernelAppendParams();
        if (info.getValue("kernel_append_params") instanceof String custom && !custom.isBlank()) {
            params = custom.replace("%default%", settings.kernelAppendParams());
        }
        // the parameters go into the script verbatim: no line breaks (new iPXE commands), no ${} expansions
        return params.replaceAll("[\\r\\n${}]", " ").trim();
    }

    /**
     * Where the agent posts its inventory (Ironic's inspect_utils.get_inspection_callback): the API's
     * {@code /v1/continue_inspection}, whether or not the base URL already ends in {@code /v1}.
     */
    public static String inspectionCallbackUrl(String anvilUrl) {
        String base = anvilUrl.replaceAll("/+$", "");
        return (base.endsWith("/v1") ? base : base + "/v1") + "/continue_inspection";
    }

    /** The kernel and ramdisk of a mode, from driver_info or the configuration; 400 naming what is missing. */
    private String[] images(JsonObject node, String mode) {
        JsonObject info = driverInfo(node);
        String kernelKey = mode + "_kernel";
        String ramdiskKey = mode + "_ramdisk";
        String kernel =
                pick(info, kernelKey, mode.equals("deploy") ? settings.deployKernel() : settings.rescueKernel());
        String ramdisk =
                pick(info, ramdiskKey, mode.equals("deploy") ? settings.deployRamdisk() : settings.rescueRamdisk());
        List<String> missing = new ArrayList<>();
        if (kernel == null) {
            missing.add("'" + kernelKey + "'");
        }
        if (ramdisk == null) {
            missing.add("'" + ramdiskKey + "'");
        }
        if (!missing.isEmpty()) {
            throw AnvilException.invalid("Cannot validate PXE bootloader. Some parameters were missing in node's "
                    + "driver_info and configuration. Missing are: " + missing);
        }
        for (String[] kv : new String[][] {{kernelKey, kernel}, {ramdiskKey, ramdisk}}) {
            if (!SAFE_REF.matcher(kv[1]).matches()) {
                throw AnvilException.invalid("driver_info " + kv[0] + " must be a single URL without spaces, quotes, "
                        + "backslashes or ${...}");
            }
        }
        return new String[] {kernel, ramdisk};
    }

    private static String pick(JsonObject info, String key, String fallback) {
        Object v = info.getValue(key);
        if (v instanceof String s && !s.isBlank()) {
            return s.trim();
        }
        return Optional.ofNullable(fallback).filter(f -> !f.isBlank()).orElse(null);
    }

    private static JsonObject driverInfo(JsonObject node) {
        JsonObject info = node.getJsonObject("driver_info");
        return info == null ? new JsonObject() : info;
    }
}
