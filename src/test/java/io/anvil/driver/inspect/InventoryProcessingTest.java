package io.anvil.driver.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An IPA inspection posting (its shape, our values) through Ironic's hook logic. */
class InventoryProcessingTest {
    static final String UUID = "8a1b6d2e-4f40-4b8e-9c55-0e6f3c1d7a10";

    static JsonObject posting() {
        try (InputStream in = InventoryProcessingTest.class.getResourceAsStream("ipa-inspection.json")) {
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonObject node() {
        return new JsonObject().put("uuid", UUID).put("properties", new JsonObject());
    }

    private static InventoryProcessing.Result run(
            JsonObject node, JsonObject posting, List<JsonObject> ports, InspectionSettings s) {
        JsonObject inventory = posting.getJsonObject("inventory");
        JsonObject plugin = posting.copy();
        plugin.remove("inventory");
        return InventoryProcessing.process(node, inventory, plugin, ports, s);
    }

    @Test
    void propertiesAsIronicComputesThem() {
        InventoryProcessing.Result r = run(node(), posting(), List.of(), InspectionSettings.defaults());
        assertEquals(
                new JsonObject()
                        .put("cpu_arch", "x86_64")
                        .put("cpus", 52)
                        .put("memory_mb", 393216L)
                        .put("local_gb", 446L),
                r.properties());
        // 480103981056 bytes = 447 GiB (floor), minus the 1 GiB partitioning spacing
        assertEquals("/dev/nvme0n1", r.pluginData().getJsonObject("root_disk").getString("name"));
        assertFalse(r.pluginData().containsKey("logs"), "ramdisk logs are not inspection data");
        assertEquals(new JsonArray().add("3c:fd:fe:a1:b2:01"), r.pluginData().getJsonArray("macs"));
    }

    @Test
    void withoutSpacingOrAgentChoiceTheSmallestDiskOfAtLeast4GiBIsRoot() {
        JsonObject p = posting();
        p.remove("root_disk");
        InventoryProcessing.Result r = run(node(), p, List.of(), new InspectionSettings("pxe", "all", true, false));
        assertEquals(447L, r.properties().getLong("local_gb"));
        assertEquals("/dev/nvme0n1", r.pluginData().getJsonObject("root_disk").getString("name"));
    }

    @Test
    void rootDeviceHintsChooseTheDisk() {
        JsonObject n = node().put(
                        "properties",
                        new JsonObject().put("root_device", new JsonObject().put("serial", "002a33e5c1064e2a0b")));
        InventoryProcessing.Result r = run(n, posting(), List.of(), InspectionSettings.defaults());
        assertEquals(1788L - 1, r.properties().getLong("local_gb"));
        JsonObject none =
                node().put("properties", new JsonObject().put("root_device", new JsonObject().put("name", "sdz")));
        assertThrows(InvalidInventory.class, () -> run(none, posting(), List.of(), InspectionSettings.defaults()));
    }

    @Test
    void disklessNodeHasLocalGbZero() {
        JsonObject p = posting();
        p.remove("root_disk");
        p.getJsonObject("inventory").put("disks", new JsonArray());
        assertEquals(
                0L,
                run(node(), p, List.of(), InspectionSettings.defaults())
                        .properties()
                        .getLong("local_gb"));
    }

    @Test
    void addPortsSelectsTheNicsAsIronicDoes() {
        assertEquals(
                List.of(new InventoryProcessing.NewPort("3c:fd:fe:a1:b2:01", true, new JsonObject())),
                run(node(), posting(), List.of(), InspectionSettings.defaults()).portsToCreate());
        assertEquals(
                List.of("3c:fd:fe:a1:b2:01", "b8:59:9f:10:20:30"),
                macs(run(node(), posting(), List.of(), new InspectionSettings("active", "all", true, true))));
        assertEquals(
                List.of("3c:fd:fe:a1:b2:01", "3c:fd:fe:a1:b2:02", "b8:59:9f:10:20:30"),
                macs(run(node(), posting(), List.of(), new InspectionSettings("all", "all", true, true))));
        assertEquals(
                List.of(),
                macs(run(node(), posting(), List.of(), new InspectionSettings("disabled", "all", true, true))));
        // no PXE NIC reported: "pxe" takes every NIC, none marked as PXE-booting (Ironic's code path)
        JsonObject p = posting();
        p.getJsonObject("inventory").getJsonObject("boot").putNull("pxe_interface");
        InventoryProcessing.Result r = run(node(), p, List.of(), InspectionSettings.defaults());
        assertEquals(3, r.portsToCreate().size());
        assertTrue(r.portsToCreate().stream().noneMatch(InventoryProcessing.NewPort::pxeEnabled));
    }

    private static List<String> macs(InventoryProcessing.Result r) {
        return r.portsToCreate().stream()
                .map(InventoryProcessing.NewPort::address)
                .toList();
    }

    @Test
    void existingPortsAreKeptUpdatedOrDroppedPerKeepPorts() {
        List<JsonObject> ports = List.of(
                port("p-pxe", "3C:FD:FE:A1:B2:01", false),
                port("p-other", "3c:fd:fe:a1:b2:02", true),
                port("p-gone", "aa:bb:cc:dd:ee:ff", true));
        InventoryProcessing.Result keepAll = run(node(), posting(), ports, InspectionSettings.defaults());
        assertEquals(List.of(), keepAll.portsToCreate(), "the PXE NIC already has a port");
        assertEquals(List.of(), keepAll.portsToDelete());
        assertEquals(Map.of("p-pxe", true, "p-other", false, "p-gone", false), keepAll.pxeEnabled());

        assertEquals(
                List.of("p-gone"),
                run(node(), posting(), ports, new InspectionSettings("pxe", "present", true, true))
                        .portsToDelete());
        InventoryProcessing.Result added =
                run(node(), posting(), ports, new InspectionSettings("pxe", "added", false, true));
        assertEquals(List.of("p-other", "p-gone"), added.portsToDelete());
        assertEquals(Map.of(), added.pxeEnabled());
    }

    private static JsonObject port(String uuid, String mac, boolean pxe) {
        return new JsonObject().put("uuid", uuid).put("address", mac).put("pxe_enabled", pxe);
    }

    @Test
    void missingDataFailsWithIronicsMessages() {
        JsonObject p = posting();
        p.getJsonObject("inventory").getJsonObject("cpu").remove("architecture");
        InvalidInventory e =
                assertThrows(InvalidInventory.class, () -> run(node(), p, List.of(), InspectionSettings.defaults()));
        assertTrue(
                e.getMessage()
                        .startsWith("Inventory for node " + UUID + " is invalid: Inventory has malformed or "
                                + "missing CPU architecture information"),
                e.getMessage());

        JsonObject m = posting();
        m.getJsonObject("inventory").remove("memory");
        e = assertThrows(InvalidInventory.class, () -> run(node(), m, List.of(), InspectionSettings.defaults()));
        assertTrue(e.getMessage().contains("Inventory has missing memory information: null"), e.getMessage());

        JsonObject i = posting();
        i.getJsonObject("inventory").remove("interfaces");
        e = assertThrows(InvalidInventory.class, () -> run(node(), i, List.of(), InspectionSettings.defaults()));
        assertTrue(e.getMessage().endsWith("no interfaces present in inventory"), e.getMessage());

        JsonObject active = posting();
        active.getJsonObject("inventory")
                .put(
                        "interfaces",
                        new JsonArray()
                                .add(new JsonObject().put("name", "eno2").put("mac_address", "3c:fd:fe:a1:b2:02")));
        active.getJsonObject("inventory").getJsonObject("boot").putNull("pxe_interface");
        e = assertThrows(
                InvalidInventory.class,
                () -> run(node(), active, List.of(), new InspectionSettings("active", "all", true, true)));
        assertTrue(
                e.getMessage().endsWith("no network interfaces match the configuration (add_ports set to \"active\")"));
    }

    @Test
    void settingsRefuseUnknownChoices() {
        assertThrows(RuntimeException.class, () -> new InspectionSettings("some", "all", true, true));
        assertThrows(RuntimeException.class, () -> new InspectionSettings("pxe", "none", true, true));
    }
}
