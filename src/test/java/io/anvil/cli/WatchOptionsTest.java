package io.anvil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code anvil watch}'s command line → the request it makes (endpoint, then GET /v1/events's query). */
class WatchOptionsTest {

    private static WatchCommand parse(String... args) {
        WatchCommand cmd = new WatchCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void everyFilterOptionReachesTheQuery() {
        WatchCommand cmd = parse(
                "--node", "n1,n2",
                "--node", "n3",
                "--type", "baremetal.node.power_*",
                "--type", "*.error",
                "--level", "warning,error",
                "--conductor-group", "rack-7",
                "--owner", "proj-a",
                "--since", "42");
        assertEquals(
                "/v1/events?node=n1,n2,n3&type=baremetal.node.power_*,*.error&level=warning,error"
                        + "&conductor_group=rack-7&owner=proj-a&since=42",
                cmd.filters().uri("", cmd.since));
    }

    @Test
    void withoutOptionsTheWholeFeedIsFollowedLiveFromTheDefaultEndpoint() {
        WatchCommand cmd = parse();
        assertEquals("/v1/events", cmd.filters().uri("", cmd.since));
        assertEquals(URI.create("http://127.0.0.1:6385"), WatchCommand.endpoint(null));
        assertEquals(60, cmd.idleTimeout);
        assertEquals(15, cmd.maxBackoff);
    }

    @Test
    void theEndpointMayBeHttpsOrWebSocketWithAPathPrefixAndAnythingElseIsRefused() {
        assertEquals(
                "/baremetal",
                WatchCommand.endpoint("https://anvil.example/baremetal").getRawPath());
        assertEquals("wss", WatchCommand.endpoint("wss://anvil.example:8443").getScheme());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> WatchCommand.endpoint("ftp://anvil.example"));
        assertTrue(e.getMessage().contains("http://HOST:PORT"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WatchCommand.endpoint("127.0.0.1:6385"));
    }

    @Test
    void aSinceThatIsNotANumberIsAUsageError() {
        assertThrows(CommandLine.ParameterException.class, () -> parse("--since", "yesterday"));
    }
}
