package io.anvil.driver.ipmi;

import io.anvil.driver.DriverTask;
import io.anvil.driver.ManagementInterface;
import io.anvil.ipmi.client.IpmiClient;
import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.ipmi.codec.command.ChassisControl;
import io.anvil.util.Futures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Boot devices through Anvil's IPMI client (Ironic's ipmitool management interface): System Boot Options
 * parameter 5 with the persistent and EFI bits, the 60 s expiry disabled, and the stored flags read back.
 */
public final class IpmiManagement implements ManagementInterface {
    private static final Map<String, BootDevice> DEVICES = Map.of(
            "pxe",
            BootDevice.PXE,
            "disk",
            BootDevice.DISK,
            "cdrom",
            BootDevice.CDROM,
            "bios",
            BootDevice.BIOS_SETUP,
            "safe",
            BootDevice.DISK_SAFE_MODE);

    static final String PERSISTENT_BOOT_DEVICE = "persistent_boot_device";

    private final IpmiClient client;
    private final boolean disableBootTimeoutDefault;

    /** @param disableBootTimeoutDefault [ipmi] disable_boot_timeout, for nodes whose driver_info does not say */
    public IpmiManagement(IpmiClient client, boolean disableBootTimeoutDefault) {
        this.client = client;
        this.disableBootTimeoutDefault = disableBootTimeoutDefault;
    }

    @Override
    public Future<Void> validate(DriverTask task) {
        return Futures.attempt(() -> {
            IpmiDriverInfo.parse(task.uuid(), task.node().getJsonObject("driver_info"));
            return Future.succeededFuture();
        });
    }

    @Override
    public List<String> supportedBootDevices(DriverTask task) {
        return List.of("pxe", "disk", "cdrom", "bios", "safe");
    }

    /**
     * With {@code ipmi_force_boot_device} (for BMCs that forget persistent flags) the device is sent as one-time and
     * remembered in driver_internal_info.persistent_boot_device; the power interface re-applies it before every
     * power on, as Ironic's force_persistent_boot does.
     */
    @Override
    public Future<Void> setBootDevice(DriverTask task, String device, boolean persistent) {
        var bmc = IpmiDriverInfo.parse(task.uuid(), task.node().getJsonObject("driver_info"));
        if (!IpmiDriverInfo.forceBootDevice(task.node().getJsonObject("driver_info"))) {
            return client.setBootDevice(
                            bmc,
                            DEVICES.get(device),
                            persistent,
                            uefi(task.node()),
                            disableBootTimeout(task.node(), disableBootTimeoutDefault))
                    .mapEmpty();
        }
        JsonObject internal = task.node().getJsonObject("driver_internal_info").copy();
        if (persistent) {
            internal.put(PERSISTENT_BOOT_DEVICE, device);
        } else {
            internal.remove(PERSISTENT_BOOT_DEVICE);
        }
        return client.setBootDevice(
                        bmc,
                        DEVICES.get(device),
                        false,
                        uefi(task.node()),
                        disableBootTimeout(task.node(), disableBootTimeoutDefault))
                .compose(flags -> task.save(Map.of("driver_internal_info", internal)))
                .mapEmpty();
    }

    /**
     * Ironic's ipmitool inject_nmi ({@code ipmitool power diag}): Chassis Control "pulse diagnostic interrupt" (IPMI
     * v2.0 §28.3, data byte 05h). A BMC that refuses (a powered-off chassis answers D5h) fails it, as ipmitool does.
     */
    @Override
    public Future<Void> injectNmi(DriverTask task) {
        var bmc = IpmiDriverInfo.parse(task.uuid(), task.node().getJsonObject("driver_info"));
        return IpmiFailure.wrap("power diag", client.chassisControl(bmc, ChassisControl.Action.DIAGNOSTIC_INTERRUPT));
    }

    static boolean disableBootTimeout(JsonObject node, boolean dflt) {
        return IpmiDriverInfo.disableBootTimeout(node.getJsonObject("driver_info"), dflt);
    }

    /** The device to re-apply before a power on, or null. */
    static BootDevice rememberedDevice(JsonObject node) {
        if (!IpmiDriverInfo.forceBootDevice(node.getJsonObject("driver_info"))) {
            return null;
        }
        Object d = node.getJsonObject("driver_internal_info").getValue(PERSISTENT_BOOT_DEVICE);
        return d == null ? null : DEVICES.get(String.valueOf(d));
    }

    @Override
    public Future<JsonObject> getBootDevice(DriverTask task) {
        var bmc = IpmiDriverInfo.parse(task.uuid(), task.node().getJsonObject("driver_info"));
        Object remembered = task.node().getJsonObject("driver_internal_info").getValue(PERSISTENT_BOOT_DEVICE);
        if (remembered != null && IpmiDriverInfo.forceBootDevice(task.node().getJsonObject("driver_info"))) {
            return Future.succeededFuture(
                    new JsonObject().put("boot_device", remembered).put("persistent", true));
        }
        return client.getBootDevice(bmc).map(IpmiManagement::toApi);
    }

    static JsonObject toApi(BootFlags flags) {
        String name = null;
        if (flags.valid()) {
            BootDevice d = flags.device().orElse(null);
            for (Map.Entry<String, BootDevice> e : DEVICES.entrySet()) {
                if (e.getValue() == d) {
                    name = e.getKey();
                }
            }
        }
        return new JsonObject().put("boot_device", name).put("persistent", flags.valid() && flags.persistent());
    }

    /** Ironic's boot mode resolution: node.boot_mode, then properties.capabilities, default UEFI. */
    static boolean uefi(JsonObject node) {
        String mode = node.getString("boot_mode");
        if (mode == null) {
            Object caps = node.getJsonObject("properties").getValue("capabilities");
            if (caps instanceof String c && c.contains("boot_mode:bios")) {
                mode = "bios";
            }
        }
        return !"bios".equals(mode);
    }
}
