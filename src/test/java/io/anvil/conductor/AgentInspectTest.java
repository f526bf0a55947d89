package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.ipmi.codec.command.BootDevice;
import io.anvil.ipmi.codec.command.BootFlags;
import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.agent.BmcAgents;
import io.anvil.sim.agent.Inventory;
import io.anvil.sim.agent.SimulatedAgent;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.PowerState;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code agent} inspect interface and {@code POST /v1/continue_inspection} (docs/agent.md): a node enrolled with
 * only its BMC credentials is managed and inspected over IPMI (powered on with a one-time PXE boot, "inspect wait"),
 * the ramdisk's inventory, posted as ironic-python-agent's inspector.py posts it, becomes properties and a port for
 * the NIC that PXE-booted, and the node is powered off and "manageable". Also: the lookup's 404s, the schema's 400s
 * with nothing changed, processing failures, the timeout, abort, and the iPXE script's callback parameter.
 */
class AgentInspectTest extends AgentTestSupport {
    private static final long GIB = 1024L * 1024 * 1024;
    /** Each test's BMC listens on its own loopback address, so BMC-address lookups never see another test's node. */
    private static final AtomicInteger NEXT_HOST = new AtomicInteger(20);

    private final List<SimulatedFleet> fleets = new ArrayList<>();

    @Override
    protected Map<String, Object> extraConfig() {
        // the timeout test back-dates its inspection start; the others finish long before 1800 s
        return Map.of("conductor.check_provision_state_interval", 1);
    }

    @AfterEach
    void closeFleets() {
        fleets.forEach(f -> await(f.close()));
        fleets.clear();
    }

    private SimulatedBmc bmc() {
        SimulatedFleet fleet = await(SimulatedFleet.start(
                vertx,
                new FleetOptions()
                        .count(1)
                        .host("127.0.0." + NEXT_HOST.getAndIncrement())
                        .basePort(0)));
        fleets.add(fleet);
        return fleet.bmc(0);
    }

    /** An ipmi node with only its BMC credentials and the agent inspect interface, managed; returns its uuid. */
    private String managedIpmiNode(SimulatedBmc bmc) {
        JsonObject body = new JsonObject()
                .put("driver", "ipmi")
                .put("inspect_interface", "agent")
                // no network boot managed by Anvil (ipmi's default is ipxe): inspection stays unmanaged even once
                // the node has ports, as the scenarios below expect
                .put("boot_interface", "fake")
                .put(
                        "driver_info",
                        new JsonObject()
                                .put("ipmi_address", bmc.host())
                                .put("ipmi_port", bmc.port())
                                .put("ipmi_username", "admin")
                                .put("ipmi_password", "password")
                                .put("deploy_kernel", "http://images.example/ipa.kernel")
                                .put("deploy_ramdisk", "http://images.example/ipa.initramfs"));
        Resp created = http(HttpMethod.POST, "/v1/nodes", body);
        assertEquals(201, created.status(), created::toString);
        String uuid = created.json().getString("uuid");
        assertEquals(202, putProvision(uuid, "manage").status());
        waitForState(uuid, "manageable");
        return uuid;
    }

    private String inspectWaitingIpmiNode(SimulatedBmc bmc) {
        String uuid = managedIpmiNode(bmc);
        Resp r = putProvision(uuid, "inspect");
        assertEquals(202, r.status(), r::toString);
        waitForState(uuid, "inspect wait");
        return uuid;
    }

    /** What ironic-python-agent's inspector.py posts: the inventory, its guesses, its configuration, error, logs. */
    static JsonObject agentData(String pxeMac, String otherMac, String bmcAddress) {
        JsonArray interfaces = new JsonArray()
                .add(new JsonObject()
                        .put("name", "eth0")
                        .put("mac_address", pxeMac)
                        .put("ipv4_address", "192.0.2.10")
                        .put("ipv6_address", "fe80::5054:ff:fe12:3456%eth0")
                        .put("has_carrier", true)
                        .put("lldp", null)
                        .put("vendor", "0x8086")
                        .put("product", "0x1572")
                        .put("client_id", null)
                        .put("biosdevname", null)
                        .put("speed_mbps", 10000));
        if (otherMac != null) {
            interfaces.add(new JsonObject()
                    .put("name", "eth1")
                    .put("mac_address", otherMac)
                    .put("ipv4_address", null)
                    .put("has_carrier", false));
        }
        interfaces.add(new JsonObject()
                .put("name", "lo")
                .put("mac_address", "00:00:00:00:00:00")
                .put("ipv4_address", "127.0.0.1"));
        JsonObject rootDisk = new JsonObject()
                .put("name", "/dev/sda")
                .put("model", "QEMU HARDDISK")
                .put("size", 500 * GIB)
                .put("rotational", true)
                .put("serial", "s-0001")
                .put("by_path", "/dev/disk/by-path/pci-0000:00:05.0-scsi-0:0:0:0");
        JsonObject inventory = new JsonObject()
                .put("interfaces", interfaces)
                .put(
                        "cpu",
                        new JsonObject()
                                .put("model_name", "Intel(R) Xeon(R) Gold 6230")
                                .put("frequency", "2100.000")
                                .put("count", 16)
                                .put("architecture", "x86_64")
                                .put("flags", new JsonArray().add("vmx").add("sse4_2")))
                .put("memory", new JsonObject().put("total", 68719476736L).put("physical_mb", 65536))
                .put(
                        "disks",
                        new JsonArray()
                                .add(rootDisk)
                                .add(new JsonObject()
                                        .put("name", "/dev/sdb")
                                        .put("size", 2000 * GIB)
                                        .put("rotational", true)))
                .put("bmc_address", bmcAddress)
                .put("bmc_v6address", "::/0")
                .put(
                        "system_vendor",
                        new JsonObject()
                                .put("product_name", "Simulated")
                                .put("serial_number", "1234")
                                .put("manufacturer", "Anvil"))
                .put("boot", new JsonObject().put("current_boot_mode", "bios").put("pxe_interface", pxeMac))
                .put("hostname", "localhost.localdomain");
        return new JsonObject()
                .put("inventory", inventory)
                .put("root_disk", rootDisk)
                .put("boot_interface", pxeMac)
                .put(
                        "configuration",
                        new JsonObject()
                                .put(
                                        "collectors",
                                        new JsonArray().add("default").add("logs"))
                                .put("managers", new JsonArray()))
                .putNull("error")
                .put("logs", "H4sIAAAAAAAAA+3BAQ0AAADCoPdPbQ8HFAAAAAAAAAAAAAAAAAAAAAA=");
    }

    /** As the agent posts: no microversion header. */
    private Resp post(JsonObject data) {
        return call(HttpMethod.POST, "/v1/continue_inspection", null, data);
    }

    private JsonObject nodeApi(String uuid) {
        Resp r = http(HttpMethod.GET, "/v1/nodes/" + uuid, null);
        assertEquals(200, r.status(), r::toString);
        return r.json();
    }

    private List<Map<String, Object>> ports(String uuid) {
        return rows(
                "SELECT p.address, p.pxe_enabled, p.extra::text AS extra FROM ports p JOIN nodes n ON n.id = p.node_id"
                        + " WHERE n.uuid = ? ORDER BY p.address",
                uuid);
    }

    private long inventoryRows(String uuid) {
        return count("SELECT count(*) FROM node_inventory i JOIN nodes n ON n.id = i.node_id WHERE n.uuid = ?", uuid);
    }

    @Test
    void anIpmiNodeIsInspectedByItsAgentAndGetsPropertiesAndItsPxePort() {
        SimulatedBmc bmc = bmc();
        String uuid = inspectWaitingIpmiNode(bmc);

        // inspect: powered on with a one-time PXE boot, the BMC address remembered for the lookup
        assertEquals(PowerState.ON, bmc.power());
        BootFlags boot = bmc.lastBoot().orElseThrow();
        assertEquals(BootDevice.PXE, boot.device().orElseThrow(), "the ramdisk boots from the network");
        assertFalse(boot.persistent(), "one-time");
        JsonObject internal = internal(uuid);
        assertEquals(new JsonArray().add(bmc.host()), internal.getJsonArray("lookup_bmc_addresses"));
        assertEquals(false, internal.getBoolean("inspector_manage_boot"), "no port yet: unmanaged boot");
        assertNotNull(nodeApi(uuid).getString("inspection_started_at"));
        assertEquals(List.of(), ports(uuid));

        // the machine's firmware knows no NIC of it: the chain loader's fallback boots the inspection ramdisk
        String api = "http://127.0.0.1:" + anvil.apiPort();
        String loader =
                call(HttpMethod.GET, "/boot/boot.ipxe", null, null).body().toString();
        assertTrue(loader.contains("chain --autofree " + api + "/boot/inspector.ipxe && exit 0"), loader);
        Resp fallback = call(HttpMethod.GET, "/boot/inspector.ipxe", null, null);
        assertEquals(200, fallback.status(), fallback::toString);
        String script = fallback.body().toString();
        assertTrue(
                script.contains("kernel http://images.example/ipa.kernel nofb vga=normal ipa-api-url=" + api
                        + " BOOTIF=${mac} ipa-inspection-callback-url=" + api + "/v1/continue_inspection"),
                script);

        // the agent posts its data: found by its BMC address (the node has no port yet)
        String pxeMac = randomMac();
        String otherMac = randomMac();
        Resp r = post(agentData(pxeMac.toUpperCase(), otherMac, bmc.host()));
        assertEquals(202, r.status(), r::toString);
        assertEquals(new JsonObject().put("uuid", uuid), r.json());
        waitForState(uuid, "manageable");

        JsonObject node = nodeApi(uuid);
        JsonObject props = node.getJsonObject("properties");
        assertEquals(16, props.getInteger("cpus"));
        assertEquals(65536, props.getInteger("memory_mb"));
        assertEquals(499, props.getInteger("local_gb"), "the 500 GiB root disk minus 1 GiB for partitioning");
        assertEquals("x86_64", props.getString("cpu_arch"));
        assertNotNull(node.getString("inspection_finished_at"));
        assertNull(node.getString("inspection_started_at"), "Ironic clears the start when inspection finishes");
        assertNull(node.getString("last_error"));

        // exactly one port: the NIC that PXE-booted (add_ports = pxe), its MAC normalised
        List<Map<String, Object>> ports = ports(uuid);
        assertEquals(1, ports.size(), ports::toString);
        assertEquals(pxeMac, ports.get(0).get("address"));
        assertEquals(true, ports.get(0).get("pxe_enabled"));

        // the inspection data is stored (readable at 1.81; Anvil negotiates up to 1.78, where Ironic answers 404)
        assertEquals(1, inventoryRows(uuid));
        JsonObject plugin = new JsonObject((String) rows(
                        "SELECT i.plugin_data::text AS p FROM node_inventory i JOIN nodes n ON n.id = i.node_id"
                                + " WHERE n.uuid = ?",
                        uuid)
                .get(0)
                .get("p"));
        assertEquals("/dev/sda", plugin.getJsonObject("root_disk").getString("name"));
        assertFalse(plugin.containsKey("logs"), "logs are not inspection data");
        assertEquals(
                404,
                http(HttpMethod.GET, "/v1/nodes/" + uuid + "/inventory", null).status());

        // the ramdisk is done: powered off, its lookup addresses forgotten
        assertEquals(PowerState.OFF, bmc.power());
        assertEquals("power off", node.getString("power_state"));
        assertNull(internal(uuid).getValue("lookup_bmc_addresses"));
        assertNull(internal(uuid).getValue("inspector_manage_boot"));
        assertEquals(
                List.of(
                        "baremetal.node.provision_set.start", // manage
                        "baremetal.node.provision_set.end",
                        "baremetal.node.provision_set.start", // inspect
                        "baremetal.node.provision_set.success", // wait
                        "baremetal.node.provision_set.success", // resume
                        "baremetal.node.provision_set.end"), // done
                eventTypes(uuid, "baremetal.node.provision_set."));

        Resp noFallback = call(HttpMethod.GET, "/boot/inspector.ipxe", null, null);
        assertEquals(404, noFallback.status(), "no node waits for an unmanaged inspection any more");

        // posted twice (an agent retrying): the node is no longer waiting, nothing is duplicated
        Resp again = post(agentData(pxeMac, otherMac, bmc.host()));
        assertEquals(404, again.status(), again::toString);
        assertEquals("manageable", node(uuid).get("provision_state"));
        assertEquals(1, ports(uuid).size());

        // inspected again: the port is kept, not duplicated; the new inventory replaces the old one
        assertEquals(202, putProvision(uuid, "inspect").status());
        waitForState(uuid, "inspect wait");
        assertEquals(false, internal(uuid).getBoolean("inspector_manage_boot"), "boot interface fake: unmanaged");
        assertNull(nodeApi(uuid).getString("inspection_finished_at"), "a new inspection has not finished");
        JsonObject bigger = agentData(pxeMac, otherMac, bmc.host());
        bigger.getJsonObject("inventory").getJsonObject("memory").put("physical_mb", 131072);
        assertEquals(202, post(bigger).status());
        waitForState(uuid, "manageable");
        assertEquals(131072, nodeApi(uuid).getJsonObject("properties").getInteger("memory_mb"));
        assertEquals(1, ports(uuid).size());
        assertEquals(1, inventoryRows(uuid));
    }

    @Test
    void nodesSharingABmcHostAreEachFoundByTheirMacsWhileAllInspect() {
        // three BMCs on one host, as a Redfish service or the simulated fleet on one address: the BMC address
        // names all three, each node's MAC names one, and that one must win for every node (Ironic's lookup_node)
        SimulatedFleet fleet = await(SimulatedFleet.start(
                vertx,
                new FleetOptions()
                        .count(3)
                        .host("127.0.0." + NEXT_HOST.getAndIncrement())
                        .basePort(0)));
        fleets.add(fleet);
        List<String> uuids = new ArrayList<>();
        List<String> macs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String uuid = managedIpmiNode(fleet.bmc(i));
            String mac = randomMac();
            Resp port = http(
                    HttpMethod.POST,
                    "/v1/ports",
                    new JsonObject().put("node_uuid", uuid).put("address", mac));
            assertEquals(201, port.status(), port::toString);
            assertEquals(202, putProvision(uuid, "inspect").status());
            uuids.add(uuid);
            macs.add(mac);
        }
        uuids.forEach(u -> waitForState(u, "inspect wait"));
        String host = fleet.bmc(0).host();
        // the last enrolled first: it is not among the first two by id that the BMC address names
        for (int i = 2; i >= 0; i--) {
            Resp r = post(agentData(macs.get(i), null, host));
            assertEquals(202, r.status(), r::toString);
            assertEquals(new JsonObject().put("uuid", uuids.get(i)), r.json());
        }
        uuids.forEach(u -> waitForState(u, "manageable"));
        // a MAC of none of them with the shared address: several candidates and no MAC match is still refused
        assertEquals(202, putProvision(uuids.get(0), "inspect").status());
        assertEquals(202, putProvision(uuids.get(1), "inspect").status());
        waitForState(uuids.get(0), "inspect wait");
        waitForState(uuids.get(1), "inspect wait");
        Resp ambiguous = post(agentData(randomMac(), null, host));
        assertEquals(404, ambiguous.status(), ambiguous::toString);
    }

    @Test
    void aLookupThatFindsNoWaitingNodeIs404AndChangesNothing() {
        // unknown MACs and an unknown BMC address
        Resp unknown = post(agentData(randomMac(), randomMac(), "192.0.2.250"));
        assertEquals(404, unknown.status(), unknown::toString);
        assertEquals("Resource could not be found.", unknown.fault().getString("faultstring"));

        // a node found by its port but not inspecting: Ironic's NotFound as well
        String[] n = nodeWithPort("manageable", null);
        Resp notWaiting = post(agentData(n[1], null, null));
        assertEquals(404, notWaiting.status(), notWaiting::toString);
        assertEquals("manageable", node(n[0]).get("provision_state"));
        assertEquals(0, inventoryRows(n[0]));
        assertEquals(1, ports(n[0]).size());

        // nothing to look up by at all
        JsonObject none = agentData("not-a-mac", null, null);
        none.getJsonObject("inventory").getJsonArray("interfaces").remove(1); // lo's all-zero MAC is still a MAC
        none.getJsonObject("inventory").putNull("bmc_v6address");
        Resp noInfo = post(none);
        assertEquals(400, noInfo.status(), noInfo::toString);
        assertEquals("No lookup information provided", noInfo.fault().getString("faultstring"));
    }

    /** A fake-hardware node with the agent inspect interface and a port, in "inspect wait"; returns {uuid, mac}. */
    private String[] fakeNodeInInspectWait() {
        String[] n = nodeWithPort("manageable", null);
        sql("UPDATE nodes SET inspect_interface = 'agent' WHERE uuid = ?", n[0]);
        assertEquals(202, putProvision(n[0], "inspect").status());
        waitForState(n[0], "inspect wait");
        return n;
    }

    @Test
    void malformedDataIs400WithIronicsMessagesAndNothingChanges() {
        String[] n = fakeNodeInInspectWait();
        Map<String, Object> before = node(n[0]);
        JsonObject good = agentData(n[1], null, null);

        List<Object[]> cases = new ArrayList<>();
        cases.add(
                new Object[] {new JsonObject().put("root_disk", new JsonObject()), "'inventory' is a required property"
                });
        cases.add(new Object[] {new JsonObject().put("inventory", "x"), "'x' is not of type 'object'"});
        JsonObject noInterfaces = good.copy();
        noInterfaces.getJsonObject("inventory").remove("interfaces");
        cases.add(new Object[] {noInterfaces, "'interfaces' is a required property"});
        JsonObject emptyInterfaces = good.copy();
        emptyInterfaces.getJsonObject("inventory").put("interfaces", new JsonArray());
        cases.add(new Object[] {emptyInterfaces, "[] is too short"});
        JsonObject noMac = good.copy();
        noMac.getJsonObject("inventory").put("interfaces", new JsonArray().add(new JsonObject().put("name", "eth0")));
        cases.add(new Object[] {noMac, "'mac_address' is a required property"});
        JsonObject badCpu = good.copy();
        badCpu.getJsonObject("inventory").put("cpu", 16);
        cases.add(new Object[] {badCpu, "16 is not of type 'object'"});
        JsonObject badMemory = good.copy();
        badMemory.getJsonObject("inventory").put("memory", "64G");
        cases.add(new Object[] {badMemory, "'64G' is not of type 'object'"});
        JsonObject badDisks = good.copy();
        badDisks.getJsonObject("inventory").put("disks", new JsonObject());
        cases.add(new Object[] {badDisks, "{} is not of type 'array'"});

        for (Object[] c : cases) {
            Resp r = post((JsonObject) c[0]);
            assertEquals(400, r.status(), r::toString);
            assertEquals("Schema error for data: " + c[1], r.fault().getString("faultstring"), () -> c[0].toString());
        }
        Resp notJson = call(HttpMethod.POST, "/v1/continue_inspection", null, new JsonArray().add(1));
        assertEquals(400, notJson.status(), notJson::toString);

        Map<String, Object> after = node(n[0]);
        assertEquals(before.get("provision_state"), after.get("provision_state"));
        assertEquals(before.get("updated_at"), after.get("updated_at"), "the node was not written");
        assertEquals(0, inventoryRows(n[0]));
        assertEquals(1, ports(n[0]).size());

        // well-formed but without a CPU architecture: accepted, then the inspection fails (Ironic's hooks do)
        JsonObject noArch = good.copy();
        noArch.getJsonObject("inventory").getJsonObject("cpu").remove("architecture");
        assertEquals(202, post(noArch).status());
        waitForState(n[0], "inspect failed");
        String error = (String) node(n[0]).get("last_error");
        assertTrue(
                error.startsWith("Failed to finish inspection: failed to run inspection hooks: Inventory for node "
                        + n[0] + " is invalid: Inventory has malformed or missing CPU architecture information"),
                error);
        assertEquals(0, inventoryRows(n[0]), "failed data is not stored");
        assertEquals("power off", node(n[0]).get("power_state"));
    }

    @Test
    void twoPostsAtOnceProcessTheDataOnceAndTheOtherFindsNothingWaiting() {
        SimulatedBmc bmc = bmc();
        String uuid = inspectWaitingIpmiNode(bmc);
        String pxeMac = randomMac();
        JsonObject data = agentData(pxeMac, randomMac(), bmc.host());
        List<io.vertx.core.Future<Integer>> posts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            posts.add(calls.call(() -> client.request(new io.vertx.core.http.RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setURI("/v1/continue_inspection")
                            .putHeader("Content-Type", "application/json"))
                    .compose(req -> req.send(data.toBuffer())
                            .compose(resp -> resp.body().map(b -> resp.statusCode())))));
        }
        List<Integer> statuses = new ArrayList<>();
        posts.forEach(f -> statuses.add(await(f)));
        statuses.sort(Integer::compare);
        assertEquals(List.of(202, 404), statuses);
        waitForState(uuid, "manageable");
        assertEquals(1, ports(uuid).size());
        assertEquals(pxeMac, ports(uuid).get(0).get("address"));
        assertEquals(
                List.of("baremetal.node.provision_set.end", "baremetal.node.provision_set.end"),
                eventTypes(uuid, "baremetal.node.provision_set.").stream()
                        .filter(e -> e.endsWith(".end"))
                        .toList(),
                "the manage and one inspection: the data was processed once");
    }

    @Test
    void anErrorTheRamdiskReportsFailsTheInspection() {
        String[] n = fakeNodeInInspectWait();
        JsonObject data = agentData(n[1], null, null).put("error", "collector logs failed: no journal");
        assertEquals(202, post(data).status());
        waitForState(n[0], "inspect failed");
        assertEquals(
                "Failed to finish inspection: failed to run inspection hooks: Failed to inspect hardware. Reason: "
                        + "Ramdisk reported error: collector logs failed: no journal",
                node(n[0]).get("last_error"));
        assertEquals(0, inventoryRows(n[0]));
    }

    @Test
    void anAgentSendingAnyNegotiatedVersionIsServedAndAnExistingPortIsNotDuplicated() {
        String[] n = fakeNodeInInspectWait();
        // an agent that sends a version header (any version Anvil negotiates) is served too
        Resp r = call(HttpMethod.POST, "/v1/continue_inspection", "1.78", agentData(n[1], null, null));
        assertEquals(202, r.status(), r::toString);
        waitForState(n[0], "manageable");
        assertEquals(1, ports(n[0]).size(), "the port existed already: not duplicated");
        assertEquals(true, ports(n[0]).get(0).get("pxe_enabled"));
    }

    @Test
    void theInspectionTimesOutToInspectFailedAndPowersTheNodeOff() {
        SimulatedBmc bmc = bmc();
        String uuid = inspectWaitingIpmiNode(bmc);
        assertEquals(PowerState.ON, bmc.power());
        sql("UPDATE nodes SET inspection_started_at = now() - interval '1 hour' WHERE uuid = ?", uuid);
        waitForState(uuid, "inspect failed");
        assertEquals(
                "Timeout reached while inspecting the node. Please check if the ramdisk responsible for the "
                        + "inspection is running on the node.",
                node(uuid).get("last_error"));
        assertEquals(PowerState.OFF, bmc.power());
        assertNull(internal(uuid).getValue("lookup_bmc_addresses"));
        // the agent that reports late finds nothing waiting
        Resp late = post(agentData(randomMac(), null, bmc.host()));
        assertEquals(404, late.status(), late::toString);
    }

    @Test
    void abortInInspectWaitFailsTheInspectionAndPowersTheNodeOff() {
        SimulatedBmc bmc = bmc();
        String uuid = inspectWaitingIpmiNode(bmc);
        assertEquals(PowerState.ON, bmc.power());
        Resp r = putProvision(uuid, "abort");
        assertEquals(202, r.status(), r::toString);
        waitForState(uuid, "inspect failed");
        assertEquals("Inspection was aborted by request.", node(uuid).get("last_error"));
        assertEquals(PowerState.OFF, bmc.power());
        assertEquals("power off", node(uuid).get("power_state"));
        assertNull(internal(uuid).getValue("lookup_bmc_addresses"));
        assertEquals(404, post(agentData(randomMac(), null, bmc.host())).status());
    }

    @Test
    void theIpxeScriptOfAnInspectingNodeCarriesTheCallbackUrl() {
        String[] n = nodeWithPort("manageable", null);
        sql(
                "UPDATE nodes SET inspect_interface = 'agent', boot_interface = 'ipxe', driver_info = ?::jsonb"
                        + " WHERE uuid = ?",
                new JsonObject()
                        .put("deploy_kernel", "http://images.example/ipa.kernel")
                        .put("deploy_ramdisk", "http://images.example/ipa.initramfs")
                        .encode(),
                n[0]);
        assertEquals(202, putProvision(n[0], "inspect").status());
        waitForState(n[0], "inspect wait");
        assertEquals(true, internal(n[0]).getBoolean("inspector_manage_boot"), "a port and ipxe: managed boot");
        Resp script = call(HttpMethod.GET, "/boot/" + n[1].replace(':', '-') + ".ipxe", null, null);
        assertEquals(200, script.status(), script::toString);
        String text = script.body().toString();
        String api = "http://127.0.0.1:" + anvil.apiPort();
        assertTrue(text.contains(" ipa-inspection-callback-url=" + api + "/v1/continue_inspection"), text);
        assertTrue(text.contains("ipa-api-url=" + api), text);
        assertTrue(text.contains("kernel "), text);
        // done: the script no longer starts an inspection
        assertEquals(202, post(agentData(n[1], null, null)).status());
        waitForState(n[0], "manageable");
        String after = call(HttpMethod.GET, "/boot/" + n[1] + ".ipxe", null, null)
                .body()
                .toString();
        assertFalse(after.contains("ipa-inspection-callback-url"), after);
    }

    /**
     * End to end with the simulated machine: the IPMI power-on with a one-time PXE boot network-boots it, its agent
     * takes {@code ipa-inspection-callback-url} from the node's iPXE script and posts its inventory as IPA does.
     */
    @Test
    void aSimulatedMachineBootsItsAgentThroughTheIpxeScriptAndItsInventoryIsProcessed() {
        String api = "http://127.0.0.1:" + anvil.apiPort();
        AgentFleet agents = await(AgentFleet.start(
                vertx,
                AgentFleetOptions.defaults(api)
                        .withMinHeartbeatInterval(Duration.ofMillis(100))
                        .withMaxBackoff(Duration.ofSeconds(1))));
        try {
            BmcAgents binding = new BmcAgents(agents, null);
            SimulatedFleet fleet = await(SimulatedFleet.start(
                    vertx,
                    new FleetOptions()
                            .count(1)
                            .host("127.0.0." + NEXT_HOST.getAndIncrement())
                            .basePort(0)
                            .eventListener(binding::listener)));
            fleets.add(fleet);
            SimulatedBmc bmc = fleet.bmc(0);
            SimulatedAgent agent = binding.agentOf(0);
            String uuid = managedIpmiNode(bmc);
            // managed boot: the boot interface serves the node's script to its port's MAC
            sql(
                    "UPDATE nodes SET boot_interface = 'ipxe', driver_info = driver_info || ?::jsonb WHERE uuid = ?",
                    new JsonObject()
                            .put("deploy_kernel", agents.imageUrl("ipa.kernel"))
                            .put("deploy_ramdisk", agents.imageUrl("ipa.initramfs"))
                            .encode(),
                    uuid);
            Resp port = http(
                    HttpMethod.POST,
                    "/v1/ports",
                    new JsonObject().put("address", agent.macs().get(0)).put("node_uuid", uuid));
            assertEquals(201, port.status(), port::toString);

            assertEquals(202, putProvision(uuid, "inspect").status());
            waitForState(uuid, "manageable");

            assertEquals(api + "/v1/continue_inspection", agent.inspectionUrl(), "from the iPXE script");
            assertEquals(202, agent.lastInspectionStatus());
            JsonObject props = nodeApi(uuid).getJsonObject("properties");
            int i = agent.index();
            assertEquals(Inventory.cpuCount(i), props.getInteger("cpus"));
            assertEquals(Inventory.memoryMb(i), props.getLong("memory_mb"));
            assertEquals(Inventory.localGb(i), props.getLong("local_gb"));
            assertEquals("x86_64", props.getString("cpu_arch"));
            List<Map<String, Object>> ports = ports(uuid);
            assertEquals(1, ports.size(), ports::toString);
            assertEquals(true, ports.get(0).get("pxe_enabled"));
            assertEquals(1, inventoryRows(uuid));
            waitUntil(
                    "the machine is off and its ramdisk gone", () -> bmc.power() == PowerState.OFF && !agent.running());
        } finally {
            await(agents.close());
        }
    }

    @Test
    void anIpxeNodeWithAPortButNoRamdiskFailsToStartInspecting() {
        String[] n = nodeWithPort("manageable", null);
        sql("UPDATE nodes SET inspect_interface = 'agent', boot_interface = 'ipxe' WHERE uuid = ?", n[0]);
        assertEquals(202, putProvision(n[0], "inspect").status());
        waitForState(n[0], "inspect failed");
        String error = (String) node(n[0]).get("last_error");
        assertTrue(error.contains("Missing are: ['deploy_kernel', 'deploy_ramdisk']"), error);
    }
}
