package io.anvil.driver.ipxe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.errors.AnvilException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Script rendering and Ironic's driver_info validation of the ipxe boot interface. */
class IpxeBootTest {
    static final String MAC = "52:54:00:12:34:56";
    static final String URL = "http://10.0.0.1:6385";

    static JsonObject node(String state) {
        return new JsonObject()
                .put("uuid", "0f3b0c86-2a0d-4d4b-8f3e-3b1c2d0a9e11")
                .put("provision_state", state)
                .put("boot_interface", "ipxe")
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("deploy_kernel", "http://images/ipa.kernel")
                                .put("deploy_ramdisk", "http://images/ipa.initramfs")
                                .put("rescue_kernel", "http://images/rescue.kernel")
                                .put("rescue_ramdisk", "http://images/rescue.initramfs")
                                .put("ipmi_password", "s3cr3t-bmc"))
                .put("driver_internal_info", new JsonObject().put("agent_secret_token", "tok-very-secret"));
    }

    private final IpxeBoot boot = new IpxeBoot(IpxeSettings.defaults());

    @Test
    void ramdiskStatesBootTheAgentWithAnvilsUrlAndTheMac() {
        for (String state :
                List.of("deploying", "wait call-back", "cleaning", "clean wait", "service wait", "deploy hold")) {
            String s = boot.scriptFor(node(state), MAC, URL);
            assertTrue(s.startsWith("#!ipxe\n"), s);
            assertTrue(
                    s.contains("kernel http://images/ipa.kernel nofb vga=normal ipa-api-url=" + URL + " BOOTIF=" + MAC
                            + " initrd=deploy_ramdisk || goto retry"),
                    s);
            assertTrue(s.contains("initrd --name deploy_ramdisk http://images/ipa.initramfs || goto retry"), s);
            assertFalse(s.contains("ipa-global-request-id"), s);
        }
    }

    @Test
    void inspectionStatesTellTheAgentWhereToPostItsInventory() {
        for (String state : List.of("inspecting", "inspect wait")) {
            String s = boot.scriptFor(node(state), MAC, URL);
            assertTrue(
                    s.contains("kernel http://images/ipa.kernel nofb vga=normal ipa-api-url=" + URL + " BOOTIF=" + MAC
                            + " ipa-inspection-callback-url=" + URL + "/v1/continue_inspection"
                            + " initrd=deploy_ramdisk || goto retry"),
                    s);
        }
        assertFalse(boot.scriptFor(node("clean wait"), MAC, URL).contains("ipa-inspection-callback-url"));
        assertEquals(
                "http://10.0.0.1:6385/v1/continue_inspection",
                IpxeBoot.inspectionCallbackUrl("http://10.0.0.1:6385/v1/"));
        assertEquals(
                "https://anvil.example/baremetal/v1/continue_inspection",
                IpxeBoot.inspectionCallbackUrl("https://anvil.example/baremetal"));
    }

    @Test
    void rescueStatesBootTheRescueRamdisk() {
        String s = boot.scriptFor(node("rescue wait"), MAC, URL);
        assertTrue(s.contains("kernel http://images/rescue.kernel "), s);
        assertTrue(s.contains("initrd --name rescue_ramdisk http://images/rescue.initramfs"), s);
    }

    @Test
    void otherStatesBootTheLocalDisk() {
        for (String state : List.of("active", "available", "manageable", "enroll", "rescue", "deploy failed")) {
            String s = boot.scriptFor(node(state), MAC, URL);
            assertTrue(s.contains("sanboot --no-describe --drive 0x80 || exit 0"), s);
            assertFalse(s.contains("kernel"), s);
        }
    }

    @Test
    void nodesBootingThroughAnotherInterfaceAreNotNetworkBooted() {
        String s = boot.scriptFor(node("clean wait").put("boot_interface", "fake"), MAC, URL);
        assertTrue(s.contains("sanboot --no-describe"), s);
    }

    @Test
    void noSecretEverAppears() {
        for (String state : List.of("clean wait", "rescuing", "active")) {
            String s = boot.scriptFor(node(state), MAC, URL);
            assertFalse(
                    s.contains("s3cr3t-bmc")
                            || s.contains("tok-very-secret")
                            || s.toLowerCase().contains("token")
                            || s.toLowerCase().contains("password"),
                    s);
        }
    }

    @Test
    void kernelParametersFromDriverInfoWithDefaultAndConfigFallbacks() {
        JsonObject n = node("clean wait");
        n.getJsonObject("driver_info").put("kernel_append_params", "%default% console=ttyS0,115200\nimgfree");
        String s = boot.scriptFor(n, MAC, URL);
        assertTrue(s.contains("nofb vga=normal console=ttyS0,115200 imgfree ipa-api-url="), s);

        JsonObject bare = node("clean wait");
        bare.getJsonObject("driver_info").remove("deploy_kernel");
        bare.getJsonObject("driver_info").remove("deploy_ramdisk");
        IpxeBoot configured = new IpxeBoot(new IpxeSettings("http://c/k", "http://c/r", "", "", "quiet", 30));
        String c = configured.scriptFor(bare, MAC, URL);
        assertTrue(c.contains("kernel --timeout 30000 http://c/k quiet ipa-api-url="), c);
        // unconfigured: explain on the console and let the loader try again
        String retry = boot.scriptFor(bare, MAC, URL);
        assertTrue(
                retry.contains("Missing are: ['deploy_kernel', 'deploy_ramdisk']") && retry.contains("exit 1"), retry);
    }

    @Test
    void validateAsIronic() {
        JsonObject port = new JsonObject().put("address", MAC);
        boot.validate(node("manageable"), List.of(port));
        AnvilException e = assertThrows(AnvilException.class, () -> boot.validate(node("manageable"), List.of()));
        assertEquals(
                "Node 0f3b0c86-2a0d-4d4b-8f3e-3b1c2d0a9e11 does not have any port associated with it", e.getMessage());
        JsonObject n = node("manageable");
        n.getJsonObject("driver_info").remove("deploy_ramdisk");
        e = assertThrows(AnvilException.class, () -> boot.validate(n, List.of(port)));
        assertEquals(400, e.status());
        assertEquals(
                "Cannot validate PXE bootloader. Some parameters were missing in node's driver_info and "
                        + "configuration. Missing are: ['deploy_ramdisk']",
                e.getMessage());
        n.getJsonObject("driver_info").put("deploy_ramdisk", "http://x/r\nshell");
        assertThrows(AnvilException.class, () -> boot.validate(n, List.of(port)));
        JsonObject r = node("active");
        r.getJsonObject("driver_info").remove("rescue_kernel");
        assertTrue(assertThrows(AnvilException.class, () -> boot.validateRescue(r))
                .getMessage()
                .endsWith("['rescue_kernel']"));
    }

    @Test
    void chainLoaderTriesEveryNic() {
        String s = IpxeScripts.chainLoader(URL + "/boot");
        assertTrue(s.contains("chain --autofree " + URL + "/boot/${net${netid}/mac:hexhyp}.ipxe || goto loop"), s);
        assertTrue(s.contains("Anvil knows none of this machine's NICs"), s);
    }
}
