package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.AnvilCluster;
import io.anvil.testsupport.ConsoleTestClient;
import io.anvil.testsupport.OnContext;
import io.anvil.testsupport.TestCredentials;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A viewer that reaches the conductor which does not hold a node's console is relayed to the one that does
 * (docs/console.md#ownership-and-take-over): it sees the same bytes as a viewer on the owner, its keystrokes make it
 * the console's one writer, and the relay neither skips authentication nor lets a client in through its marker header.
 */
class ConsoleRelayTest {
    private static final String ADMIN = TestCredentials.basic("admin", "admin-pass");
    private static final String OUTSIDER = TestCredentials.basic("outsider", "outsider-pass");

    @Test
    void aViewerOnTheOtherConductorIsRelayedToTheOwner() throws Exception {
        Path dir = Files.createTempDirectory("anvil-relay");
        Path users = TestCredentials.htpasswd(dir, Map.of("admin", "admin-pass", "outsider", "outsider-pass"));
        Vertx simVertx = Vertx.vertx();
        SimulatedFleet fleet = AnvilCluster.get(SimulatedFleet.start(
                simVertx, new FleetOptions().count(1).host("127.0.0.1").basePort(0)));
        try (AnvilCluster cluster = AnvilCluster.start(
                Map.of(
                        "console.reconcile_interval",
                        0.2,
                        "api.auth_strategy",
                        "http_basic",
                        "api.http_basic_auth_user_file",
                        users.toString(),
                        "api.http_basic_roles",
                        List.of("outsider=member:elsewhere")),
                "relay-a",
                "relay-b")) {
            SimulatedBmc bmc = fleet.bmc(0);
            String uuid =
                    ClusterConsoles.enabledSolNode(cluster.member("relay-a"), bmc, Map.of("Authorization", ADMIN));
            // the first conductor may hold the console before it sees the second one join: wait until both rings
            // name the holder as the owner, as the relay decides by the ring of the conductor it is asked on
            cluster.await("one conductor holds the console, and both rings say it owns the node", () -> {
                AnvilCluster.Member holder = ClusterConsoles.holder(cluster, uuid);
                if (holder == null || !bmc.solActive()) {
                    return false;
                }
                for (AnvilCluster.Member m : cluster.running()) {
                    String owner =
                            AnvilCluster.get(m.anvil().registry().rings()).owner(uuid, "ipmi", "");
                    if (!holder.hostname().equalsIgnoreCase(owner)) {
                        return false;
                    }
                }
                return true;
            });
            AnvilCluster.Member owner = ClusterConsoles.holder(cluster, uuid);
            AnvilCluster.Member other = cluster.running().stream()
                    .filter(m -> m != owner)
                    .findFirst()
                    .orElseThrow();
            Consoles.NodeConsole console = owner.anvil().consoles().get(uuid).orElseThrow();
            assertTrue(other.anvil().consoles().get(uuid).isEmpty(), "only the owner holds SOL");
            Vertx client = other.vertx();
            OnContext viewers = OnContext.of(client);

            try (ConsoleTestClient onOwner = AnvilCluster.get(viewers.call(() ->
                            ConsoleTestClient.connect(client, owner.port(), uuid, Map.of("Authorization", ADMIN))));
                    ConsoleTestClient relayed = AnvilCluster.get(viewers.call(() ->
                            ConsoleTestClient.connect(client, other.port(), uuid, Map.of("Authorization", ADMIN))))) {
                AnvilCluster.get(relayed.control("attached"));
                cluster.await("the owner counts the relayed viewer", () -> console.viewers() == 2);

                // the relayed viewer types first: it is the console's one writer
                AnvilCluster.get(relayed.type("through the relay\r"));
                AnvilCluster.get(relayed.screen(s -> s.contains("through the relay\r\n")));
                AnvilCluster.get(onOwner.screen(s -> s.contains("through the relay\r\n")));
                assertEquals(onOwner.text(), relayed.text(), "a relayed reader sees the owner's bytes");

                AnvilCluster.get(onOwner.type("typed on the owner\r"));
                JsonObject refused = AnvilCluster.get(onOwner.control("input_refused"));
                assertTrue(refused.getString("message").contains("another viewer is typing"), refused::encode);
                assertFalse(relayed.text().contains("typed on the owner"), "refused input never reached the host");

                // and the other way round: the owner's reader takes the keyboard once the relayed writer leaves
                relayed.close();
                cluster.await("the relay's upstream viewer left the owner", () -> console.viewers() == 1);
                AnvilCluster.get(onOwner.type("owner again\r"));
                AnvilCluster.get(onOwner.screen(s -> s.contains("owner again\r\n")));
            }

            // a browser's viewer (its credential in a subprotocol, no header) is relayed with that credential
            String browserCredential = "anvil.auth."
                    + java.util.Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(ADMIN.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (ConsoleTestClient browser = AnvilCluster.get(viewers.call(() -> ConsoleTestClient.connectWithProtocols(
                    client, other.port(), uuid, java.util.List.of("anvil.v1", browserCredential))))) {
                AnvilCluster.get(browser.control("attached"));
                cluster.await("the owner counts the browser's relayed viewer", () -> console.viewers() == 1);
            }

            // the relay authorizes as the API does: no credential, a project that may not see the node
            assertEquals(401, refusal(client, other.port(), uuid, Map.of()));
            assertEquals(404, refusal(client, other.port(), uuid, Map.of("Authorization", OUTSIDER)));
            // its marker header is no back door: the owner still wants credentials, the other conductor never relays
            assertEquals(401, refusal(client, owner.port(), uuid, Map.of("X-Anvil-Console-Relay", other.hostname())));
            assertEquals(
                    503,
                    refusal(
                            client,
                            other.port(),
                            uuid,
                            Map.of("Authorization", ADMIN, "X-Anvil-Console-Relay", "a-client")));
        } finally {
            AnvilCluster.get(fleet.close());
            AnvilCluster.get(simVertx.close());
        }
    }

    private static int refusal(Vertx vertx, int port, String uuid, Map<String, String> headers) {
        Throwable e = AnvilCluster.failure(
                OnContext.of(vertx).call(() -> ConsoleTestClient.connect(vertx, port, uuid, headers)));
        assertTrue(e instanceof UpgradeRejectedException, () -> "expected a refused upgrade: " + e);
        return ((UpgradeRejectedException) e).getStatus();
    }
}
