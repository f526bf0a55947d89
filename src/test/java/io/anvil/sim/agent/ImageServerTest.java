package io.anvil.sim.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The fleet's image server: sizes from names, deterministic bytes, checksum files, failure injection. */
class ImageServerTest extends SimAgentTestSupport {

    @Test
    void servesDeterministicImagesAndTheirChecksums() throws Exception {
        assertEquals(1L << 20, ImageServer.sizeOf("os-1m.img"));
        assertEquals(3L << 30, ImageServer.sizeOf("big-3g.raw"));
        assertEquals(300, ImageServer.sizeOf("tiny-300b.img"));
        assertEquals(ImageServer.DEFAULT_SIZE, ImageServer.sizeOf("plain.qcow2"));

        var r = http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(fleet.imageUrl("os-200k.img")))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        byte[] body = r.body();
        assertEquals(200 * 1024, body.length);
        assertEquals(
                AgentFleet.sha256Of("os-200k.img"),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
        var again = http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(fleet.imageUrl("os-200k.img")))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(body, again.body());
        assertNotEquals(AgentFleet.sha256Of("os-200k.img"), AgentFleet.sha256Of("os2-200k.img"));

        Resp sum = send("GET", fleet.imageUrl("os-200k.img") + ".sha256", null);
        assertEquals(AgentFleet.sha256Of("os-200k.img") + "  os-200k.img\n", sum.body());
        Resp md5 = send("GET", fleet.imageUrl("os-200k.img") + ".md5", null);
        assertEquals(AgentFleet.md5Of("os-200k.img") + "  os-200k.img\n", md5.body());
        assertEquals(404, send("GET", fleet.imageUrl("missing.img"), null).status());
        assertEquals(500, send("GET", fleet.imageUrl("broken.img"), null).status());
    }
}
