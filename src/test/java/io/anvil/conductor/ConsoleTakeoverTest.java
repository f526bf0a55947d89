package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedBmc;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.testsupport.AnvilCluster;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A console survives a conductor take-over (docs/console.md#ownership-and-take-over): the owning conductor holds the
 * SOL session; it is killed (no Close Session, no Deactivate Payload: the BMC keeps its payload active); the survivor,
 * now owning the node, re-activates SOL (deactivate + activate) and holds the console.
 */
class ConsoleTakeoverTest {

    @Test
    void theNewOwnerReactivatesSol() throws Exception {
        Vertx simVertx = Vertx.vertx();
        SimulatedFleet fleet = AnvilCluster.get(SimulatedFleet.start(
                simVertx, new FleetOptions().count(1).host("127.0.0.1").basePort(0)));
        try (AnvilCluster cluster =
                AnvilCluster.start(Map.of("console.reconcile_interval", 0.2), "console-a", "console-b")) {
            SimulatedBmc bmc = fleet.bmc(0);
            String uuid = ClusterConsoles.enabledSolNode(cluster.member("console-a"), bmc, Map.of());
            cluster.await(
                    "one conductor holds the console",
                    () -> ClusterConsoles.holders(cluster, uuid) == 1 && bmc.solActive());
            AnvilCluster.Member owner = ClusterConsoles.holder(cluster, uuid);
            AnvilCluster.Member survivor = cluster.running().stream()
                    .filter(m -> m != owner)
                    .findFirst()
                    .orElseThrow();
            long activations = bmc.counters().solActivations();
            owner.kill();
            cluster.await(
                    "the survivor re-activated SOL",
                    () -> survivor.anvil()
                                    .consoles()
                                    .get(uuid)
                                    .map(c -> c.connected())
                                    .orElse(false)
                            && bmc.counters().solActivations() > activations);
            assertTrue(bmc.solActive());
            assertEquals(activations + 1, bmc.counters().solActivations(), bmc.counters()::toString);
        } finally {
            AnvilCluster.get(fleet.close());
            AnvilCluster.get(simVertx.close());
        }
    }
}
