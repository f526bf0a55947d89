package io.anvil.sim.redfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.Inventory;
import io.anvil.testsupport.Conditions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator over HTTPS (verified against its CA) through Vert.x's WebClient: each resource and action. */
class RedfishFleetTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static Vertx vertx;
    private static RedfishFleet fleet;
    private static HttpServer images;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        fleet = Conditions.result(
                RedfishFleet.start(
                        vertx,
                        new RedfishFleetOptions()
                                .count(12)
                                .basePort(0)
                                .taskDuration(Duration.ofMillis(50))
                                .sessionTimeout(Duration.ofMinutes(5))),
                T);
        // an image server for firmware updates: 200 for /fw/*, 404 for anything else
        images = Conditions.result(
                vertx.createHttpServer()
                        .requestHandler(r -> r.response()
                                .setStatusCode(r.path().startsWith("/fw/") ? 200 : 404)
                                .end("firmware"))
                        .listen(0, "127.0.0.1"),
                T);
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            Conditions.result(fleet.close(), T);
        }
        if (vertx != null) {
            Conditions.result(vertx.close(), T);
        }
    }

    private static RedfishClient client(int bmc) {
        return new RedfishClient(vertx, fleet, fleet.bmc(bmc));
    }

    @Test
    void serviceRootIsOpenAndLinksEveryService() {
        RedfishClient c = client(0).anonymous();
        RedfishClient.Resp root = c.get("/redfish/v1/");
        assertEquals(200, root.status(), root::toString);
        JsonObject r = root.json();
        assertEquals("/redfish/v1/", r.getString("@odata.id"));
        assertTrue(r.getString("@odata.type").startsWith("#ServiceRoot."));
        assertEquals("RootService", r.getString("Id"));
        for (String service : new String[] {"Systems", "Managers", "Chassis", "SessionService", "UpdateService"}) {
            assertEquals("/redfish/v1/" + service, r.getJsonObject(service).getString("@odata.id"), service);
        }
        assertEquals(
                "/redfish/v1/SessionService/Sessions",
                r.getJsonObject("Links").getJsonObject("Sessions").getString("@odata.id"));
        assertEquals("4.0", root.header("OData-Version"));
        assertEquals(200, c.get("/redfish").status());
        RedfishClient.Resp systems = c.get("/redfish/v1/Systems");
        assertEquals(401, systems.status(), "everything else needs credentials");
        assertEquals("Base.1.8.NoValidSession", systems.messageId());
    }

    @Test
    void sessionsLoginUseAndLogout() {
        RedfishClient c = client(1).anonymous();
        RedfishClient.Resp login = c.post(
                "/redfish/v1/SessionService/Sessions",
                new JsonObject().put("UserName", "admin").put("Password", "password"));
        assertEquals(201, login.status(), login::toString);
        String token = login.header("X-Auth-Token");
        String location = login.header("Location");
        assertNotNull(token);
        assertTrue(location.startsWith("/redfish/v1/SessionService/Sessions/"), location);
        assertEquals("admin", login.json().getString("UserName"));
        c.token(token);
        assertEquals(200, c.get(fleet.bmc(1).systemPath()).status());
        assertEquals(1, c.get("/redfish/v1/SessionService/Sessions").json().getInteger("Members@odata.count"));
        assertEquals(300, c.get("/redfish/v1/SessionService").json().getInteger("SessionTimeout"));
        assertEquals(204, c.delete(location).status());
        RedfishClient.Resp after = c.get(fleet.bmc(1).systemPath());
        assertEquals(401, after.status(), "a deleted session's token is refused");
        assertEquals(0, Conditions.result(fleet.bmc(1).sessionCount(), T));
        RedfishClient.Resp wrong = c.anonymous()
                .post(
                        "/redfish/v1/SessionService/Sessions",
                        new JsonObject().put("UserName", "admin").put("Password", "nope"));
        assertEquals(401, wrong.status());
        assertEquals("Base.1.8.ResourceAtUriUnauthorized", wrong.messageId());
        assertEquals(1, fleet.bmc(1).loginFailures());
    }

    @Test
    void basicAuthWrongPasswordIs401WithARedfishError() {
        RedfishClient.Resp r = client(2).basic("admin", "wrong").get("/redfish/v1/Systems");
        assertEquals(401, r.status());
        assertEquals("Base.1.8.ResourceAtUriUnauthorized", r.messageId());
        assertTrue(r.header("WWW-Authenticate").startsWith("Basic"));
        assertEquals(200, client(2).get("/redfish/v1/Systems").status());
    }

    @Test
    void resetTypesDrivePowerAndBoots() {
        SimulatedRedfishBmc bmc = fleet.bmc(3);
        RedfishClient c = client(3);
        String reset = bmc.systemPath() + "/Actions/ComputerSystem.Reset";
        JsonObject system = c.get(bmc.systemPath()).json();
        JsonObject action = system.getJsonObject("Actions").getJsonObject("#ComputerSystem.Reset");
        assertEquals(reset, action.getString("target"));
        assertTrue(action.getJsonArray("ResetType@Redfish.AllowableValues").contains("ForceRestart"));
        assertEquals(200, c.get(action.getString("@Redfish.ActionInfo")).status());
        assertEquals("Off", system.getString("PowerState"));

        assertEquals(204, c.post(reset, new JsonObject().put("ResetType", "On")).status());
        assertEquals("On", c.get(bmc.systemPath()).json().getString("PowerState"));
        assertEquals(1, bmc.boots());
        assertEquals(
                204,
                c.post(reset, new JsonObject().put("ResetType", "ForceRestart")).status());
        assertEquals(2, bmc.boots(), "a restart boots again");
        assertEquals(
                204, c.post(reset, new JsonObject().put("ResetType", "Nmi")).status());
        assertEquals(1, bmc.nmis());
        assertEquals(
                204,
                c.post(reset, new JsonObject().put("ResetType", "GracefulShutdown"))
                        .status());
        assertEquals("Off", c.get(bmc.systemPath()).json().getString("PowerState"));
        assertEquals(204, c.post(reset, new JsonObject().put("ResetType", "On")).status());
        assertEquals(
                204,
                c.post(reset, new JsonObject().put("ResetType", "ForceOff")).status());
        assertEquals(SimulatedRedfishBmc.Power.Off, bmc.power());

        RedfishClient.Resp bad = c.post(reset, new JsonObject().put("ResetType", "Explode"));
        assertEquals(400, bad.status());
        assertEquals("Base.1.8.ActionParameterValueNotInList", bad.messageId());
        RedfishClient.Resp missing = c.post(reset, new JsonObject());
        assertEquals(400, missing.status());
        assertEquals("Base.1.8.ActionParameterMissing", missing.messageId());
    }

    @Test
    void bootOverridePatchHonoursEtagsAndIsConsumedByOneBoot() {
        SimulatedRedfishBmc bmc = fleet.bmc(4);
        RedfishClient c = client(4);
        RedfishClient.Resp before = c.get(bmc.systemPath());
        String etag = before.header("ETag");
        assertNotNull(etag);
        JsonObject boot = new JsonObject()
                .put(
                        "Boot",
                        new JsonObject()
                                .put("BootSourceOverrideTarget", "Pxe")
                                .put("BootSourceOverrideEnabled", "Once")
                                .put("BootSourceOverrideMode", "UEFI"));
        RedfishClient.Resp patched = c.patch(bmc.systemPath(), boot, Map.of("If-Match", etag));
        assertEquals(200, patched.status(), patched::toString);
        assertNotEquals(etag, patched.header("ETag"));
        assertEquals("Pxe", patched.json().getJsonObject("Boot").getString("BootSourceOverrideTarget"));
        RedfishClient.Resp stale = c.patch(bmc.systemPath(), boot, Map.of("If-Match", etag));
        assertEquals(412, stale.status(), "a stale ETag is refused");
        assertEquals("Base.1.8.PreconditionFailed", stale.messageId());
        assertEquals(
                200,
                c.patch(bmc.systemPath(), boot, Map.of("If-Match", "W/" + patched.header("ETag")))
                        .status());

        Conditions.result(bmc.power(true), T);
        assertEquals("Pxe", bmc.lastBootSource());
        JsonObject after = c.get(bmc.systemPath()).json().getJsonObject("Boot");
        assertEquals("Disabled", after.getString("BootSourceOverrideEnabled"), "a one-time override is used up");
        Conditions.result(bmc.power(false), T);
        Conditions.result(bmc.power(true), T);
        assertEquals("Hdd", bmc.lastBootSource(), "without an override the machine boots its disk");

        RedfishClient.Resp badTarget = c.patch(
                bmc.systemPath(),
                new JsonObject().put("Boot", new JsonObject().put("BootSourceOverrideTarget", "Tape")),
                Map.of());
        assertEquals(400, badTarget.status());
        assertEquals("Base.1.8.PropertyValueNotInList", badTarget.messageId());
        assertEquals(
                400,
                c.patch(bmc.systemPath(), new JsonObject().put("PowerState", "On"), Map.of())
                        .status());

        RedfishClient.Resp led = c.patch(bmc.systemPath(), new JsonObject().put("IndicatorLED", "Blinking"), Map.of());
        assertEquals("Blinking", led.json().getString("IndicatorLED"));
        assertTrue(led.json().getBoolean("LocationIndicatorActive"));
        c.patch(bmc.systemPath(), new JsonObject().put("LocationIndicatorActive", false), Map.of());
        assertEquals("Off", bmc.indicatorLed());
    }

    @Test
    void biosSettingsApplyAtTheNextBoot() {
        SimulatedRedfishBmc bmc = fleet.bmc(5);
        RedfishClient c = client(5);
        JsonObject bios = c.get(bmc.systemPath() + "/Bios").json();
        assertEquals("Enabled", bios.getJsonObject("Attributes").getString("ProcHyperthreading"));
        String settings = bios.getJsonObject("@Redfish.Settings")
                .getJsonObject("SettingsObject")
                .getString("@odata.id");
        assertEquals(bmc.systemPath() + "/Bios/Settings", settings);
        RedfishClient.Resp set = c.patch(
                settings,
                new JsonObject().put("Attributes", new JsonObject().put("ProcHyperthreading", "Disabled")),
                Map.of());
        assertEquals(204, set.status(), set::toString);
        assertEquals(
                "Disabled",
                c.get(settings).json().getJsonObject("Attributes").getString("ProcHyperthreading"),
                "pending");
        assertEquals(
                "Enabled",
                c.get(bmc.systemPath() + "/Bios")
                        .json()
                        .getJsonObject("Attributes")
                        .getString("ProcHyperthreading"),
                "not applied before a reboot");
        Conditions.result(bmc.power(true), T);
        assertEquals(
                "Disabled",
                c.get(bmc.systemPath() + "/Bios")
                        .json()
                        .getJsonObject("Attributes")
                        .getString("ProcHyperthreading"));
        assertTrue(c.get(settings).json().getJsonObject("Attributes").isEmpty(), "nothing pending any more");

        RedfishClient.Resp unknown = c.patch(
                settings, new JsonObject().put("Attributes", new JsonObject().put("Frobnicate", "On")), Map.of());
        assertEquals(400, unknown.status());
        assertEquals("Base.1.8.PropertyUnknown", unknown.messageId());
        RedfishClient.Resp badValue = c.patch(
                settings, new JsonObject().put("Attributes", new JsonObject().put("PowerProfile", "Turbo")), Map.of());
        assertEquals("Base.1.8.PropertyValueNotInList", badValue.messageId());
        assertTrue(bmc.biosPending().isEmpty(), "a rejected PATCH changes nothing");

        // BootMode through the BIOS changes the boot mode at the next boot
        c.patch(settings, new JsonObject().put("Attributes", new JsonObject().put("BootMode", "Bios")), Map.of());
        Conditions.result(bmc.power(false), T);
        Conditions.result(bmc.power(true), T);
        assertEquals("Legacy", bmc.bootMode());
        assertEquals(
                200,
                c.get("/redfish/v1/Registries/BiosAttributeRegistry.v1_0_0/BiosAttributeRegistry")
                        .status());
    }

    @Test
    void virtualMediaInsertAndEject() {
        SimulatedRedfishBmc bmc = fleet.bmc(6);
        RedfishClient c = client(6);
        JsonArray members =
                c.get("/redfish/v1/Managers/BMC/VirtualMedia").json().getJsonArray("Members");
        assertEquals(2, members.size());
        String cd = "/redfish/v1/Managers/BMC/VirtualMedia/Cd";
        JsonObject media = c.get(cd).json();
        assertTrue(media.getJsonArray("MediaTypes").contains("CD"));
        assertFalse(media.getBoolean("Inserted"));
        String insert = media.getJsonObject("Actions")
                .getJsonObject("#VirtualMedia.InsertMedia")
                .getString("target");
        String image = "http://127.0.0.1:1/deploy.iso?ipa-api-url=http%3A%2F%2F127.0.0.1%3A6385";
        RedfishClient.Resp r =
                c.post(insert, new JsonObject().put("Image", image).put("Inserted", true));
        assertEquals(204, r.status(), r::toString);
        media = c.get(cd).json();
        assertTrue(media.getBoolean("Inserted"));
        assertEquals(image, media.getString("Image"));
        assertEquals("deploy.iso", media.getString("ImageName"));
        assertEquals(image, bmc.mediaImage("Cd"));
        RedfishClient.Resp busy = c.post(insert, new JsonObject().put("Image", image));
        assertEquals(409, busy.status(), "a busy drive refuses a second image");
        String eject = media.getJsonObject("Actions")
                .getJsonObject("#VirtualMedia.EjectMedia")
                .getString("target");
        assertEquals(204, c.post(eject, new JsonObject()).status());
        assertFalse(c.get(cd).json().getBoolean("Inserted"));
        assertNull(bmc.mediaImage("Cd"));
        assertEquals(400, c.post(insert, new JsonObject()).status(), "Image is required");
        assertEquals(404, c.get("/redfish/v1/Managers/BMC/VirtualMedia/Tape").status());
    }

    @Test
    void hardwareAgreesWithTheAgentsInventory() {
        for (int i : new int[] {7, 8}) {
            SimulatedRedfishBmc bmc = fleet.bmc(i);
            RedfishClient c = client(i);
            JsonObject system = c.get(bmc.systemPath()).json();
            assertEquals(
                    Inventory.memoryMb(i) / 1024,
                    system.getJsonObject("MemorySummary").getLong("TotalSystemMemoryGiB"));
            int threads = 0;
            for (Object m : c.get(bmc.systemPath() + "/Processors").json().getJsonArray("Members")) {
                threads += c.get(((JsonObject) m).getString("@odata.id")).json().getInteger("TotalThreads");
            }
            assertEquals(Inventory.cpuCount(i), threads);
            long memory = 0;
            for (Object m : c.get(bmc.systemPath() + "/Memory").json().getJsonArray("Members")) {
                memory += c.get(((JsonObject) m).getString("@odata.id")).json().getLong("CapacityMiB");
            }
            assertEquals(Inventory.memoryMb(i), memory);
            JsonObject nic =
                    c.get(bmc.systemPath() + "/EthernetInterfaces/NIC1").json();
            assertEquals(AgentFleet.macFor(i), nic.getString("MACAddress"));
            JsonObject storage = c.get(bmc.systemPath() + "/Storage/1").json();
            String drive0 = storage.getJsonArray("Drives").getJsonObject(0).getString("@odata.id");
            assertEquals(Inventory.rootDiskBytes(i), c.get(drive0).json().getLong("CapacityBytes"));
            assertEquals(bmc.uuid(), system.getString("UUID"));
        }
    }

    @Test
    void raidVolumesAreCreatedAndDeleted() {
        SimulatedRedfishBmc bmc = fleet.bmc(9);
        RedfishClient c = client(9);
        String storage = bmc.systemPath() + "/Storage/1";
        JsonObject controller =
                c.get(storage).json().getJsonArray("StorageControllers").getJsonObject(0);
        assertTrue(controller.getJsonArray("SupportedRAIDTypes").contains("RAID1"));
        JsonObject body = new JsonObject()
                .put("Name", "root")
                .put("RAIDType", "RAID1")
                .put(
                        "Links",
                        new JsonObject()
                                .put(
                                        "Drives",
                                        new JsonArray()
                                                .add(new JsonObject().put("@odata.id", storage + "/Drives/0"))
                                                .add(new JsonObject().put("@odata.id", storage + "/Drives/1"))));
        RedfishClient.Resp created = c.post(storage + "/Volumes", body);
        assertEquals(201, created.status(), created::toString);
        String location = created.header("Location");
        JsonObject volume = c.get(location).json();
        assertEquals("RAID1", volume.getString("RAIDType"));
        assertEquals(Inventory.rootDiskBytes(9), volume.getLong("CapacityBytes"), "a mirror is as big as its smallest");
        assertEquals(1, c.get(storage + "/Volumes").json().getInteger("Members@odata.count"));
        RedfishClient.Resp tooBig = c.post(storage + "/Volumes", body.copy().put("CapacityBytes", 1L << 50));
        assertEquals(400, tooBig.status());
        assertEquals(204, c.delete(location).status());
        assertEquals(0, bmc.volumeCount());
        assertEquals(404, c.get(location).status());
    }

    @Test
    void simpleUpdateRunsATaskThatCompletesOrFailsWithTheReason() {
        SimulatedRedfishBmc bmc = fleet.bmc(10);
        RedfishClient c = client(10);
        String action = c.get("/redfish/v1/UpdateService")
                .json()
                .getJsonObject("Actions")
                .getJsonObject("#UpdateService.SimpleUpdate")
                .getString("target");
        String good = "http://127.0.0.1:" + images.actualPort() + "/fw/bios-2.3.1.bin";
        RedfishClient.Resp started = c.post(action, new JsonObject().put("ImageURI", good));
        assertEquals(202, started.status(), started::toString);
        String monitor = started.header("Location");
        assertNotNull(monitor);
        Conditions.await(
                vertx,
                "the update task completes",
                T,
                Duration.ofMillis(20),
                () -> c.get(monitor).status() == 200);
        JsonObject task = c.get(monitor).json();
        assertEquals("Completed", task.getString("TaskState"));
        assertEquals("OK", task.getString("TaskStatus"));
        assertEquals("2.3.1", bmc.biosVersion());
        assertEquals("2.3.1", c.get(bmc.systemPath()).json().getString("BiosVersion"));
        assertEquals(
                "2.3.1",
                c.get("/redfish/v1/UpdateService/FirmwareInventory/BIOS").json().getString("Version"));

        String bad = "http://127.0.0.1:" + images.actualPort() + "/missing/bios-9.bin";
        String failing = c.post(action, new JsonObject().put("ImageURI", bad)).header("Location");
        Conditions.await(
                vertx,
                "the failing task ends",
                T,
                Duration.ofMillis(20),
                () -> c.get(failing).status() == 200);
        JsonObject failed = c.get(failing).json();
        assertEquals("Exception", failed.getString("TaskState"));
        String message = failed.getJsonArray("Messages").getJsonObject(0).getString("Message");
        assertTrue(message.contains(bad) && message.contains("404"), message);
        assertEquals("2.3.1", bmc.biosVersion(), "a failed update changes nothing");
        assertEquals(400, c.post(action, new JsonObject()).status(), "ImageURI is required");
    }

    @Test
    void chassisReportsThermalAndPower() {
        RedfishClient c = client(11);
        JsonObject chassis = c.get("/redfish/v1/Chassis/1U").json();
        JsonObject thermal =
                c.get(chassis.getJsonObject("Thermal").getString("@odata.id")).json();
        assertTrue(thermal.getJsonArray("Temperatures").getJsonObject(0).getInteger("ReadingCelsius") > 0);
        JsonObject power =
                c.get(chassis.getJsonObject("Power").getString("@odata.id")).json();
        assertTrue(power.getJsonArray("PowerControl").getJsonObject(0).getInteger("PowerConsumedWatts") > 0);
        assertEquals(404, c.get("/redfish/v1/Chassis/2U").status());
        assertEquals(405, c.delete("/redfish/v1/Chassis/1U").status());
    }
}
