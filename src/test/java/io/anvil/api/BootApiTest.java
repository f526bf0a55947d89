package io.anvil.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** iPXE scripts over HTTP from a running Anvil, chosen by the MAC the firmware asks with. */
class BootApiTest extends ApiTestBase {
    private static final String MAC = "52:54:00:ab:cd:01";
    private static final String HEXHYP = "52-54-00-AB-CD-01";

    private String node(String name, String mac) {
        JsonObject node = createNode(new JsonObject()
                .put("driver", "fake-hardware")
                .put("boot_interface", "ipxe")
                .put("name", name)
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("deploy_kernel", "http://images.example/ipa.kernel")
                                .put("deploy_ramdisk", "http://images.example/ipa.initramfs")
                                .put("rescue_kernel", "http://images.example/rescue.kernel")
                                .put("rescue_ramdisk", "http://images.example/rescue.initramfs")
                                .put("ipmi_password", "bmc-pass-123")));
        String uuid = node.getString("uuid");
        post("/v1/ports", new JsonObject().put("address", mac).put("node_uuid", uuid))
                .v(LATEST)
                .expect(201);
        sql(
                "UPDATE nodes SET driver_internal_info = '{\"agent_secret_token\": \"agent-tok-456\"}' WHERE uuid = ?",
                uuid);
        return uuid;
    }

    private void state(String uuid, String state) {
        sql("UPDATE nodes SET provision_state = ? WHERE uuid = ?", state, uuid);
    }

    private static String text(Resp r) {
        return r.body().toString();
    }

    @Test
    void aNodeBeingCleanedGetsTheAgentRamdiskAndNoSecret() {
        String uuid = node("boot-clean", MAC);
        state(uuid, "clean wait");
        Resp r = get("/boot/" + HEXHYP + ".ipxe").expect(200);
        assertTrue(r.header("Content-Type").startsWith("text/plain"), r.header("Content-Type"));
        String s = text(r);
        assertTrue(s.startsWith("#!ipxe\n"), s);
        assertTrue(
                s.contains("kernel http://images.example/ipa.kernel nofb vga=normal ipa-api-url=" + base + " BOOTIF="
                        + MAC + " initrd=deploy_ramdisk"),
                s);
        assertTrue(s.contains("initrd --name deploy_ramdisk http://images.example/ipa.initramfs"), s);
        assertFalse(s.contains("bmc-pass-123") || s.contains("agent-tok-456"), s);
        // the colon form works too
        assertEquals(s, text(get("/boot/" + MAC + ".ipxe").expect(200)));
    }

    @Test
    void activeAndRescuingNodesAndUnknownMacs() {
        String uuid = node("boot-active", "52:54:00:ab:cd:02");
        state(uuid, "active");
        assertTrue(text(get("/boot/52-54-00-ab-cd-02.ipxe").expect(200)).contains("sanboot --no-describe"));
        state(uuid, "rescue wait");
        assertTrue(text(get("/boot/52-54-00-ab-cd-02.ipxe").expect(200))
                .contains("kernel http://images.example/rescue.kernel"));
        // unknown MAC: 404 so the loader tries the machine's next NIC
        assertTrue(text(get("/boot/52-54-00-00-00-99.ipxe").expect(404))
                .contains("no node has a port with MAC 52:54:00:00:00:99"));
        get("/boot/not-a-mac.ipxe").expect(404);
    }

    @Test
    void theChainLoaderPointsBackAtThisAnvil() {
        String s = text(get("/boot/boot.ipxe").expect(200));
        assertTrue(s.startsWith("#!ipxe\n"), s);
        assertTrue(s.contains("chain --autofree " + base + "/boot/${net${netid}/mac:hexhyp}.ipxe"), s);
    }
}
