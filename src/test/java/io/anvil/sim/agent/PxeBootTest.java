package io.anvil.sim.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A PXE-booting machine asks for its iPXE script and does what it says (docs/boot.md): the kernel's parameters give
 * the agent its API URL and inspection callback; inspection comes first, with IPA's retries; a local-disk script
 * boots no agent; no script for any NIC falls back to the default ramdisk.
 */
class PxeBootTest extends SimAgentTestSupport {

    private static String ramdiskScript(String params) {
        // the shape of Anvil's IpxeScripts.ramdisk
        return "#!ipxe\nset attempts:int32 10\n:boot\nimgfree\nkernel --timeout 60000 http://img/deploy.kernel "
                + params + " initrd=deploy_ramdisk || goto retry\ninitrd --timeout 60000 --name deploy_ramdisk "
                + "http://img/deploy.initramfs || goto retry\nboot\n:retry\nsleep 1\ngoto boot\n";
    }

    @Test
    void theKernelParametersConfigureTheAgentAndInspectionRunsFirstWithRetries() {
        SimulatedAgent a = fleet.add(List.of(freshMac(), freshMac()));
        String mac = a.macs().get(1); // only the second NIC is known: the first script request is a 404
        String uuid = fakeIronic.enroll(mac);
        fakeIronic.scripts.put(
                mac,
                ramdiskScript("nofb vga=normal ipa-api-url=" + fakeIronic.url() + " ipa-inspection-callback-url="
                        + fakeIronic.url() + "/v1/continue_inspection BOOTIF=" + mac));
        fakeIronic.inspectionAnswers.add(503);
        fakeIronic.inspectionAnswers.add(409);
        int before = fakeIronic.inspections.size();
        a.pxeBoot();
        waitUntil("looked up after inspection", () -> uuid.equals(a.nodeUuid()) && a.heartbeatsAccepted() >= 1);
        assertEquals(2, a.scriptFetches());
        assertEquals(fakeIronic.url(), a.apiUrl());
        assertEquals(fakeIronic.url() + "/v1/continue_inspection", a.inspectionUrl());
        assertEquals(3, fakeIronic.inspections.size() - before, "two retried errors, then accepted");
        assertEquals(202, a.lastInspectionStatus());
        JsonObject data = fakeIronic.inspections.get(fakeIronic.inspections.size() - 1);
        assertEquals(mac, data.getString("boot_interface"));
        assertEquals(mac, data.getJsonObject("inventory").getJsonObject("boot").getString("pxe_interface"));
        assertEquals("/dev/sda", data.getJsonObject("root_disk").getString("name"));
        assertEquals(
                2, data.getJsonObject("inventory").getJsonArray("interfaces").size());
        assertNotNull(data.getString("logs"));
        assertTrue(data.containsKey("error") && data.getValue("error") == null);
        assertEquals(
                "generic_hardware_manager",
                data.getJsonObject("configuration")
                        .getJsonArray("managers")
                        .getJsonObject(0)
                        .getString("name"));
        // the lookup named the node inspection returned
        assertTrue(
                fakeIronic.lookups.stream().anyMatch(q -> q.contains("node_uuid=" + uuid)),
                fakeIronic.lookups.toString());
        a.stop();
    }

    @Test
    void aClientErrorFromInspectionIsNotRetriedAndLookupProceeds() {
        SimulatedAgent a = fleet.add(List.of(freshMac()));
        String mac = a.macs().get(0);
        String uuid = fakeIronic.enroll(mac);
        fakeIronic.scripts.put(
                mac,
                ramdiskScript("ipa-api-url=" + fakeIronic.url() + " ipa-inspection-callback-url=" + fakeIronic.url()
                        + "/v1/continue_inspection BOOTIF=" + mac));
        fakeIronic.inspectionAnswers.add(400);
        a.pxeBoot();
        waitUntil("looked up", () -> uuid.equals(a.nodeUuid()));
        assertEquals(1, a.inspectionsSent());
        assertEquals(400, a.lastInspectionStatus());
        a.stop();
    }

    @Test
    void aLocalDiskScriptBootsNoAgentAndNoScriptAtAllBootsTheDefaultRamdisk() {
        SimulatedAgent local = fleet.add(List.of(freshMac()));
        fakeIronic.enroll(local.macs().get(0));
        fakeIronic.scripts.put(
                local.macs().get(0),
                "#!ipxe\necho Anvil: node x is active; booting from local disk.\nsanboot --no-describe --drive 0x80 || exit 0\n");
        local.pxeBoot();
        waitUntil("script fetched", () -> local.scriptFetches() == 1);
        // the decision is taken on the fleet's context right after the fetch; a later boot must see it stay down
        SimulatedAgent fallback = fleet.add(List.of(freshMac()));
        String uuid = fakeIronic.enroll(fallback.macs().get(0));
        fallback.pxeBoot();
        waitUntil("fallback agent looked up", () -> uuid.equals(fallback.nodeUuid()));
        assertNull(fallback.apiUrl(), "no script: the fleet's configured Anvil URL");
        assertFalse(local.running());
        assertEquals(0, local.lookups());
        fallback.stop();
    }

    @Test
    void aRetryScriptIsAskedForAgain() {
        SimulatedAgent a = fleet.add(List.of(freshMac()));
        String mac = a.macs().get(0);
        String uuid = fakeIronic.enroll(mac);
        fakeIronic.scripts.put(mac, "#!ipxe\necho Anvil: missing deploy_kernel\nsleep 30\nexit 1\n");
        a.pxeBoot();
        waitUntil("asked twice", () -> a.scriptFetches() >= 2);
        assertFalse(a.running());
        fakeIronic.scripts.put(mac, ramdiskScript("ipa-api-url=" + fakeIronic.url() + " BOOTIF=" + mac));
        waitUntil("booted once the script boots a ramdisk", () -> uuid.equals(a.nodeUuid()));
        assertNull(a.inspectionUrl());
        a.stop();
    }

    @Test
    void parsesAnvilsScriptShapes() {
        IpxeScript s =
                IpxeScript.parse(ramdiskScript("a=1 ipa-api-url=http://h:1,http://h:2 BOOTIF=52:54:00:00:00:01 nofb"));
        assertEquals(IpxeScript.Action.RAMDISK, s.action());
        assertEquals("http://h:1,http://h:2", s.param("ipa-api-url"));
        assertEquals("52:54:00:00:00:01", s.param("BOOTIF"));
        assertEquals("deploy_ramdisk", s.param("initrd"));
        assertEquals("", s.param("nofb"));
        assertEquals(
                IpxeScript.Action.RAMDISK,
                IpxeScript.parse("#!ipxe\nkernel http://k ipa-api-url=http://x\nboot\n")
                        .action());
        assertEquals(
                IpxeScript.Action.LOCAL_DISK,
                IpxeScript.parse("#!ipxe\nsanboot --drive 0x80 || exit 0\n").action());
        assertEquals(
                IpxeScript.Action.RETRY, IpxeScript.parse("#!ipxe\nexit 1\n").action());
        assertEquals(
                IpxeScript.Action.RETRY,
                IpxeScript.parse("<html>not a script</html>").action());
    }

    @Test
    void understandsTheScriptsAnvilRenders() {
        for (int timeout : new int[] {0, 60}) {
            IpxeScript ramdisk = IpxeScript.parse(io.anvil.driver.ipxe.IpxeScripts.ramdisk(
                    "http://img/k",
                    "http://img/r",
                    "deploy_ramdisk",
                    "nofb vga=normal ipa-api-url=http://10.0.0.1:6385 BOOTIF=52:54:00:00:00:07",
                    timeout));
            assertEquals(IpxeScript.Action.RAMDISK, ramdisk.action());
            assertEquals("http://10.0.0.1:6385", ramdisk.param("ipa-api-url"));
            assertEquals("52:54:00:00:00:07", ramdisk.param("BOOTIF"));
            assertFalse(ramdisk.params().containsKey("http://img/k"), "the kernel URL is not a parameter");
        }
        assertEquals(
                IpxeScript.Action.LOCAL_DISK,
                IpxeScript.parse(io.anvil.driver.ipxe.IpxeScripts.localDisk("u", "active"))
                        .action());
        assertEquals(
                IpxeScript.Action.RETRY,
                IpxeScript.parse(io.anvil.driver.ipxe.IpxeScripts.retry("no images"))
                        .action());
    }
}
