package io.anvil.sim.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * {@code standby.prepare_image} and the {@code write_image} deploy step really download from the fleet's image
 * server, verify as IPA does (os_hash_algo/os_hash_value, legacy checksum, checksum URL) and write the disk; failures
 * carry IPA's error types and texts.
 */
class PrepareImageTest extends SimAgentTestSupport {

    private JsonObject image(String name) {
        return new JsonObject()
                .put("id", name)
                .put("urls", new JsonArray().add(fleet.imageUrl(name)))
                .put("disk_format", "qcow2")
                .put("node_uuid", "n");
    }

    private JsonObject prepare(SimulatedAgent a, JsonObject imageInfo) {
        Resp r = command(a, "standby.prepare_image", new JsonObject().put("image_info", imageInfo), false);
        assertEquals(200, r.status(), r.body());
        assertEquals("prepare_image", r.json().getString("command_name"));
        return finished(a);
    }

    @Test
    void sha256ImageIsDownloadedVerifiedAndWritten() {
        SimulatedAgent a = bootedAgent();
        String name = "ubuntu-2m.img";
        JsonObject done =
                prepare(a, image(name).put("os_hash_algo", "sha256").put("os_hash_value", AgentFleet.sha256Of(name)));
        assertEquals("SUCCEEDED", done.getString("command_status"), done.encode());
        SimulatedDisk.Contents c = a.disk().contents();
        assertNotNull(c);
        assertEquals(name, c.imageId());
        assertEquals(2L << 20, c.sizeBytes());
        assertEquals("sha256", c.hashAlgorithm());
        assertEquals(AgentFleet.sha256Of(name), c.digest());
        assertEquals(
                "prepare_image: image (" + name + ") written to device /dev/sda root_uuid=" + c.rootUuid(),
                done.getJsonObject("command_result").getString("result"));
        Resp uuids = command(a, "standby.get_partition_uuids", new JsonObject(), true);
        assertEquals(c.rootUuid(), uuids.json().getJsonObject("command_result").getString("root uuid"));
    }

    @Test
    void md5AsOsHashAlgoAndAsLegacyChecksumWhenAllowed() {
        SimulatedAgent a = bootedAgent();
        String name = "md5-64k.img";
        JsonObject done =
                prepare(a, image(name).put("os_hash_algo", "md5").put("os_hash_value", AgentFleet.md5Of(name)));
        assertEquals("SUCCEEDED", done.getString("command_status"), done.encode());
        assertEquals("md5", a.disk().contents().hashAlgorithm());

        // Anvil's lookup says agent_md5_checksum_enable: false, so a bare MD5 'checksum' is no checksum at all
        Resp refused = command(
                a,
                "standby.prepare_image",
                new JsonObject().put("image_info", image(name).put("checksum", AgentFleet.md5Of(name))),
                false);
        assertEquals(400, refused.status());
        assertTrue(
                refused.json()
                        .getString("faultstring")
                        .startsWith("Invalid command parameters: Image checksum is not available"),
                refused.body());

        fakeIronic.md5Enabled = true;
        try {
            SimulatedAgent b = bootedAgent();
            JsonObject legacy = prepare(b, image("legacy-64k.img").put("checksum", AgentFleet.md5Of("legacy-64k.img")));
            assertEquals("SUCCEEDED", legacy.getString("command_status"), legacy.encode());
            assertEquals("md5", b.disk().contents().hashAlgorithm());
        } finally {
            fakeIronic.md5Enabled = false;
        }
    }

    @Test
    void checksumUrlIsFetchedAndMatchedByFileName() {
        SimulatedAgent a = bootedAgent();
        String name = "centos-1m.qcow2";
        JsonObject done = prepare(a, image(name).put("checksum", fleet.imageUrl(name) + ".sha256"));
        assertEquals("SUCCEEDED", done.getString("command_status"), done.encode());
        assertEquals("sha256", a.disk().contents().hashAlgorithm());
        assertEquals(AgentFleet.sha256Of(name), a.disk().contents().digest());
        // a sha512 file, and os_hash_value given as a URL
        SimulatedAgent b = bootedAgent();
        JsonObject viaHashValue = prepare(
                b, image(name).put("os_hash_algo", "sha512").put("os_hash_value", fleet.imageUrl(name) + ".sha512"));
        assertEquals("SUCCEEDED", viaHashValue.getString("command_status"), viaHashValue.encode());
        assertEquals(AgentFleet.sha512Of(name), b.disk().contents().digest());
    }

    @Test
    void aMismatchIsIpasImageChecksumErrorAndTheDiskIsUntouched() {
        SimulatedAgent a = bootedAgent();
        String name = "tampered-64k.img";
        String wrong = AgentFleet.sha256Of("another-64k.img");
        JsonObject done = prepare(a, image(name).put("os_hash_algo", "sha256").put("os_hash_value", wrong));
        assertEquals("FAILED", done.getString("command_status"));
        JsonObject error = done.getJsonObject("command_error");
        assertEquals("ImageChecksumError", error.getString("type"));
        assertEquals("Error verifying image checksum", error.getString("message"));
        assertEquals(
                "Image failed to verify against checksum. location: " + name + "; image ID: /tmp/" + name
                        + "; image checksum: " + wrong + "; verification checksum: " + AgentFleet.sha256Of(name),
                error.getString("details"));
        assertNull(a.disk().contents());
    }

    @Test
    void a404IsAFatalDownloadErrorAndAnUnreachableServerACommandExecutionError() {
        SimulatedAgent a = bootedAgent();
        JsonObject done =
                prepare(a, image("missing-os.img").put("os_hash_algo", "sha256").put("os_hash_value", "ab".repeat(32)));
        assertEquals("FAILED", done.getString("command_status"));
        JsonObject error = done.getJsonObject("command_error");
        assertEquals("ImageDownloadFatalError", error.getString("type"));
        assertEquals("Error downloading image", error.getString("message"));
        assertTrue(
                error.getString("details")
                        .startsWith("Download of image missing-os.img failed: Received status code 404 from "
                                + fleet.imageUrl("missing-os.img") + ", expected 200."),
                error.getString("details"));

        JsonObject broken =
                prepare(a, image("broken-os.img").put("os_hash_algo", "sha256").put("os_hash_value", "ab".repeat(32)));
        assertEquals("ImageDownloadError", broken.getJsonObject("command_error").getString("type"), broken.encode());

        JsonObject unreachable = prepare(
                a,
                image("x.img")
                        .put("urls", new JsonArray().add("http://127.0.0.1:1/x.img"))
                        .put("os_hash_algo", "sha256")
                        .put("os_hash_value", "ab".repeat(32)));
        assertEquals(
                "CommandExecutionError",
                unreachable.getJsonObject("command_error").getString("type"));
        assertTrue(unreachable
                .getJsonObject("command_error")
                .getString("details")
                .startsWith("HTTPConnectionPool(host='127.0.0.1', port=1)"));
    }

    @Test
    void invalidImageInfoIsRefusedBeforeTheCommandStarts() {
        SimulatedAgent a = bootedAgent();
        Resp noId = command(
                a,
                "standby.prepare_image",
                new JsonObject().put("image_info", new JsonObject().put("urls", new JsonArray().add("http://x"))),
                false);
        assertEquals(400, noId.status());
        assertEquals(
                "Invalid command parameters: Image is missing 'id' field.",
                noId.json().getString("faultstring"));
        Resp noChecksum =
                command(a, "standby.prepare_image", new JsonObject().put("image_info", image("a.img")), false);
        assertEquals(400, noChecksum.status());
    }

    @Test
    void writeImageDeployStepRunsPrepareImage() {
        SimulatedAgent a = bootedAgent();
        String name = "deploy-128k.raw";
        JsonObject info = image(name)
                .put("disk_format", "raw")
                .put("stream_raw_images", true)
                .put("os_hash_algo", "sha256")
                .put("os_hash_value", AgentFleet.sha256Of(name));
        JsonObject step = new JsonObject()
                .put("step", "write_image")
                .put("interface", "deploy")
                .put("args", new JsonObject().put("image_info", info).put("configdrive", "H4sI..."));
        command(a, "deploy.execute_deploy_step", nodeParams().put("step", step), false);
        JsonObject done = finished(a);
        assertEquals("SUCCEEDED", done.getString("command_status"), done.encode());
        assertEquals(step, done.getJsonObject("command_result").getJsonObject("deploy_step"));
        assertTrue(done.getJsonObject("command_result")
                .getJsonObject("deploy_result")
                .getString("result")
                .startsWith("prepare_image: image (" + name + ") written to device /dev/sda root_uuid=0x"));
        assertTrue(a.disk().contents().configdrive());

        // a bad image_info inside the step fails the step (IPA raises the validator's error in the step's thread)
        JsonObject badStep =
                step.copy().put("args", new JsonObject().put("image_info", new JsonObject().put("id", "x")));
        command(a, "deploy.execute_deploy_step", nodeParams().put("step", badStep), false);
        JsonObject failed = finished(a);
        assertEquals(
                "InvalidCommandParamsError",
                failed.getJsonObject("command_error").getString("type"));
    }

    @Test
    void theDiskSurvivesAReboot() {
        SimulatedAgent a = bootedAgent();
        String name = "keep-64k.img";
        prepare(a, image(name).put("os_hash_algo", "sha256").put("os_hash_value", AgentFleet.sha256Of(name)));
        a.stop();
        waitUntil("down", () -> !a.running());
        a.boot();
        waitUntil("up again", () -> a.running() && a.nodeUuid() != null);
        assertEquals(name, a.disk().imageId());
    }

    @Test
    void aLargeImageStreamsThroughWithBackPressure() {
        SimulatedAgent a = bootedAgent();
        String name = "large-48m.raw";
        JsonObject done = prepare(a, image(name).put("checksum", fleet.imageUrl(name) + ".sha256"));
        assertEquals("SUCCEEDED", done.getString("command_status"), done.encode());
        assertEquals(48L << 20, a.disk().contents().sizeBytes());
        assertEquals(AgentFleet.sha256Of(name), a.disk().contents().digest());
    }
}
