package io.anvil.driver.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.redfish.RedfishFaults;
import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.anvil.sim.redfish.SimulatedRedfishBmc;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code redfish} hardware type through the REST API against the Redfish simulator over HTTPS (verified against
 * the simulator's CA through redfish_verify_ca): power, boot device, boot mode, NMI, indicators, validate, out-of-band
 * inspection, BIOS, RAID and firmware steps, and faults that name their cause without leaving the node stuck.
 */
class RedfishApiTest extends AbstractRedfishApiTest {
    private RedfishFleet fleet;
    private int nextBmc;
    private HttpServer images;

    /** BIOS steps that rebooted a node without a ramdisk are checked often (Ironic's default: every 60 s). */
    @Override
    protected java.util.Map<String, Object> extraConfig() {
        return java.util.Map.of("redfish.firmware_update_status_interval", 0.1);
    }

    @BeforeAll
    void fleet() {
        fleet = fleet(new RedfishFleetOptions().count(24));
        images = await(vertx.createHttpServer()
                .requestHandler(req -> req.response()
                        .setStatusCode(req.path().contains("missing") ? 404 : 200)
                        .end("image"))
                .listen(0, "127.0.0.1"));
    }

    private SimulatedRedfishBmc bmc() {
        return fleet.bmc(nextBmc++);
    }

    private String imageUrl(String name) {
        return "http://127.0.0.1:" + images.actualPort() + "/" + name;
    }

    private JsonObject awaitProvision(String uuid, String state, long ms) {
        return awaitNode(uuid, n -> state.equals(n.getString("provision_state")), ms);
    }

    private JsonObject manageable(String uuid) {
        assertEquals(202, provision(uuid, "manage").status());
        return awaitNode(
                uuid,
                n -> !"verifying".equals(n.getString("provision_state"))
                                && !"enroll".equals(n.getString("provision_state"))
                        || n.getString("last_error") != null,
                20_000);
    }

    private JsonObject clean(String uuid, JsonObject step) {
        startClean(uuid, step);
        return awaitProvisionIn(uuid, 30_000, "manageable", "clean failed");
    }

    /** Manual cleaning with one out-of-band step and no ramdisk (202). */
    private void startClean(String uuid, JsonObject step) {
        Resp r = call(
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/states/provision",
                new JsonObject()
                        .put("target", "clean")
                        .put("disable_ramdisk", true)
                        .put("clean_steps", new JsonArray().add(step)));
        assertEquals(202, r.status(), r.toString());
    }

    @Test
    void powerOnOffAndRebootReachTheBmc() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc));
        assertEquals(202, power(uuid, "power on").status());
        JsonObject n = awaitPowerSettled(uuid, 20_000);
        assertEquals("power on", n.getString("power_state"), n.encode());
        assertEquals("On", bmc.power().name());
        assertEquals(202, power(uuid, "rebooting").status());
        awaitPowerSettled(uuid, 20_000);
        assertEquals(202, power(uuid, "power off").status());
        n = awaitPowerSettled(uuid, 20_000);
        assertEquals("power off", n.getString("power_state"));
        assertEquals("Off", bmc.power().name());
        assertEquals(
                List.of(
                        "start:power on",
                        "end:power on",
                        "start:rebooting",
                        "end:rebooting",
                        "start:power off",
                        "end:power off"),
                powerEvents(uuid));
    }

    @Test
    void bootDeviceBootModeNmiAndIndicators() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc));
        expect(
                204,
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/management/boot_device",
                new JsonObject().put("boot_device", "pxe").put("persistent", true));
        assertEquals("Pxe", bmc.bootTarget());
        assertEquals("Continuous", bmc.bootEnabled());
        JsonObject dev = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/management/boot_device", null)
                .json();
        assertEquals("pxe", dev.getString("boot_device"));
        assertTrue(dev.getBoolean("persistent"));
        expect(
                204,
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/management/boot_device",
                new JsonObject().put("boot_device", "cdrom"));
        assertEquals("Cd", bmc.bootTarget());
        assertEquals("Once", bmc.bootEnabled());
        JsonArray supported = expect(
                        200, HttpMethod.GET, "/v1/nodes/" + uuid + "/management/boot_device/supported", null)
                .json()
                .getJsonArray("supported_boot_devices");
        assertTrue(supported.contains("bios") && supported.contains("disk"), supported.encode());

        expect(202, HttpMethod.PUT, "/v1/nodes/" + uuid + "/states/boot_mode", new JsonObject().put("target", "bios"));
        awaitNode(uuid, n -> "bios".equals(n.getString("boot_mode")), 20_000);
        assertEquals("Legacy", bmc.bootMode());

        assertEquals(202, power(uuid, "power on").status());
        awaitPowerSettled(uuid, 20_000);
        expect(204, HttpMethod.PUT, "/v1/nodes/" + uuid + "/management/inject_nmi", new JsonObject());
        assertEquals(1, bmc.nmis());

        expect(
                204,
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/management/indicators/led@system",
                new JsonObject().put("state", "BLINKING"));
        assertEquals("Blinking", bmc.indicatorLed());
        JsonObject state = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/management/indicators/led@system", null)
                .json();
        assertEquals("BLINKING", state.getString("state"));
    }

    @Test
    void validateGivesRealReasons() {
        SimulatedRedfishBmc bmc = bmc();
        record Case(JsonObject info, String fragment) {}
        JsonObject good = driverInfo(fleet, bmc);
        JsonObject noAddress = good.copy();
        noAddress.remove("redfish_address");
        List<Case> cases = List.of(
                new Case(noAddress, "Missing the following Redfish properties"),
                new Case(good.copy().put("redfish_address", "ftp://127.0.0.1:1"), "scheme must be http or https"),
                new Case(good.copy().put("redfish_verify_ca", "/nonexistent/ca.pem"), "redfish_verify_ca"),
                new Case(good.copy().put("redfish_verify_ca", "maybe"), "redfish_verify_ca"),
                new Case(good.copy().put("redfish_auth_type", "kerberos"), "redfish_auth_type"));
        for (Case c : cases) {
            String uuid = createRedfishNode(c.info());
            JsonObject v = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/validate", null)
                    .json();
            JsonObject power = v.getJsonObject("power");
            assertFalse(power.getBoolean("result"), v.encode());
            assertTrue(power.getString("reason").contains(c.fragment()), power.encode());
        }
        String ok = createRedfishNode(good);
        JsonObject v = expect(200, HttpMethod.GET, "/v1/nodes/" + ok + "/validate", null)
                .json();
        assertTrue(v.getJsonObject("power").getBoolean("result"), v.encode());
        assertTrue(v.getJsonObject("management").getBoolean("result"), v.encode());
    }

    @Test
    void inspectionReadsHardwareAndCreatesPortsWithoutAnAgent() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc));
        assertEquals("manageable", manageable(uuid).getString("provision_state"));
        assertEquals(202, provision(uuid, "inspect").status());
        JsonObject n = awaitNode(uuid, x -> !"inspecting".equals(x.getString("provision_state")), 30_000);
        assertEquals("manageable", n.getString("provision_state"), n.encode());
        JsonObject props = n.getJsonObject("properties");
        for (String k : List.of("cpus", "memory_mb", "local_gb", "cpu_arch")) {
            assertTrue(props.containsKey(k), props.encode());
        }
        assertEquals("x86_64", props.getString("cpu_arch"));
        JsonArray ports = expect(200, HttpMethod.GET, "/v1/ports?node=" + uuid, null)
                .json()
                .getJsonArray("ports");
        assertEquals(1, ports.size(), ports.encode());
        assertTrue(ports.getJsonObject(0).getString("address").startsWith("52:54:00"), ports.encode());
    }

    @Test
    void biosSettingsAreAppliedAndReadBack() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc), new JsonObject().put("bios_interface", "redfish"));
        manageable(uuid);
        JsonObject n = clean(uuid, biosStep("ProcHyperthreading", "Disabled"));
        assertEquals("manageable", n.getString("provision_state"), n.encode());
        assertEquals("Disabled", bmc.biosAttribute("ProcHyperthreading"));
        JsonObject setting = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/bios/ProcHyperthreading", null)
                .json();
        assertEquals("Disabled", setting.getJsonObject("ProcHyperthreading").getString("value"), setting.encode());

        n = clean(uuid, biosStep("NoSuchKnob", "1"));
        assertEquals("clean failed", n.getString("provision_state"));
        assertTrue(n.getString("last_error").contains("NoSuchKnob"), n.encode());
    }

    /**
     * Ironic's asynchronous BIOS step: the settings are made pending, the node reboots and waits in "clean wait"
     * while the BMC's firmware is still in POST; once the machine booted, the step runs again, verifies, and cleaning
     * ends with the settings applied.
     */
    @Test
    void aBiosStepWaitsInCleanWaitWhileTheBmcRebootsThenFinishesApplied() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc), new JsonObject().put("bios_interface", "redfish"));
        manageable(uuid);
        await(bmc.holdBoots(true));
        long resets = bmc.resets();
        startClean(uuid, biosStep("ProcTurboMode", "Disabled"));
        JsonObject n = awaitProvision(uuid, "clean wait", 30_000);
        assertEquals("apply_configuration", n.getJsonObject("clean_step").getString("step"), n.encode());
        assertTrue(bmc.resets() > resets, "the node was rebooted");
        assertEquals("SystemHardwareInitializationComplete", bmc.bootProgress());
        // the periodic checks the BMC again and again; the node keeps waiting while the firmware is in POST
        long requests = bmc.requests();
        awaitNode(uuid, x -> bmc.requests() >= requests + 6, 30_000);
        n = node(uuid);
        assertEquals("clean wait", n.getString("provision_state"), n.encode());
        assertEquals("Disabled", bmc.biosPending().get("ProcTurboMode"));
        assertEquals("Enabled", bmc.biosAttribute("ProcTurboMode"));

        await(bmc.holdBoots(false));
        n = awaitNode(uuid, x -> !x.getString("provision_state").contains("clean"), 30_000);
        assertEquals("manageable", n.getString("provision_state"), n.encode());
        assertNull(n.getValue("last_error"));
        assertEquals("Disabled", bmc.biosAttribute("ProcTurboMode"));
        assertFalse(n.getJsonObject("driver_internal_info").containsKey("redfish_bios_state"), n.encode());
        JsonObject setting = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/bios/ProcTurboMode", null)
                .json();
        assertEquals("Disabled", setting.getJsonObject("ProcTurboMode").getString("value"), setting.encode());
        List<String> types = events(uuid).stream().map(Event::type).toList();
        assertTrue(types.contains("baremetal.node.clean_steps.end"), types.toString());

        // asked again, the settings already in place cost no reboot
        long before = bmc.resets();
        n = clean(uuid, biosStep("ProcTurboMode", "Disabled"));
        assertEquals("manageable", n.getString("provision_state"), n.encode());
        assertEquals(before, bmc.resets());
    }

    /** factory_reset: Bios.ResetBios, the reboot in clean wait, and the defaults read back as the node's settings. */
    @Test
    void aFactoryResetRebootsAndReadsTheDefaultsBack() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc), new JsonObject().put("bios_interface", "redfish"));
        manageable(uuid);
        assertEquals(
                "manageable",
                clean(uuid, biosStep("PowerProfile", "PowerSaver")).getString("provision_state"));
        assertEquals("PowerSaver", bmc.biosAttribute("PowerProfile"));
        long resets = bmc.resets();
        JsonObject n = clean(uuid, new JsonObject().put("interface", "bios").put("step", "factory_reset"));
        assertEquals("manageable", n.getString("provision_state"), n.encode());
        assertEquals("MaxPerf", bmc.biosAttribute("PowerProfile"));
        assertTrue(bmc.resets() > resets, "the firmware reset the settings at a reboot");
        JsonObject setting = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/bios/PowerProfile", null)
                .json();
        assertEquals("MaxPerf", setting.getJsonObject("PowerProfile").getString("value"), setting.encode());
        List<String> states = events(uuid).stream()
                .filter(e -> e.type().startsWith("baremetal.node.provision_set."))
                .map(e -> e.payload().getString("provision_state"))
                .toList();
        assertTrue(states.contains("clean wait"), "the reboot was waited for in clean wait: " + states);
    }

    /** As a deploy step (no agent: the fake deploy), the BIOS reboot is waited for in "wait call-back". */
    @Test
    void aBiosDeployStepWaitsInWaitCallBackThenTheDeployGoesOn() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(
                driverInfo(fleet, bmc),
                new JsonObject()
                        .put("bios_interface", "redfish")
                        .put("deploy_interface", "fake")
                        .put("boot_interface", "fake")
                        .put("automated_clean", false));
        manageable(uuid);
        assertEquals(202, provision(uuid, "provide").status());
        awaitProvision(uuid, "available", 30_000);
        await(bmc.holdBoots(true));
        expect(
                202,
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/states/provision",
                new JsonObject()
                        .put("target", "active")
                        .put(
                                "deploy_steps",
                                new JsonArray()
                                        .add(biosStep("NicBoot1", "Disabled").put("priority", 90))));
        JsonObject n = awaitProvision(uuid, "wait call-back", 30_000);
        assertEquals("apply_configuration", n.getJsonObject("deploy_step").getString("step"), n.encode());
        assertTrue(n.getJsonObject("driver_internal_info").getBoolean("deployment_polling"), n.encode());
        await(bmc.holdBoots(false));
        n = awaitProvisionIn(uuid, 30_000, "active", "deploy failed");
        assertEquals("active", n.getString("provision_state"), n.encode());
        assertEquals("Disabled", bmc.biosAttribute("NicBoot1"));
    }

    /** A value the firmware does not take at boot fails the step after the reboot, naming the setting. */
    @Test
    void aSettingTheBmcRefusesToApplyFailsTheStepNamingIt() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc), new JsonObject().put("bios_interface", "redfish"));
        manageable(uuid);
        bmc.refuseBiosSetting("ProcVirtualization");
        JsonObject n = clean(uuid, biosStep("ProcVirtualization", "Disabled"));
        assertEquals("clean failed", n.getString("provision_state"), n.encode());
        String err = n.getString("last_error");
        assertTrue(
                err.contains("Redfish BIOS apply_configuration step failed")
                        && err.contains("'ProcVirtualization': 'Disabled'")
                        && err.contains("not updated")
                        && err.contains("'ProcVirtualization': 'Enabled'"),
                err);
        assertEquals("Enabled", bmc.biosAttribute("ProcVirtualization"));
        assertTrue(bmc.biosPending().isEmpty(), "the firmware dropped the pending value");
        assertFalse(n.getJsonObject("driver_internal_info").containsKey("redfish_bios_state"), n.encode());
        JsonObject setting = expect(200, HttpMethod.GET, "/v1/nodes/" + uuid + "/bios/ProcVirtualization", null)
                .json();
        assertEquals("Enabled", setting.getJsonObject("ProcVirtualization").getString("value"), setting.encode());
    }

    @Test
    void raidVolumesFollowTheTargetConfiguration() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc), new JsonObject().put("raid_interface", "redfish"));
        manageable(uuid);
        expect(
                204,
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/states/raid",
                new JsonObject()
                        .put(
                                "logical_disks",
                                new JsonArray()
                                        .add(new JsonObject()
                                                .put("size_gb", "MAX")
                                                .put("raid_level", "1")
                                                .put("is_root_volume", true))));
        JsonObject n = clean(uuid, new JsonObject().put("interface", "raid").put("step", "create_configuration"));
        assertEquals("manageable", n.getString("provision_state"), n.encode());
        assertEquals(1, bmc.volumeCount());
        assertEquals(
                "1",
                n.getJsonObject("raid_config")
                        .getJsonArray("logical_disks")
                        .getJsonObject(0)
                        .getString("raid_level"));
        n = clean(uuid, new JsonObject().put("interface", "raid").put("step", "delete_configuration"));
        assertEquals("manageable", n.getString("provision_state"), n.encode());
        assertEquals(0, bmc.volumeCount());
    }

    /** The management interface's update_firmware clean step with one image served by this test. */
    private JsonObject firmwareStep(String image) {
        return new JsonObject()
                .put("interface", "management")
                .put("step", "update_firmware")
                .put(
                        "args",
                        new JsonObject()
                                .put(
                                        "firmware_images",
                                        new JsonArray().add(new JsonObject().put("url", imageUrl(image)))));
    }

    @Test
    void firmwareUpdatesFollowTheBmcTask() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc));
        manageable(uuid);
        JsonObject n = clean(uuid, firmwareStep("bios-9.8.7.bin"));
        assertEquals("manageable", n.getString("provision_state"), n.encode());
        assertEquals("9.8.7", bmc.biosVersion());
        n = clean(uuid, firmwareStep("missing-1.0.bin"));
        assertEquals("clean failed", n.getString("provision_state"));
        String err = n.getString("last_error");
        assertTrue(err.contains("Exception") && err.contains("404"), err);
    }

    // ---- faults ----

    private JsonObject failedPowerOn(String uuid) {
        assertEquals(202, power(uuid, "power on").status());
        JsonObject n = awaitPowerSettled(uuid, 30_000);
        assertNull(n.getValue("target_power_state"));
        assertEquals(List.of("start:power on", "error:power on"), powerEvents(uuid));
        return n;
    }

    @Test
    void wrongPasswordNamesBadCredentials() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc).put("redfish_password", "Wr0ng-S3cret"));
        String err = failedPowerOn(uuid).getString("last_error");
        assertTrue(err.contains("401") && err.contains("'admin'") && err.contains(bmc.address()), err);
        assertEquals("Off", bmc.power().name());
    }

    @Test
    void anUnavailableBmcIsRetriedThenNamed() {
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc));
        bmc.faults(RedfishFaults.NONE.withUnavailableRate(1.0));
        String err = failedPowerOn(uuid).getString("last_error");
        assertTrue(err.contains("HTTP 503"), err);
        bmc.faults(null);
        assertEquals(202, power(uuid, "power on").status());
        assertEquals("power on", awaitPowerSettled(uuid, 20_000).getString("power_state"), "no stuck node");
    }

    @Test
    void anUntrustedCertificateIsNamed() {
        SimulatedRedfishBmc bmc = bmc();
        JsonObject info = driverInfo(fleet, bmc);
        info.remove("redfish_verify_ca");
        String uuid = createRedfishNode(info);
        String err = failedPowerOn(uuid).getString("last_error");
        assertTrue(err.contains("certificate") && err.contains("redfish_verify_ca"), err);
        JsonObject insecure = driverInfo(fleet, bmc).put("redfish_verify_ca", false);
        String other = createRedfishNode(insecure);
        assertEquals(202, power(other, "power on").status());
        assertEquals("power on", awaitPowerSettled(other, 20_000).getString("power_state"));
    }

    @Test
    void anUnreachableBmcIsNamed() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String uuid = createRedfishNode(new JsonObject()
                .put("redfish_address", "https://127.0.0.1:" + port)
                .put("redfish_username", "admin")
                .put("redfish_password", PASSWORD));
        String err = failedPowerOn(uuid).getString("last_error");
        assertTrue(err.contains("Redfish connection failed") && err.contains("127.0.0.1:" + port), err);
    }

    @Test
    void anUnsupportedResetTypeIsNamed() {
        // the simulator offers every ResetType; the check runs before anything is sent (see RedfishClientTest)
        SimulatedRedfishBmc bmc = bmc();
        String uuid = createRedfishNode(driverInfo(fleet, bmc));
        expect(
                400,
                HttpMethod.PUT,
                "/v1/nodes/" + uuid + "/management/boot_device",
                new JsonObject().put("boot_device", "floppy"));
    }
}
