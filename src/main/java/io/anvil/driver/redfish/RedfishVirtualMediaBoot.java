package io.anvil.driver.redfish;

import io.anvil.driver.BootInterface;
import io.anvil.driver.DriverTask;
import io.anvil.errors.AnvilException;
import io.anvil.redfish.RedfishClient;
import io.anvil.redfish.RedfishException;
import io.anvil.redfish.RedfishTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Ironic's {@code redfish-virtual-media} boot interface ({@code ironic/drivers/modules/redfish/boot.py}): the agent's
 * ISO ({@code deploy_iso}, or {@code rescue_iso} for a rescue) is inserted into the BMC's virtual CD and the node
 * boots once from it; the CD is ejected when the ramdisk's work ends. Ironic builds an ISO whose kernel command line
 * carries {@code ipa-api-url}; Anvil serves no ISOs, so it appends the agent's parameters to the image URL's query
 * string ({@code ?ipa-api-url=...&BOOTIF=<mac>}), where an image server that builds ISOs on the fly (or Anvil's
 * simulator) reads them (docs/redfish.md#virtual-media-boot).
 */
public final class RedfishVirtualMediaBoot implements BootInterface {
    private static final Set<String> RESCUE_STATES = Set.of("rescuing", "rescue wait");
    private final RedfishNodes nodes;
    private final String defaultDeployIso;
    private final String defaultRescueIso;
    private final Supplier<String> anvilUrl;

    /**
     * @param defaultDeployIso redfish.deploy_iso (empty: each node's driver_info must name one)
     * @param anvilUrl where agents reach Anvil's API ({@code ipa-api-url})
     */
    public RedfishVirtualMediaBoot(
            RedfishNodes nodes, String defaultDeployIso, String defaultRescueIso, Supplier<String> anvilUrl) {
        this.nodes = nodes;
        this.defaultDeployIso = defaultDeployIso == null ? "" : defaultDeployIso;
        this.defaultRescueIso = defaultRescueIso == null ? "" : defaultRescueIso;
        this.anvilUrl = anvilUrl;
    }

    @Override
    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(
                "deploy_iso",
                "URL of the agent's bootable ISO for deploy, clean and inspection. Required unless"
                        + " redfish.deploy_iso is set.");
        p.put("redfish_deploy_iso", "Deprecated name of deploy_iso. Optional.");
        p.put(
                "rescue_iso",
                "URL of the rescue ramdisk's bootable ISO. Required for rescue unless redfish.rescue_iso" + " is set.");
        p.put(
                "kernel_append_params",
                "Further kernel parameters for the agent, appended to the ISO URL's query." + " Optional.");
        return p;
    }

    @Override
    public void validate(JsonObject node, List<JsonObject> ports) {
        RedfishDriverInfo.parse(node.getString("uuid"), node.getJsonObject("driver_info"), RedfishTarget.AuthType.AUTO);
        iso(node, "deploy");
    }

    @Override
    public void validateRescue(JsonObject node) {
        iso(node, "rescue");
    }

    private String iso(JsonObject node, String mode) {
        JsonObject info = node.getJsonObject("driver_info", new JsonObject());
        String v = str(info, mode + "_iso");
        if (v == null) {
            v = str(info, "redfish_" + mode + "_iso");
        }
        if (v == null) {
            v = mode.equals("rescue") ? defaultRescueIso : defaultDeployIso;
        }
        if (v == null || v.isBlank()) {
            throw AnvilException.invalid("Node " + node.getString("uuid") + " has no " + mode + "_iso: the"
                    + " redfish-virtual-media boot interface needs driver_info/" + mode + "_iso (or redfish."
                    + mode + "_iso in the configuration) to boot the agent.");
        }
        if (!v.startsWith("http://") && !v.startsWith("https://")) {
            throw AnvilException.invalid("Invalid " + mode + "_iso " + v + " of node " + node.getString("uuid")
                    + ": the BMC fetches it, so it must be an http:// or https:// URL.");
        }
        return v;
    }

    private static String str(JsonObject o, String k) {
        Object v = o.getValue(k);
        return v == null || String.valueOf(v).isBlank() ? null : String.valueOf(v);
    }

    /** Eject whatever is in the CD, insert the agent's ISO, boot once from it. */
    @Override
    public Future<Void> prepareRamdisk(DriverTask task) {
        String mode = RESCUE_STATES.contains(task.node().getString("provision_state")) ? "rescue" : "deploy";
        String image;
        try {
            image = iso(task.node(), mode);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        RedfishTarget t = nodes.target(task);
        return task.ports()
                .map(ports -> withParams(task.node(), image, ports))
                .compose(url -> cd(t).compose(media -> eject(t, media).compose(v -> insert(t, media, url))))
                .compose(v -> task.driver().management().setBootDevice(task, "cdrom", false));
    }

    @Override
    public Future<Void> cleanUpRamdisk(DriverTask task) {
        RedfishTarget t = nodes.target(task);
        return cd(t).compose(media -> eject(t, media));
    }

    /** The image URL with the agent's kernel parameters in its query string. */
    String withParams(JsonObject node, String image, List<JsonObject> ports) {
        StringBuilder q = new StringBuilder();
        q.append("ipa-api-url=").append(enc(anvilUrl.get()));
        ports.stream()
                .filter(p -> !Boolean.FALSE.equals(p.getBoolean("pxe_enabled")))
                .map(p -> p.getString("address"))
                .findFirst()
                .ifPresent(mac -> q.append("&BOOTIF=").append(enc(mac)));
        String extra = str(node.getJsonObject("driver_info", new JsonObject()), "kernel_append_params");
        if (extra != null) {
            for (String kv : extra.trim().split("\\s+")) {
                int eq = kv.indexOf('=');
                q.append('&').append(eq < 0 ? enc(kv) : enc(kv.substring(0, eq)) + "=" + enc(kv.substring(eq + 1)));
            }
        }
        return image + (image.contains("?") ? "&" : "?") + q;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The system's (or its manager's) VirtualMedia member whose MediaTypes include CD or DVD. */
    private Future<JsonObject> cd(RedfishTarget t) {
        RedfishClient c = nodes.client();
        return c.system(t).compose(r -> {
            String own = RedfishClient.odataId(r.body().getValue("VirtualMedia"));
            if (own != null) {
                return c.getJson(t, own).compose(coll -> pick(t, coll.getJsonArray("Members", new JsonArray()), 0));
            }
            JsonArray managers =
                    r.body().getJsonObject("Links", new JsonObject()).getJsonArray("ManagedBy");
            if (managers == null || managers.isEmpty()) {
                return Future.failedFuture(noMedia(t));
            }
            return c.getJson(t, RedfishClient.odataId(managers.getValue(0))).compose(m -> {
                String vm = RedfishClient.odataId(m.getValue("VirtualMedia"));
                return vm == null
                        ? Future.failedFuture(noMedia(t))
                        : c.getJson(t, vm).compose(coll -> pick(t, coll.getJsonArray("Members", new JsonArray()), 0));
            });
        });
    }

    private Future<JsonObject> pick(RedfishTarget t, JsonArray members, int i) {
        if (i >= members.size()) {
            return Future.failedFuture(noMedia(t));
        }
        return nodes.client()
                .getJson(t, RedfishClient.odataId(members.getValue(i)))
                .compose(m -> {
                    JsonArray types = m.getJsonArray("MediaTypes", new JsonArray());
                    return types.contains("CD") || types.contains("DVD")
                            ? Future.succeededFuture(m)
                            : pick(t, members, i + 1);
                });
    }

    private static RedfishException noMedia(RedfishTarget t) {
        return new RedfishException.Unsupported(
                t.bmc(), "The BMC " + t.bmc() + " offers no virtual CD/DVD (VirtualMedia with MediaTypes CD or DVD).");
    }

    private Future<Void> insert(RedfishTarget t, JsonObject media, String url) {
        JsonObject actions = media.getJsonObject("Actions", new JsonObject());
        if (actions.containsKey("#VirtualMedia.InsertMedia")) {
            return nodes.client()
                    .action(
                            t,
                            media,
                            "#VirtualMedia.InsertMedia",
                            null,
                            new JsonObject()
                                    .put("Image", url)
                                    .put("Inserted", true)
                                    .put("WriteProtected", true))
                    .mapEmpty();
        }
        return nodes.client()
                .patch(
                        t,
                        media.getString("@odata.id"),
                        new JsonObject().put("Image", url).put("Inserted", true),
                        null)
                .mapEmpty();
    }

    private Future<Void> eject(RedfishTarget t, JsonObject media) {
        if (!Boolean.TRUE.equals(media.getBoolean("Inserted")) && media.getString("Image") == null) {
            return Future.succeededFuture();
        }
        JsonObject actions = media.getJsonObject("Actions", new JsonObject());
        if (actions.containsKey("#VirtualMedia.EjectMedia")) {
            return nodes.client()
                    .action(t, media, "#VirtualMedia.EjectMedia", null, new JsonObject())
                    .mapEmpty();
        }
        return nodes.client()
                .patch(
                        t,
                        media.getString("@odata.id"),
                        new JsonObject().putNull("Image").put("Inserted", false),
                        null)
                .mapEmpty();
    }
}
