package io.anvil.sim.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulated agent's command API against IPA's (api/app.py, extensions/*.py): names, shapes, statuses, errors. */
class CommandApiTest extends SimAgentTestSupport {

    @Test
    void getCleanStepsAnswersIpasGenericStepsAtOnce() {
        SimulatedAgent a = bootedAgent();
        Resp r = command(a, "clean.get_clean_steps", nodeParams(), true);
        assertEquals(200, r.status(), r.body());
        JsonObject result = r.json();
        assertEquals("get_clean_steps", result.getString("command_name"));
        assertEquals("SUCCEEDED", result.getString("command_status"));
        assertNull(result.getValue("command_error"));
        assertNotNull(result.getString("id"));
        JsonObject body = result.getJsonObject("command_result");
        assertEquals(
                new JsonObject().put("generic_hardware_manager", "1.2"),
                body.getJsonObject("hardware_manager_version"));
        JsonArray steps = body.getJsonObject("clean_steps").getJsonArray("GenericHardwareManager");
        Map<String, JsonObject> byName = new HashMap<>();
        steps.forEach(s -> byName.put(((JsonObject) s).getString("step"), (JsonObject) s));
        assertEquals(10, byName.get("erase_devices").getInteger("priority"));
        assertEquals(99, byName.get("erase_devices_metadata").getInteger("priority"));
        assertEquals(0, byName.get("erase_devices_express").getInteger("priority"));
        assertEquals(0, byName.get("erase_pstore").getInteger("priority"));
        assertEquals(0, byName.get("burnin_cpu").getInteger("priority"));
        assertEquals("raid", byName.get("delete_configuration").getString("interface"));
        assertEquals("raid", byName.get("create_configuration").getString("interface"));
        assertEquals("deploy", byName.get("erase_devices").getString("interface"));
        assertEquals(false, byName.get("erase_devices").getBoolean("reboot_requested"));
        assertEquals(true, byName.get("erase_devices").getBoolean("abortable"));
        assertTrue(byName.get("clean_uefi_nvram").getJsonObject("argsinfo").containsKey("match_patterns"));
        assertEquals(12, steps.size());
    }

    @Test
    void deployAndServiceStepsAreIpas() {
        SimulatedAgent a = bootedAgent();
        JsonObject deploy =
                command(a, "deploy.get_deploy_steps", nodeParams(), false).json();
        JsonArray steps = deploy.getJsonObject("command_result")
                .getJsonObject("deploy_steps")
                .getJsonArray("GenericHardwareManager");
        assertTrue(
                steps.stream().anyMatch(s -> ((JsonObject) s).getString("step").equals("write_image")));
        assertTrue(steps.stream().allMatch(s -> ((JsonObject) s).getInteger("priority") == 0));
        assertFalse(steps.getJsonObject(0).containsKey("abortable"), "IPA's deploy steps declare no abortable");
        JsonObject service =
                command(a, "service.get_service_steps", nodeParams(), false).json();
        JsonArray sSteps = service.getJsonObject("command_result")
                .getJsonObject("service_steps")
                .getJsonArray("GenericHardwareManager");
        assertEquals(10, sSteps.size());
        assertFalse(
                sSteps.stream().anyMatch(s -> ((JsonObject) s).getString("step").equals("burnin_disk")));
    }

    @Test
    void executeCleanStepRunsThenSucceedsAndEchoesTheStep() {
        SimulatedAgent a = bootedAgent();
        JsonObject step = new JsonObject()
                .put("step", "erase_devices_metadata")
                .put("priority", 99)
                .put("interface", "deploy");
        Resp started = command(
                a,
                "clean.execute_clean_step",
                nodeParams()
                        .put("step", step)
                        .put("clean_version", new JsonObject().put("generic_hardware_manager", "1.2")),
                false);
        assertEquals(200, started.status(), started.body());
        assertEquals("RUNNING", started.json().getString("command_status"));
        assertEquals("execute_clean_step", started.json().getString("command_name"));
        JsonObject done = finished(a);
        assertEquals("SUCCEEDED", done.getString("command_status"), done.encode());
        assertEquals(step, done.getJsonObject("command_result").getJsonObject("clean_step"));
        assertTrue(done.getJsonObject("command_result").containsKey("clean_result"));
        assertEquals(1, a.disk().metadataErasures());
    }

    @Test
    void aStepIpaDoesNotHaveFailsWithHardwareManagerMethodNotFound() {
        SimulatedAgent a = bootedAgent();
        command(
                a,
                "clean.execute_clean_step",
                nodeParams().put("step", new JsonObject().put("step", "frobnicate")),
                false);
        JsonObject done = finished(a);
        assertEquals("FAILED", done.getString("command_status"));
        JsonObject error = done.getJsonObject("command_error");
        assertEquals("HardwareManagerMethodNotFound", error.getString("type"));
        assertEquals(500, error.getInteger("code"));
        assertEquals("No HardwareManager found to handle method", error.getString("message"));
        assertEquals("Could not find method: frobnicate", error.getString("details"));
    }

    @Test
    void aStaleHardwareManagerVersionIsAVersionMismatch() {
        SimulatedAgent a = bootedAgent();
        command(
                a,
                "clean.execute_clean_step",
                nodeParams()
                        .put("step", new JsonObject().put("step", "erase_pstore"))
                        .put("clean_version", new JsonObject().put("generic_hardware_manager", "1.1")),
                false);
        JsonObject done = finished(a);
        assertEquals("CLEAN_VERSION_MISMATCH", done.getString("command_status"));
        assertEquals("VersionMismatch", done.getJsonObject("command_error").getString("type"));
    }

    @Test
    void unknownCommandsAndExtensionsAreRefusedAsIpaDoes() {
        SimulatedAgent a = bootedAgent();
        Resp unknown = command(a, "standby.frobnicate", new JsonObject(), false);
        assertEquals(400, unknown.status());
        assertEquals(
                "Invalid command: Unknown command: frobnicate", unknown.json().getString("faultstring"));
        Resp ext = command(a, "nope.thing", new JsonObject(), false);
        assertEquals(404, ext.status());
        assertEquals("Not found: Extension with id nope not found.", ext.json().getString("faultstring"));
        Resp noDot = command(a, "nodot", new JsonObject(), false);
        assertEquals(400, noDot.status());
        Resp badBody = send("POST", a.callbackUrl() + "/v1/commands/?agent_token=" + token(a), "{\"name\": \"x\"}");
        assertEquals(400, badBody.status());
        assertEquals(
                "400 Bad Request: Missing or invalid name or params",
                badBody.json().getString("faultstring"));
        // a missing argument is Python's TypeError, recorded as a failed result (Ironic's _raise_if_typeerror)
        Resp typeError = command(a, "clean.get_clean_steps", new JsonObject().put("node", new JsonObject()), false);
        assertEquals(200, typeError.status());
        assertEquals("FAILED", typeError.json().getString("command_status"));
        assertEquals(
                "TypeError", typeError.json().getJsonObject("command_error").getString("type"));
    }

    @Test
    void aSecondCommandWhileOneRunsIs409AndABadTokenIs401() {
        SimulatedAgent a = bootedAgent();
        Resp first = command(
                a,
                "clean.execute_clean_step",
                nodeParams().put("step", new JsonObject().put("step", "burnin_cpu")),
                false);
        assertEquals("RUNNING", first.json().getString("command_status"));
        Resp busy = command(a, "clean.get_clean_steps", nodeParams(), false);
        assertEquals(409, busy.status());
        assertEquals(
                "Agent is busy: executing command execute_clean_step",
                busy.json().getString("faultstring"));
        Resp bad = command(a, "not-the-token", "clean.get_clean_steps", nodeParams(), false);
        assertEquals(401, bad.status());
        assertEquals("401 Unauthorized: Token invalid.", bad.json().getString("faultstring"));
        assertEquals(401, send("GET", a.callbackUrl() + "/v1/commands/", null).status());
        finished(a);
        // one result by id, waited for
        Resp one = send(
                "GET",
                a.callbackUrl() + "/v1/commands/" + first.json().getString("id") + "?wait=true&agent_token=" + token(a),
                null);
        assertEquals("SUCCEEDED", one.json().getString("command_status"));
    }

    @Test
    void waitTrueAnswersWhenTheCommandEnds() {
        SimulatedAgent a = bootedAgent();
        Resp r = command(
                a,
                "clean.execute_clean_step",
                nodeParams().put("step", new JsonObject().put("step", "erase_devices")),
                true);
        assertEquals("SUCCEEDED", r.json().getString("command_status"), r.body());
        JsonObject result = r.json().getJsonObject("command_result").getJsonObject("clean_result");
        assertTrue(result.containsKey("/dev/sda") && result.containsKey("/dev/sdb"), result.encode());
        assertEquals(1, a.disk().erasures());
    }

    @Test
    void powerOffTakesTheRamdiskDownAndCollectSystemLogsGivesATarball() {
        SimulatedAgent a = bootedAgent();
        Resp logs = command(a, "log.collect_system_logs", new JsonObject(), true);
        String b64 = logs.json().getJsonObject("command_result").getString("system_logs");
        assertTrue(b64.length() > 20);
        byte[] gz = java.util.Base64.getDecoder().decode(b64);
        assertEquals(0x1f, gz[0] & 0xff);
        assertEquals(0x8b, gz[1] & 0xff);
        Resp sync = command(a, "standby.sync", new JsonObject(), true);
        assertEquals("SUCCEEDED", sync.json().getString("command_status"));
        Resp off = command(a, "standby.power_off", new JsonObject(), false);
        assertEquals("RUNNING", off.json().getString("command_status"));
        waitUntil("the machine is off", () -> !a.running());
    }

    @Test
    void aSecondAgentThatGetsAMaskedTokenLocksItselfDown() {
        fakeIronic.maskReissuedTokens = true;
        try {
            SimulatedAgent first = fleet.add(java.util.List.of(freshMac()));
            String uuid = fakeIronic.enroll(first.macs().get(0));
            first.boot();
            waitUntil("first agent heartbeating", () -> first.heartbeatsAccepted() >= 1);
            SimulatedAgent second = fleet.add(first.macs());
            second.boot();
            waitUntil("second agent looked up", () -> uuid.equals(second.nodeUuid()));
            waitUntil("second agent silent", () -> !second.serving());
            assertFalse(second.heartbeating());
            assertEquals(0, second.heartbeatsSent());
            assertTrue(first.heartbeating());
            first.stop();
            second.stop();
        } finally {
            fakeIronic.maskReissuedTokens = false;
        }
    }
}
