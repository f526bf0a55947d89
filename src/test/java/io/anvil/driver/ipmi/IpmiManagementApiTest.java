package io.anvil.driver.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Boot devices and manage on an {@code ipmi} node through the REST API: what the simulated BMC stores
 * (device, persistent bit, EFI bit by the node's boot mode), what GET boot_device reads back, the supported
 * devices, and manage from enroll recording the BMC's real power state.
 */
class IpmiManagementApiTest extends AbstractIpmiApiTest {
    private SimulatedFleet fleet;

    @BeforeAll
    void fleet() {
        fleet = fleet(new FleetOptions().count(5));
    }

    private void setBoot(String uuid, String device, boolean persistent) {
        expect(
                204,
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/management/boot_device",
                new JsonObject().put("boot_device", device).put("persistent", persistent));
    }

    private JsonObject getBoot(String uuid) {
        return expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/management/boot_device", null)
                .json();
    }

    /** Default boot mode is UEFI: the EFI bit is set (Ironic's raw 0x00 0x08 0x05 0xe0|0xa0 ...). */
    @Test
    void bootDeviceUefiByDefault() {
        SimulatedBmc bmc = fleet.bmc(0);
        String uuid = createIpmiNode(driverInfo(bmc));

        setBoot(uuid, "pxe", true);
        assertEquals(BootDevice.PXE, bmc.bootDevice());
        assertTrue(bmc.bootFlagsValid());
        assertTrue(bmc.bootPersistent());
        assertTrue(bmc.bootEfi(), "UEFI node: EFI bit");
        assertEquals(0, bmc.bootOptionsSetInProgress(), "parameter 0 left at set complete");
        assertEquals(0x08, bmc.bootValidBitClearing(), "60 s boot-flag expiry disabled (Ironic's default)");
        assertEquals(new JsonObject().put("boot_device", "pxe").put("persistent", true), getBoot(uuid));

        setBoot(uuid, "disk", false);
        assertEquals(BootDevice.DISK, bmc.bootDevice());
        assertEquals(false, bmc.bootPersistent());
        assertTrue(bmc.bootEfi());
        assertEquals(new JsonObject().put("boot_device", "disk").put("persistent", false), getBoot(uuid));

        setBoot(uuid, "bios", true);
        assertEquals(BootDevice.BIOS_SETUP, bmc.bootDevice());
        assertTrue(bmc.bootPersistent());
        assertEquals(new JsonObject().put("boot_device", "bios").put("persistent", true), getBoot(uuid));

        // persistent omitted = false (Ironic's default)
        expect(
                204,
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/management/boot_device",
                new JsonObject().put("boot_device", "pxe"));
        assertEquals(BootDevice.PXE, bmc.bootDevice());
        assertEquals(false, bmc.bootPersistent());
        assertTrue(bmc.counters().chassisControls() == 0, "setting a boot device does not touch power");
    }

    /**
     * ipmi_force_boot_device: the device is sent one-time, remembered, and re-applied before every power on, so a
     * BMC that forgets persistent flags still boots from it (Ironic's force_persistent_boot).
     */
    @Test
    void forcedBootDeviceIsReappliedBeforeEveryPowerOn() {
        SimulatedBmc bmc = fleet.bmc(3);
        await(bmc.power(io.anvil.sim.bmc.PowerState.OFF));
        String uuid = createIpmiNode(driverInfo(bmc).put("ipmi_force_boot_device", true));
        setBoot(uuid, "pxe", true);
        assertEquals(BootDevice.PXE, bmc.bootDevice());
        assertEquals(false, bmc.bootPersistent(), "sent as one-time on the wire");
        assertEquals(new JsonObject().put("boot_device", "pxe").put("persistent", true), getBoot(uuid));

        for (int round = 1; round <= 2; round++) {
            // the BMC "forgets": its flags now point at the disk
            await(bmc.bootFlags(io.anvil.ipmi.codec.command.BootFlags.forDevice(BootDevice.DISK, false, true)));
            long boots = bmc.counters().boots();
            expect(
                    202,
                    HttpMethod.PUT,
                    "/v1/nodes/" + uuid + "/states/power",
                    new JsonObject().put("target", "power on"));
            for (int i = 0; i < 500 && bmc.counters().boots() <= boots; i++) {
                vertxDelay(10);
            }
            assertTrue(bmc.counters().boots() > boots, "the node booted");
            assertEquals(
                    BootDevice.PXE,
                    bmc.lastBoot().orElseThrow().device().orElseThrow(),
                    "round " + round + ": booted from the remembered device");
            expect(
                    202,
                    HttpMethod.PUT,
                    "/v1/nodes/" + uuid + "/states/power",
                    new JsonObject().put("target", "power off"));
            await(bmc.whenPower(io.anvil.sim.bmc.PowerState.OFF));
        }
    }

    /** ipmi_disable_boot_timeout false (a string, as the CLI sends it): parameter 3 is never written. */
    @Test
    void bootTimeoutLeftAloneWhenNotDisabled() {
        SimulatedBmc bmc = fleet.bmc(4);
        String uuid = createIpmiNode(driverInfo(bmc).put("ipmi_disable_boot_timeout", "false"));
        setBoot(uuid, "pxe", true);
        assertEquals(BootDevice.PXE, bmc.bootDevice());
        assertEquals(0, bmc.bootValidBitClearing(), "parameter 3 untouched");

        String bad = createIpmiNode(driverInfo(bmc).put("ipmi_disable_boot_timeout", "maybe"));
        String error = expect(
                        400,
                        HttpMethod.PUT,
                        "/v1/nodes/" + bad + "/management/boot_device",
                        new JsonObject().put("boot_device", "disk"))
                .fault();
        assertTrue(error.contains("ipmi_disable_boot_timeout"), error);
        assertEquals(BootDevice.PXE, bmc.bootDevice(), "nothing sent for an invalid driver_info");
    }

    /** properties.capabilities boot_mode:bios → legacy boot flags (no EFI bit). */
    @Test
    void bootDeviceLegacyForBiosBootMode() {
        SimulatedBmc bmc = fleet.bmc(1);
        String uuid = createIpmiNode(
                driverInfo(bmc),
                new JsonObject()
                        .put("properties", new JsonObject().put("capabilities", "boot_mode:bios,secure_boot:false")));

        setBoot(uuid, "pxe", true);
        assertEquals(BootDevice.PXE, bmc.bootDevice());
        assertTrue(bmc.bootPersistent());
        assertEquals(false, bmc.bootEfi(), "legacy BIOS node: no EFI bit");
        assertEquals(new JsonObject().put("boot_device", "pxe").put("persistent", true), getBoot(uuid));

        setBoot(uuid, "disk", false);
        assertEquals(BootDevice.DISK, bmc.bootDevice());
        assertEquals(false, bmc.bootPersistent());
        assertEquals(false, bmc.bootEfi());
        assertEquals(new JsonObject().put("boot_device", "disk").put("persistent", false), getBoot(uuid));
    }

    @Test
    void supportedBootDevicesAndUnsupportedDevice() {
        SimulatedBmc bmc = fleet.bmc(2);
        String uuid = createIpmiNode(driverInfo(bmc));
        JsonObject supported = expect(
                        200, HttpMethod.GET, "/v1/nodes/" + uuid + "/management/boot_device/supported", null)
                .json();
        assertEquals(
                new JsonArray(List.of("pxe", "disk", "cdrom", "bios", "safe")),
                supported.getJsonArray("supported_boot_devices"));
        Resp r = call(
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/management/boot_device",
                new JsonObject().put("boot_device", "floppy"));
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.fault().contains("Invalid boot device floppy"), r.fault());
        assertEquals(0, bmc.counters().commands(), "nothing sent to the BMC");
    }

    /** manage from enroll: verify reads the BMC's real power state (on here) and records it. */
    @Test
    void manageFromEnrollRecordsTheRealPowerState() {
        SimulatedBmc bmc = fleet.bmc(3);
        await(bmc.power(PowerState.ON));
        String uuid = createIpmiNode(driverInfo(bmc));
        JsonObject n = node(uuid);
        assertEquals("enroll", n.getString("provision_state"));
        assertNull(n.getValue("power_state"));

        assertEquals(202, provision(uuid, "manage").status());
        n = awaitNode(uuid, x -> "manageable".equals(x.getString("provision_state")), 10_000);
        assertEquals("power on", n.getString("power_state"));
        assertNull(n.getValue("last_error"));
        assertEquals(0, bmc.counters().chassisControls(), "verify only reads");
        List<String> types = events(uuid).stream().map(Event::type).toList();
        assertTrue(
                types.contains("baremetal.node.provision_set.success")
                        || types.contains("baremetal.node.provision_set.end"),
                types.toString());
    }
}
