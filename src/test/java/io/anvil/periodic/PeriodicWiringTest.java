package io.anvil.periodic;

import static io.anvil.periodic.PeriodicHarness.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.testsupport.AnvilInstance;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The composition root starts the periodic tasks after the API and stops them first. */
class PeriodicWiringTest {
    @Test
    void aStartedConductorFailsASilentDeployWaitByItself() throws Exception {
        try (AnvilInstance anvil = AnvilInstance.start(Map.of(
                "conductor.check_provision_state_interval", 0.1,
                "conductor.deploy_callback_timeout", 0.3,
                "conductor.sync_power_state_interval", 0.2))) {
            var periodics = anvil.anvil().periodics();
            assertTrue(periodics.scheduler().tasks().containsKey("check_deploy_timeouts"));
            String uuid = UUID.randomUUID().toString();
            var db = anvil.anvil().database().reads();
            await(db.preparedQuery(
                            "INSERT INTO nodes (uuid, driver, provision_state, target_provision_state, "
                                    + "provision_updated_at, power_state, power_interface, management_interface, deploy_interface) "
                                    + "VALUES ($1::uuid, 'fake-hardware', 'wait call-back', 'active', now(), 'power on', 'fake', 'fake', 'fake')")
                    .execute(Tuple.of(uuid)));
            io.anvil.testsupport.Conditions.await(
                    anvil.anvil().vertx(),
                    "the deploy timeout check fails the node",
                    java.time.Duration.ofSeconds(20),
                    java.time.Duration.ofMillis(50),
                    () -> "deploy failed"
                            .equals(await(db.preparedQuery("SELECT provision_state FROM nodes WHERE uuid = $1::uuid")
                                            .execute(Tuple.of(uuid)))
                                    .iterator()
                                    .next()
                                    .getString(0)));
            assertTrue(periodics.scheduler().task("sync_power_states").runs() > 0, "the power sync ran too");
            await(anvil.anvil().stop());
            assertTrue(periodics.scheduler().stopping());
        }
    }
}
