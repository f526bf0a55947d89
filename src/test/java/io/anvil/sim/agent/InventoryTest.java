package io.anvil.sim.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.driver.inspect.InspectionSettings;
import io.anvil.driver.inspect.InventoryProcessing;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulated inventory is IPA's shape, deterministic per agent index, and what Anvil's inspection processes. */
class InventoryTest {

    @Test
    void sameIndexSameInventoryAndAnvilReadsTheExpectedProperties() {
        List<String> macs = List.of("52:54:00:00:00:05", "52:54:00:00:01:05");
        JsonObject inv = Inventory.of(5, macs, macs.get(0), "10.0.0.5", true);
        assertEquals(inv, Inventory.of(5, macs, macs.get(0), "10.0.0.5", true));
        assertNotEquals(inv, Inventory.of(6, macs, macs.get(0), "10.0.0.5", true));

        assertEquals(32, inv.getJsonObject("cpu").getInteger("count")); // 8 << (5 % 3)
        assertEquals("x86_64", inv.getJsonObject("cpu").getString("architecture"));
        assertEquals(32768L, inv.getJsonObject("memory").getLong("physical_mb")); // 16384 × (1 + 5 % 4)
        assertEquals(150L << 30, inv.getJsonArray("disks").getJsonObject(0).getLong("size")); // 100 + 10 × 5 GiB
        assertEquals("uefi", inv.getJsonObject("boot").getString("current_boot_mode"));
        assertEquals("10.0.0.5", inv.getString("bmc_address"));
        assertEquals("SIM00000005", inv.getJsonObject("system_vendor").getString("serial_number"));

        JsonObject node = new JsonObject().put("uuid", "n-5").put("properties", new JsonObject());
        JsonObject plugin =
                new JsonObject().put("root_disk", Inventory.rootDisk(inv)).put("boot_interface", macs.get(0));
        InventoryProcessing.Result r =
                InventoryProcessing.process(node, inv, plugin, List.of(), InspectionSettings.defaults());
        assertEquals(Inventory.cpuCount(5), r.properties().getInteger("cpus"));
        assertEquals(Inventory.memoryMb(5), r.properties().getLong("memory_mb"));
        assertEquals(Inventory.localGb(5), r.properties().getLong("local_gb"));
        assertEquals("x86_64", r.properties().getString("cpu_arch"));
        assertTrue(
                r.portsToCreate().stream().anyMatch(p -> p.address().equals(macs.get(0)) && p.pxeEnabled()),
                r.portsToCreate().toString());
    }
}
