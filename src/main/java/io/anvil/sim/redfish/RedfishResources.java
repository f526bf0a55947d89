package io.anvil.sim.redfish;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The JSON bodies of a simulated BMC's resources, shaped as DMTF's Redfish schema and its public mockups
 * ({@code @odata.id}, {@code @odata.type}, {@code Id}, {@code Name}, {@code Links}, {@code Actions} with
 * {@code target} and {@code @Redfish.ActionInfo}). Built per request from the BMC's state, on its context.
 */
final class RedfishResources {
    static final String ROOT = "/redfish/v1";
    static final String MANAGER = ROOT + "/Managers/BMC";
    static final String CHASSIS = ROOT + "/Chassis/1U";
    static final String STORAGE_ID = "1";
    static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);

    private RedfishResources() {}

    static JsonObject ref(String path) {
        return new JsonObject().put("@odata.id", path);
    }

    static JsonObject resource(String type, String path, String id, String name) {
        return new JsonObject()
                .put("@odata.type", type)
                .put("@odata.id", path)
                .put("Id", id)
                .put("Name", name);
    }

    static JsonObject collection(String type, String path, String name, List<String> members) {
        JsonArray m = new JsonArray();
        for (String p : members) {
            m.add(ref(p));
        }
        return new JsonObject()
                .put("@odata.type", type)
                .put("@odata.id", path)
                .put("Name", name)
                .put("Members@odata.count", members.size())
                .put("Members", m);
    }

    static JsonObject status() {
        return new JsonObject().put("State", "Enabled").put("Health", "OK");
    }

    static String time(Instant t) {
        return TIME.format(t);
    }

    // ---- service root ----

    static JsonObject serviceRoot(SimulatedRedfishBmc bmc) {
        return resource("#ServiceRoot.v1_15_0.ServiceRoot", ROOT + "/", "RootService", "Root Service")
                .put("RedfishVersion", "1.15.0")
                .put("UUID", bmc.uuid())
                .put("Product", "Anvil Simulated BMC")
                .put("Vendor", "Anvil")
                .put(
                        "ProtocolFeaturesSupported",
                        new JsonObject()
                                .put("ExpandQuery", new JsonObject().put("ExpandAll", false))
                                .put("FilterQuery", false)
                                .put("SelectQuery", false)
                                .put("OnlyMemberQuery", false))
                .put("Systems", ref(ROOT + "/Systems"))
                .put("Chassis", ref(ROOT + "/Chassis"))
                .put("Managers", ref(ROOT + "/Managers"))
                .put("SessionService", ref(ROOT + "/SessionService"))
                .put("UpdateService", ref(ROOT + "/UpdateService"))
                .put("Tasks", ref(ROOT + "/TaskService"))
                .put("Registries", ref(ROOT + "/Registries"))
                .put("Links", new JsonObject().put("Sessions", ref(ROOT + "/SessionService/Sessions")));
    }

    static JsonObject odata() {
        JsonArray values = new JsonArray();
        for (String name : List.of(
                "Systems", "Chassis", "Managers", "SessionService", "UpdateService", "TaskService", "Registries")) {
            values.add(
                    new JsonObject().put("name", name).put("kind", "Singleton").put("url", ROOT + "/" + name));
        }
        return new JsonObject().put("@odata.context", ROOT + "/$metadata").put("value", values);
    }

    // ---- sessions ----

    static JsonObject sessionService(SimulatedRedfishBmc bmc) {
        return resource(
                        "#SessionService.v1_1_8.SessionService",
                        ROOT + "/SessionService",
                        "SessionService",
                        "Session Service")
                .put("Description", "Session Service")
                .put("Status", status())
                .put("ServiceEnabled", true)
                .put("SessionTimeout", Math.max(1, bmc.sessionTtl().toSeconds()))
                .put("Sessions", ref(ROOT + "/SessionService/Sessions"));
    }

    static JsonObject session(SimulatedRedfishBmc.Session s) {
        return resource(
                        "#Session.v1_3_0.Session",
                        ROOT + "/SessionService/Sessions/" + s.id,
                        s.id,
                        "User Session " + s.id)
                .put("UserName", s.user)
                .put("CreatedTime", time(s.created));
    }

    // ---- systems ----

    static JsonObject system(SimulatedRedfishBmc bmc) {
        String path = bmc.systemPath();
        int index = bmc.index();
        JsonObject boot = new JsonObject()
                .put("BootSourceOverrideEnabled", bmc.bootEnabled())
                .put("BootSourceOverrideTarget", bmc.bootTarget())
                .put(
                        "BootSourceOverrideTarget@Redfish.AllowableValues",
                        new JsonArray(SimulatedRedfishBmc.BOOT_TARGETS))
                .put("BootSourceOverrideMode", bmc.bootMode())
                .put("BootSourceOverrideMode@Redfish.AllowableValues", new JsonArray(SimulatedRedfishBmc.BOOT_MODES));
        JsonObject reset = new JsonObject()
                .put("target", path + "/Actions/ComputerSystem.Reset")
                .put("@Redfish.ActionInfo", path + "/ResetActionInfo")
                .put("ResetType@Redfish.AllowableValues", new JsonArray(SimulatedRedfishBmc.RESET_TYPES));
        return resource("#ComputerSystem.v1_20_0.ComputerSystem", path, bmc.systemId(), "System " + index)
                .put("SystemType", "Physical")
                .put("Manufacturer", "Anvil")
                .put("Model", "Anvil Simulated Server")
                .put("SerialNumber", Hardware.serial(index))
                .put("SKU", "SIM-" + Hardware.logicalCpus(index))
                .put("PartNumber", "SIM-0001")
                .put("UUID", bmc.uuid())
                .put("HostName", "sim-node-" + index)
                .put("Status", status().put("HealthRollup", "OK"))
                .put("IndicatorLED", bmc.indicatorLed())
                .put("LocationIndicatorActive", !"Off".equals(bmc.indicatorLed()))
                .put("PowerState", bmc.power().name())
                .put("BootProgress", new JsonObject().put("LastState", bmc.bootProgress()))
                .put("BiosVersion", bmc.biosVersion())
                .put("Boot", boot)
                .put(
                        "ProcessorSummary",
                        new JsonObject()
                                .put("Count", Hardware.sockets(index))
                                .put("LogicalProcessorCount", Hardware.logicalCpus(index))
                                .put("Model", "Anvil Simulated CPU @ 2.40GHz")
                                .put("Status", status().put("HealthRollup", "OK")))
                .put(
                        "MemorySummary",
                        new JsonObject()
                                .put("TotalSystemMemoryGiB", Hardware.memoryMib(index) / 1024)
                                .put("Status", status().put("HealthRollup", "OK")))
                .put("Bios", ref(path + "/Bios"))
                .put("SecureBoot", ref(path + "/SecureBoot"))
                .put("Processors", ref(path + "/Processors"))
                .put("Memory", ref(path + "/Memory"))
                .put("EthernetInterfaces", ref(path + "/EthernetInterfaces"))
                .put("SimpleStorage", ref(path + "/SimpleStorage"))
                .put("Storage", ref(path + "/Storage"))
                .put(
                        "Links",
                        new JsonObject()
                                .put("Chassis", new JsonArray().add(ref(CHASSIS)))
                                .put("ManagedBy", new JsonArray().add(ref(MANAGER))))
                .put("Actions", new JsonObject().put("#ComputerSystem.Reset", reset));
    }

    static JsonObject resetActionInfo(SimulatedRedfishBmc bmc) {
        return resource(
                        "#ActionInfo.v1_3_0.ActionInfo",
                        bmc.systemPath() + "/ResetActionInfo",
                        "ResetActionInfo",
                        "Reset Action Info")
                .put(
                        "Parameters",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("Name", "ResetType")
                                        .put("Required", true)
                                        .put("DataType", "String")
                                        .put("AllowableValues", new JsonArray(SimulatedRedfishBmc.RESET_TYPES))));
    }

    static JsonObject secureBoot(SimulatedRedfishBmc bmc) {
        return resource(
                        "#SecureBoot.v1_1_0.SecureBoot",
                        bmc.systemPath() + "/SecureBoot",
                        "SecureBoot",
                        "UEFI Secure Boot")
                .put("SecureBootEnable", bmc.secureBootEnable())
                .put("SecureBootCurrentBoot", bmc.secureBootCurrentBoot() ? "Enabled" : "Disabled")
                .put("SecureBootMode", "DeployedMode")
                .put(
                        "Actions",
                        new JsonObject()
                                .put(
                                        "#SecureBoot.ResetKeys",
                                        new JsonObject()
                                                .put(
                                                        "target",
                                                        bmc.systemPath() + "/SecureBoot/Actions/SecureBoot.ResetKeys")
                                                .put(
                                                        "ResetKeysType@Redfish.AllowableValues",
                                                        new JsonArray(List.of(
                                                                "ResetAllKeysToDefault",
                                                                "DeleteAllKeys",
                                                                "DeletePK")))));
    }

    // ---- processors, memory, NICs ----

    static JsonObject processor(SimulatedRedfishBmc bmc, int socket) {
        int index = bmc.index();
        int threads = Hardware.logicalCpus(index) / Hardware.sockets(index);
        String id = "CPU" + (socket + 1);
        return resource("#Processor.v1_18_0.Processor", bmc.systemPath() + "/Processors/" + id, id, "Processor")
                .put("Socket", "CPU " + (socket + 1))
                .put("ProcessorType", "CPU")
                .put("ProcessorArchitecture", "x86")
                .put("InstructionSet", "x86-64")
                .put("Manufacturer", "Anvil")
                .put("Model", "Anvil Simulated CPU @ 2.40GHz")
                .put("MaxSpeedMHz", 2400)
                .put("TotalCores", threads / 2)
                .put("TotalThreads", threads)
                .put("Status", status());
    }

    static JsonObject memory(SimulatedRedfishBmc bmc, int dimm) {
        String id = "DIMM" + (dimm + 1);
        return resource("#Memory.v1_17_0.Memory", bmc.systemPath() + "/Memory/" + id, id, "DIMM Slot " + (dimm + 1))
                .put("MemoryType", "DRAM")
                .put("MemoryDeviceType", "DDR4")
                .put("CapacityMiB", Hardware.DIMM_MIB)
                .put("OperatingSpeedMhz", 3200)
                .put("DeviceLocator", "PROC 1 DIMM " + (dimm + 1))
                .put("Status", status());
    }

    static JsonObject ethernetInterface(SimulatedRedfishBmc bmc) {
        String mac = Hardware.mac(bmc.index());
        return resource(
                        "#EthernetInterface.v1_9_0.EthernetInterface",
                        bmc.systemPath() + "/EthernetInterfaces/NIC1",
                        "NIC1",
                        "Ethernet Interface NIC1")
                .put("MACAddress", mac)
                .put("PermanentMACAddress", mac)
                .put("SpeedMbps", 10000)
                .put("LinkStatus", "LinkUp")
                .put("Status", status());
    }

    // ---- storage ----

    static String storagePath(SimulatedRedfishBmc bmc) {
        return bmc.systemPath() + "/Storage/" + STORAGE_ID;
    }

    static JsonObject simpleStorage(SimulatedRedfishBmc bmc) {
        JsonArray devices = new JsonArray();
        for (int d = 0; d < 2; d++) {
            devices.add(new JsonObject()
                    .put("Name", d == 0 ? "SIMSSD" : "SIMHDD")
                    .put("Model", d == 0 ? "SIMSSD" : "SIMHDD")
                    .put("CapacityBytes", Hardware.driveBytes(bmc.index(), d))
                    .put("Status", status()));
        }
        return resource(
                        "#SimpleStorage.v1_3_0.SimpleStorage",
                        bmc.systemPath() + "/SimpleStorage/1",
                        "1",
                        "Simple Storage Controller")
                .put("UefiDevicePath", "PciRoot(0x0)/Pci(0x17,0x0)")
                .put("Devices", devices)
                .put("Status", status());
    }

    static JsonObject storage(SimulatedRedfishBmc bmc) {
        String path = storagePath(bmc);
        JsonArray drives = new JsonArray();
        for (int d = 0; d < 2; d++) {
            drives.add(ref(path + "/Drives/" + d));
        }
        JsonObject controller = new JsonObject()
                .put("@odata.id", path + "#/StorageControllers/0")
                .put("MemberId", "0")
                .put("Name", "Anvil Simulated RAID Controller")
                .put("Manufacturer", "Anvil")
                .put("Model", "SIM-RAID")
                .put("Status", status())
                .put("SpeedGbps", 6)
                .put("SupportedControllerProtocols", new JsonArray().add("PCIe"))
                .put("SupportedDeviceProtocols", new JsonArray().add("SATA"))
                .put("SupportedRAIDTypes", new JsonArray(SimulatedRedfishBmc.RAID_TYPES));
        return resource("#Storage.v1_13_0.Storage", path, STORAGE_ID, "Storage Subsystem")
                .put("Status", status().put("HealthRollup", "OK"))
                .put("StorageControllers", new JsonArray().add(controller))
                .put("Drives@odata.count", 2)
                .put("Drives", drives)
                .put("Volumes", ref(path + "/Volumes"));
    }

    static JsonObject drive(SimulatedRedfishBmc bmc, int d) {
        int index = bmc.index();
        String model = d == 0 ? "SIMSSD" : "SIMHDD";
        return resource("#Drive.v1_15_0.Drive", storagePath(bmc) + "/Drives/" + d, Integer.toString(d), "Drive " + d)
                .put("Model", model)
                .put("Manufacturer", "ATA")
                .put("SerialNumber", String.format("%s%06d%d", model, index, d))
                .put("CapacityBytes", Hardware.driveBytes(index, d))
                .put("MediaType", d == 0 ? "SSD" : "HDD")
                .put("Protocol", "SATA")
                .put("BlockSizeBytes", 512)
                .put("RotationSpeedRPM", d == 0 ? 0 : 7200)
                .put("Status", status());
    }

    static JsonObject volumes(SimulatedRedfishBmc bmc) {
        String path = storagePath(bmc) + "/Volumes";
        List<String> members =
                bmc.volumes().stream().map(v -> path + "/" + v.id()).toList();
        return collection("#VolumeCollection.VolumeCollection", path, "Volume Collection", members)
                .put(
                        "@Redfish.OperationApplyTimeSupport",
                        new JsonObject()
                                .put("@odata.type", "#Settings.v1_3_5.OperationApplyTimeSupport")
                                .put("SupportedValues", new JsonArray().add("Immediate")));
    }

    static JsonObject volume(SimulatedRedfishBmc bmc, SimulatedRedfishBmc.Volume v) {
        String path = storagePath(bmc);
        JsonArray drives = new JsonArray();
        for (int d : v.drives()) {
            drives.add(ref(path + "/Drives/" + d));
        }
        return resource("#Volume.v1_9_0.Volume", path + "/Volumes/" + v.id(), v.id(), v.name())
                .put("RAIDType", v.raidType())
                .put("VolumeType", "RAID1".equals(v.raidType()) ? "Mirrored" : "StripedWithParity")
                .put("CapacityBytes", v.capacityBytes())
                .put("Encrypted", false)
                .put(
                        "Identifiers",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("DurableNameFormat", "UUID")
                                        .put(
                                                "DurableName",
                                                String.format(
                                                        "%08x-0000-4000-8000-%012x",
                                                        Integer.parseInt(v.id()), bmc.index()))))
                .put("Status", status())
                .put("Links", new JsonObject().put("Drives", drives));
    }

    // ---- BIOS ----

    static JsonObject bios(SimulatedRedfishBmc bmc) {
        String path = bmc.systemPath() + "/Bios";
        JsonObject settings = new JsonObject()
                .put("@odata.type", "#Settings.v1_3_5.Settings")
                .put("SettingsObject", ref(path + "/Settings"))
                .put("SupportedApplyTimes", new JsonArray().add("OnReset"));
        if (bmc.biosAppliedAt() != null) {
            settings.put("Time", time(bmc.biosAppliedAt()))
                    .put(
                            "Messages",
                            new JsonArray()
                                    .add(new JsonObject()
                                            .put("MessageId", "Base.1.8.Success")
                                            .put("Message", "Successfully Completed Request")
                                            .put("Severity", "OK")));
        }
        return resource("#Bios.v1_2_0.Bios", path, "BIOS", "BIOS Configuration Current Settings")
                .put("AttributeRegistry", "BiosAttributeRegistry.v1_0_0")
                .put("Attributes", new JsonObject(bmc.biosCurrent()))
                .put("@Redfish.Settings", settings)
                .put(
                        "Actions",
                        new JsonObject()
                                .put(
                                        "#Bios.ResetBios",
                                        new JsonObject().put("target", path + "/Actions/Bios.ResetBios"))
                                .put(
                                        "#Bios.ChangePassword",
                                        new JsonObject().put("target", path + "/Actions/Bios.ChangePassword")));
    }

    /** The pending settings: only the attributes that change at the next boot (as Dell's and HPE's BMCs show). */
    static JsonObject biosSettings(SimulatedRedfishBmc bmc) {
        String path = bmc.systemPath() + "/Bios/Settings";
        return resource("#Bios.v1_2_0.Bios", path, "Settings", "BIOS Configuration Pending Settings")
                .put("AttributeRegistry", "BiosAttributeRegistry.v1_0_0")
                .put("Attributes", new JsonObject(new java.util.LinkedHashMap<>(bmc.biosPendingMap())))
                .put(
                        "@Redfish.SettingsApplyTime",
                        new JsonObject()
                                .put("@odata.type", "#Settings.v1_3_5.PreferredApplyTime")
                                .put("ApplyTime", "OnReset")
                                .put("ApplyTime@Redfish.AllowableValues", new JsonArray().add("OnReset")));
    }

    static JsonObject registries() {
        return collection(
                "#MessageRegistryFileCollection.MessageRegistryFileCollection",
                ROOT + "/Registries",
                "Registry File Collection",
                List.of(ROOT + "/Registries/BiosAttributeRegistry.v1_0_0"));
    }

    static JsonObject registryFile() {
        String id = "BiosAttributeRegistry.v1_0_0";
        return resource(
                        "#MessageRegistryFile.v1_1_3.MessageRegistryFile",
                        ROOT + "/Registries/" + id,
                        id,
                        "BIOS Attribute Registry File")
                .put("Languages", new JsonArray().add("en"))
                .put("Registry", id)
                .put(
                        "Location",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("Language", "en")
                                        .put("Uri", ROOT + "/Registries/" + id + "/BiosAttributeRegistry")));
    }

    static JsonObject attributeRegistry() {
        JsonArray attributes = new JsonArray();
        for (BiosAttribute a : BiosAttribute.ALL) {
            JsonObject o = new JsonObject()
                    .put("AttributeName", a.name())
                    .put("Type", a.type())
                    .put("ReadOnly", a.readOnly())
                    .put("ResetRequired", true)
                    .put("DisplayName", a.name())
                    .put("DefaultValue", a.dflt());
            switch (a.type()) {
                case "Enumeration" -> {
                    JsonArray values = new JsonArray();
                    for (String v : a.values()) {
                        values.add(new JsonObject().put("ValueName", v).put("ValueDisplayName", v));
                    }
                    o.put("Value", values);
                }
                case "Integer" -> o.put("LowerBound", a.min()).put("UpperBound", a.max());
                default -> o.put("MinLength", a.min()).put("MaxLength", a.max());
            }
            attributes.add(o);
        }
        return new JsonObject()
                .put("@odata.type", "#AttributeRegistry.v1_3_6.AttributeRegistry")
                .put("Id", "BiosAttributeRegistry.v1_0_0")
                .put("Name", "BIOS Attribute Registry")
                .put("Language", "en")
                .put("OwningEntity", "Anvil")
                .put("RegistryVersion", "1.0.0")
                .put("RegistryEntries", new JsonObject().put("Attributes", attributes));
    }

    // ---- manager, virtual media ----

    static JsonObject manager(SimulatedRedfishBmc bmc) {
        return resource("#Manager.v1_17_0.Manager", MANAGER, "BMC", "Manager")
                .put("ManagerType", "BMC")
                .put("Description", "Anvil simulated BMC")
                .put("Model", "Anvil Simulated BMC")
                .put("FirmwareVersion", bmc.bmcVersion())
                .put("UUID", Hardware.systemUuid(bmc.index()).replaceFirst("^52540000", "52540001"))
                .put("ServiceEntryPointUUID", bmc.uuid())
                .put("DateTime", time(Instant.now()))
                .put("DateTimeLocalOffset", "+00:00")
                .put("PowerState", "On")
                .put("Status", status())
                .put("VirtualMedia", ref(MANAGER + "/VirtualMedia"))
                .put(
                        "Links",
                        new JsonObject()
                                .put("ManagerForServers", new JsonArray().add(ref(bmc.systemPath())))
                                .put("ManagerForChassis", new JsonArray().add(ref(CHASSIS)))
                                .put("ManagerInChassis", ref(CHASSIS)))
                .put(
                        "Actions",
                        new JsonObject()
                                .put(
                                        "#Manager.Reset",
                                        new JsonObject()
                                                .put("target", MANAGER + "/Actions/Manager.Reset")
                                                .put(
                                                        "ResetType@Redfish.AllowableValues",
                                                        new JsonArray(List.of("GracefulRestart", "ForceRestart")))));
    }

    static JsonObject virtualMedia(SimulatedRedfishBmc.Media m) {
        String path = MANAGER + "/VirtualMedia/" + m.id;
        boolean cd = "Cd".equals(m.id);
        return resource("#VirtualMedia.v1_6_0.VirtualMedia", path, m.id, cd ? "Virtual CD" : "Virtual Removable Media")
                .put(
                        "MediaTypes",
                        cd ? new JsonArray(List.of("CD", "DVD")) : new JsonArray(List.of("Floppy", "USBStick")))
                .put("Image", m.image)
                .put("ImageName", m.imageName())
                .put("ConnectedVia", m.inserted ? "URI" : "NotConnected")
                .put("Inserted", m.inserted)
                .put("WriteProtected", m.writeProtected)
                .put("TransferMethod", m.transferMethod != null ? m.transferMethod : "Stream")
                .put("TransferProtocolType", protocolOf(m.image))
                .put("UserName", m.userName)
                .put("Status", status())
                .put(
                        "Actions",
                        new JsonObject()
                                .put(
                                        "#VirtualMedia.InsertMedia",
                                        new JsonObject()
                                                .put("target", path + "/Actions/VirtualMedia.InsertMedia")
                                                .put("@Redfish.ActionInfo", path + "/InsertMediaActionInfo"))
                                .put(
                                        "#VirtualMedia.EjectMedia",
                                        new JsonObject().put("target", path + "/Actions/VirtualMedia.EjectMedia")));
    }

    static String protocolOf(String image) {
        if (image == null) {
            return null;
        }
        return image.regionMatches(true, 0, "https:", 0, 6) ? "HTTPS" : "HTTP";
    }

    static JsonObject insertMediaActionInfo(String id) {
        String path = MANAGER + "/VirtualMedia/" + id + "/InsertMediaActionInfo";
        JsonArray params = new JsonArray()
                .add(new JsonObject().put("Name", "Image").put("Required", true).put("DataType", "String"))
                .add(new JsonObject().put("Name", "Inserted").put("DataType", "Boolean"))
                .add(new JsonObject().put("Name", "WriteProtected").put("DataType", "Boolean"))
                .add(new JsonObject()
                        .put("Name", "TransferProtocolType")
                        .put("DataType", "String")
                        .put("AllowableValues", new JsonArray(List.of("HTTP", "HTTPS"))))
                .add(new JsonObject().put("Name", "UserName").put("DataType", "String"))
                .add(new JsonObject().put("Name", "Password").put("DataType", "String"));
        return resource("#ActionInfo.v1_3_0.ActionInfo", path, "InsertMediaActionInfo", "Insert Media Action Info")
                .put("Parameters", params);
    }

    // ---- chassis ----

    static JsonObject chassis(SimulatedRedfishBmc bmc) {
        return resource("#Chassis.v1_23_0.Chassis", CHASSIS, "1U", "Computer System Chassis")
                .put("ChassisType", "RackMount")
                .put("Manufacturer", "Anvil")
                .put("Model", "Anvil Simulated Server")
                .put("SerialNumber", Hardware.serial(bmc.index()))
                .put("PowerState", bmc.power() == SimulatedRedfishBmc.Power.Off ? "Off" : "On")
                .put("IndicatorLED", bmc.indicatorLed())
                .put("Status", status())
                .put("Thermal", ref(CHASSIS + "/Thermal"))
                .put("Power", ref(CHASSIS + "/Power"))
                .put(
                        "Links",
                        new JsonObject()
                                .put("ComputerSystems", new JsonArray().add(ref(bmc.systemPath())))
                                .put("ManagedBy", new JsonArray().add(ref(MANAGER))));
    }

    /** Temperatures and fans: a function of the index and of whether the machine is on. */
    static JsonObject thermal(SimulatedRedfishBmc bmc) {
        boolean on = bmc.power() != SimulatedRedfishBmc.Power.Off;
        int i = bmc.index();
        JsonArray temps = new JsonArray();
        temps.add(temperature("0", "CPU1 Temp", on ? 45 + i % 10 : 22, 90, "CPU"));
        temps.add(temperature("1", "Inlet Temp", 20 + i % 5, 42, "Intake"));
        JsonArray fans = new JsonArray();
        for (int f = 0; f < 2; f++) {
            fans.add(new JsonObject()
                    .put("@odata.id", CHASSIS + "/Thermal#/Fans/" + f)
                    .put("MemberId", Integer.toString(f))
                    .put("Name", "Fan " + (f + 1))
                    .put("PhysicalContext", "Backplane")
                    .put("Reading", on ? 5000 + 100 * (i % 10) + 50 * f : 0)
                    .put("ReadingUnits", "RPM")
                    .put("LowerThresholdCritical", 1000)
                    .put("Status", status()));
        }
        return resource("#Thermal.v1_7_1.Thermal", CHASSIS + "/Thermal", "Thermal", "Thermal")
                .put("Temperatures", temps)
                .put("Fans", fans)
                .put("Status", status());
    }

    private static JsonObject temperature(String id, String name, int celsius, int critical, String context) {
        return new JsonObject()
                .put("@odata.id", CHASSIS + "/Thermal#/Temperatures/" + id)
                .put("MemberId", id)
                .put("Name", name)
                .put("SensorNumber", Integer.parseInt(id) + 1)
                .put("ReadingCelsius", celsius)
                .put("UpperThresholdCritical", critical)
                .put("PhysicalContext", context)
                .put("Status", status());
    }

    static JsonObject power(SimulatedRedfishBmc bmc) {
        boolean on = bmc.power() != SimulatedRedfishBmc.Power.Off;
        int i = bmc.index();
        int watts = on ? 120 + 10 * Hardware.logicalCpus(i) / 8 + i % 20 : 8;
        JsonObject control = new JsonObject()
                .put("@odata.id", CHASSIS + "/Power#/PowerControl/0")
                .put("MemberId", "0")
                .put("Name", "System Power Control")
                .put("PowerConsumedWatts", watts)
                .put("PowerCapacityWatts", 800)
                .put(
                        "PowerMetrics",
                        new JsonObject()
                                .put("IntervalInMin", 1)
                                .put("MinConsumedWatts", Math.max(0, watts - 5))
                                .put("MaxConsumedWatts", watts + 5)
                                .put("AverageConsumedWatts", watts))
                .put("Status", status());
        JsonArray supplies = new JsonArray();
        for (int p = 0; p < 2; p++) {
            supplies.add(new JsonObject()
                    .put("@odata.id", CHASSIS + "/Power#/PowerSupplies/" + p)
                    .put("MemberId", Integer.toString(p))
                    .put("Name", "Power Supply " + (p + 1))
                    .put("PowerSupplyType", "AC")
                    .put("PowerCapacityWatts", 800)
                    .put("LastPowerOutputWatts", watts / 2)
                    .put("LineInputVoltage", 230)
                    .put("Status", status()));
        }
        JsonArray voltages = new JsonArray()
                .add(new JsonObject()
                        .put("@odata.id", CHASSIS + "/Power#/Voltages/0")
                        .put("MemberId", "0")
                        .put("Name", "VRM1 Voltage")
                        .put("ReadingVolts", on ? 12.0 : 0.0)
                        .put("Status", status()));
        return resource("#Power.v1_7_1.Power", CHASSIS + "/Power", "Power", "Power")
                .put("PowerControl", new JsonArray().add(control))
                .put("PowerSupplies", supplies)
                .put("Voltages", voltages);
    }

    // ---- update and task services ----

    static JsonObject updateService() {
        String path = ROOT + "/UpdateService";
        return resource("#UpdateService.v1_11_0.UpdateService", path, "UpdateService", "Update Service")
                .put("ServiceEnabled", true)
                .put("Status", status())
                .put("FirmwareInventory", ref(path + "/FirmwareInventory"))
                .put(
                        "Actions",
                        new JsonObject()
                                .put(
                                        "#UpdateService.SimpleUpdate",
                                        new JsonObject()
                                                .put("target", path + "/Actions/UpdateService.SimpleUpdate")
                                                .put("@Redfish.ActionInfo", path + "/SimpleUpdateActionInfo")
                                                .put(
                                                        "TransferProtocol@Redfish.AllowableValues",
                                                        new JsonArray(List.of("HTTP", "HTTPS")))));
    }

    static JsonObject simpleUpdateActionInfo() {
        String path = ROOT + "/UpdateService/SimpleUpdateActionInfo";
        return resource("#ActionInfo.v1_3_0.ActionInfo", path, "SimpleUpdateActionInfo", "Simple Update Action Info")
                .put(
                        "Parameters",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("Name", "ImageURI")
                                        .put("Required", true)
                                        .put("DataType", "String"))
                                .add(new JsonObject()
                                        .put("Name", "TransferProtocol")
                                        .put("DataType", "String")
                                        .put("AllowableValues", new JsonArray(List.of("HTTP", "HTTPS"))))
                                .add(new JsonObject().put("Name", "Targets").put("DataType", "ObjectArray")));
    }

    static JsonObject firmwareInventory() {
        String path = ROOT + "/UpdateService/FirmwareInventory";
        return collection(
                "#SoftwareInventoryCollection.SoftwareInventoryCollection",
                path,
                "Firmware Inventory",
                List.of(path + "/BIOS", path + "/BMC"));
    }

    static JsonObject firmware(SimulatedRedfishBmc bmc, String id) {
        String path = ROOT + "/UpdateService/FirmwareInventory/" + id;
        return resource("#SoftwareInventory.v1_10_0.SoftwareInventory", path, id, "BIOS".equals(id) ? "BIOS" : "BMC")
                .put("Version", "BIOS".equals(id) ? bmc.biosVersion() : bmc.bmcVersion())
                .put("Updateable", true)
                .put("Manufacturer", "Anvil")
                .put("Status", status());
    }

    static JsonObject taskService() {
        String path = ROOT + "/TaskService";
        return resource("#TaskService.v1_2_0.TaskService", path, "TaskService", "Task Service")
                .put("ServiceEnabled", true)
                .put("CompletedTaskOverWritePolicy", "Oldest")
                .put("LifeCycleEventOnTaskStateChange", false)
                .put("Status", status())
                .put("Tasks", ref(path + "/Tasks"));
    }

    static String taskPath(SimulatedRedfishBmc.Task t) {
        return ROOT + "/TaskService/Tasks/" + t.id;
    }

    static String taskMonitorPath(SimulatedRedfishBmc.Task t) {
        return ROOT + "/TaskService/TaskMonitors/" + t.id;
    }

    static JsonObject task(SimulatedRedfishBmc.Task t) {
        JsonObject o = resource("#Task.v1_7_0.Task", taskPath(t), Integer.toString(t.id), t.name)
                .put("TaskState", t.state)
                .put("TaskStatus", t.status)
                .put("PercentComplete", t.percent)
                .put("StartTime", time(t.start))
                .put("TaskMonitor", taskMonitorPath(t));
        if (t.end != null) {
            o.put("EndTime", time(t.end));
        }
        JsonArray messages = new JsonArray();
        if (t.message != null) {
            messages.add(new JsonObject()
                    .put("MessageId", t.messageId)
                    .put("Message", t.message)
                    .put("Severity", "OK".equals(t.status) ? "OK" : "Critical"));
        }
        return o.put("Messages", messages);
    }
}
