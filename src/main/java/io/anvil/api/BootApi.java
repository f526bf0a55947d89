package io.anvil.api;

import io.anvil.driver.ipxe.IpxeBoot;
import io.anvil.driver.ipxe.IpxeScripts;
import io.anvil.driver.ipxe.IpxeSettings;
import io.anvil.store.BootLookup;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves iPXE scripts to booting machines (docs/boot.md): {@code GET /boot/boot.ipxe} is the entry point DHCP hands
 * out; it chains {@code GET /boot/<mac>.ipxe} for each NIC, which answers the node's script, or 404 when no port has
 * that MAC so the loader tries the next NIC. Outside {@code /v1}: these are firmware downloads, not Ironic API calls.
 * Scripts hold no secret, so the endpoints need none.
 */
final class BootApi {
    private static final Pattern MAC_FILE = Pattern.compile("((?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2})\\.ipxe");

    private final ApiServices services;
    private final BootLookup lookup;
    private final IpxeBoot ipxe;

    BootApi(ApiServices services) {
        this.services = services;
        this.lookup = new BootLookup(services.store().database());
        this.ipxe = new IpxeBoot(IpxeSettings.from(services.config()));
    }

    /** GET /boot/boot.ipxe */
    void chainLoader(RoutingContext ctx) {
        script(ctx, 200, IpxeScripts.chainLoader(anvilUrl(ctx) + "/boot"));
    }

    /** GET /boot/{mac}.ipxe, the MAC as iPXE's ${mac:hexhyp} (aa-bb-...) or with colons. */
    void forMac(RoutingContext ctx) {
        if (IpxeScripts.INSPECTOR_SCRIPT.equals(ctx.pathParam("file"))) {
            inspector(ctx);
            return;
        }
        Matcher m = MAC_FILE.matcher(ctx.pathParam("file"));
        if (!m.matches()) {
            script(
                    ctx,
                    404,
                    IpxeScripts.retry("no boot script at " + ctx.request().path()));
            return;
        }
        String mac = m.group(1).replace('-', ':').toLowerCase(Locale.ROOT);
        lookup.nodeByMac(mac).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result() == null) {
                script(ctx, 404, IpxeScripts.retry("no node has a port with MAC " + mac));
            } else {
                script(ctx, 200, ipxe.scriptFor(ar.result(), mac, anvilUrl(ctx)));
            }
        });
    }

    /**
     * GET /boot/inspector.ipxe, the chain loader's fallback for a machine Anvil knows by no NIC: the inspection
     * ramdisk while some node waits in unmanaged inspection (docs/agent.md), else 404 and the loader asks again.
     */
    private void inspector(RoutingContext ctx) {
        lookup.nodeInUnmanagedInspection().onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result() == null) {
                script(ctx, 404, IpxeScripts.retry("no node is waiting to be inspected"));
            } else {
                script(ctx, 200, ipxe.inspectorScript(ar.result(), anvilUrl(ctx)));
            }
        });
    }

    private String anvilUrl(RoutingContext ctx) {
        return Links.base(ctx, services.config().api().publicUrl());
    }

    private static void script(RoutingContext ctx, int status, String body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .end(body);
    }
}
