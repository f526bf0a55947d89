package io.anvil.conductor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.anvil.driver.DriverTask;
import io.anvil.driver.PowerInterface;
import io.anvil.driver.fake.FakePower;
import io.anvil.fsm.ApiVerb;
import io.anvil.fsm.PowerState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md#ironic-scenarios scenarios 10 and 11: the provision_set and power_set notifications, read back
 * from the {@code events} table (written in the same transaction as the change, docs/architecture.md#invariants
 * invariant 4).
 */
class NotificationSequenceTest extends ConductorTestBase {
    private static final String PS = "baremetal.node.provision_set.";
    private static final String PW = "baremetal.node.power_set.";

    /** A fake power interface that counts BMC set calls, to prove the "already there" skip makes none. */
    private final AtomicInteger setCalls = new AtomicInteger();

    @BeforeAll
    void registerCountingPower() {
        FakePower fake = new FakePower();
        tasks().drivers().registerPower("counting", new PowerInterface() {
            @Override
            public Future<Void> validate(DriverTask task) {
                return fake.validate(task);
            }

            @Override
            public Future<String> getPowerState(DriverTask task) {
                return fake.getPowerState(task);
            }

            @Override
            public Future<Void> setPowerState(DriverTask task, String target, Duration timeout) {
                setCalls.incrementAndGet();
                return fake.setPowerState(task, target, timeout);
            }

            @Override
            public Future<Void> reboot(DriverTask task, boolean soft, Duration timeout) {
                setCalls.incrementAndGet();
                return fake.reboot(task, soft, timeout);
            }
        });
    }

    private List<Map<String, Object>> provisionEvents(String uuid) {
        return events(uuid).stream()
                .filter(e -> ((String) e.get("event_type")).startsWith(PS))
                .toList();
    }

    private static void assertEvent(
            Map<String, Object> e, String status, String priority, String event, String from, String to) {
        JsonObject p = (JsonObject) e.get("payload");
        String what = e + "";
        assertEquals(PS + status, e.get("event_type"), what);
        assertEquals(priority, e.get("priority"), what);
        assertEquals(event, p.getString("event"), what);
        assertEquals(from, p.getString("previous_provision_state"), what);
        assertEquals(to, p.getString("provision_state"), what);
    }

    @Test
    void deployWithWaitAndContinueEmitsStartSuccessSuccessEnd() {
        String uuid = createNode("available", new JsonObject().put("fake_deploy_wait", true));
        await(provision(uuid, ApiVerb.ACTIVE));
        waitForState(uuid, "wait call-back");
        await(provisioning().continueDeploy(uuid));
        waitForState(uuid, "active");

        List<Map<String, Object>> ev = provisionEvents(uuid);
        assertEquals(4, ev.size(), ev::toString);
        assertEvent(ev.get(0), "start", "info", "deploy", "available", "deploying");
        assertEvent(ev.get(1), "success", "info", "wait", "deploying", "wait call-back");
        assertEvent(ev.get(2), "success", "info", "resume", "wait call-back", "deploying");
        assertEvent(ev.get(3), "end", "info", "done", "deploying", "active");
        assertEquals("active", ((JsonObject) ev.get(0).get("payload")).getString("target_provision_state"));
        assertNull(((JsonObject) ev.get(3).get("payload")).getString("target_provision_state"));
        assertNull(((JsonObject) ev.get(0).get("payload")).getString("previous_target_provision_state"));
        Map<String, Object> row = node(uuid);
        assertNull(row.get("target_provision_state"));
        assertNull(row.get("last_error"));
    }

    @Test
    void deployFailureEmitsStartThenErrorWithFailEvent() {
        String uuid = createNode("available", new JsonObject().put("fake_deploy_fail", "disk on fire"));
        await(provision(uuid, ApiVerb.ACTIVE));
        waitForState(uuid, "deploy failed");
        List<Map<String, Object>> ev = provisionEvents(uuid);
        assertEquals(2, ev.size(), ev::toString);
        assertEvent(ev.get(0), "start", "info", "deploy", "available", "deploying");
        assertEvent(ev.get(1), "error", "error", "fail", "deploying", "deploy failed");
        Map<String, Object> row = node(uuid);
        assertEquals("active", row.get("target_provision_state"), "DEPLOYFAIL keeps target active (fsm.py)");
        assertTrue(String.valueOf(row.get("last_error")).contains("disk on fire"), row::toString);
        assertEquals(row.get("last_error"), ((JsonObject) ev.get(1).get("payload")).getString("last_error"));
    }

    @Test
    void manageFromAvailableIsSuccess() {
        String uuid = createNode("available");
        await(provision(uuid, ApiVerb.MANAGE));
        waitForState(uuid, "manageable");
        List<Map<String, Object>> ev = provisionEvents(uuid);
        assertEquals(1, ev.size(), ev::toString);
        assertEvent(ev.get(0), "success", "info", "manage", "available", "manageable");
    }

    /**
     * Ironic's NOTE(yuriyz) race: a fast worker's end could be emitted before the parent's start. Anvil writes the
     * start in the transaction that begins the worker, so by seq a worker's events always follow its start.
     */
    @Test
    void aWorkersEndNeverPrecedesItsStart() {
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            nodes.add(createNode("available"));
        }
        List<Future<Void>> all = new ArrayList<>();
        nodes.forEach(n -> all.add(provision(n, ApiVerb.ACTIVE)));
        all.forEach(ConductorTestBase::await);
        for (String n : nodes) {
            waitForState(n, "active");
            List<String> types = eventTypes(n, PS);
            assertEquals(List.of(PS + "start", PS + "end"), types, n);
        }
    }

    @Test
    void powerOnWhenAlreadyOnEmitsStartAndEndWithoutTouchingTheBmc() {
        String uuid = createNode("available");
        sql(
                "UPDATE nodes SET power_interface = 'counting', power_state = 'power on', last_error = 'old failure'"
                        + " WHERE uuid = ?",
                uuid);
        int before = setCalls.get();
        await(conductor().power().changePowerState(uuid, PowerState.POWER_ON, null));
        waitUntil(
                "power action done",
                () -> node(uuid).get("target_power_state") == null
                        && node(uuid).get("reservation") == null
                        && lockFree(uuid));
        assertEquals(List.of(PW + "start", PW + "end"), eventTypes(uuid, PW));
        assertEquals(before, setCalls.get(), "no BMC set call when already on");
        Map<String, Object> row = node(uuid);
        assertEquals("power on", row.get("power_state"));
        assertNull(row.get("target_power_state"));
        assertNull(row.get("last_error"), "an action that reached its state clears last_error");
        JsonObject start = (JsonObject) events(uuid).stream()
                .filter(e -> e.get("event_type").equals(PW + "start"))
                .findFirst()
                .orElseThrow()
                .get("payload");
        assertEquals("power on", start.getString("to_power"));
        assertEquals("power on", start.getString("target_power_state"), "start shows the target being reached");
    }

    @Test
    void powerOffThroughTheBmcEmitsStartAndEnd() {
        String uuid = createNode("available");
        sql("UPDATE nodes SET power_interface = 'counting', power_state = 'power on' WHERE uuid = ?", uuid);
        int before = setCalls.get();
        await(conductor().power().changePowerState(uuid, PowerState.POWER_OFF, null));
        waitUntil(
                "power off",
                () -> "power off".equals(node(uuid).get("power_state"))
                        && node(uuid).get("target_power_state") == null
                        && lockFree(uuid));
        assertEquals(before + 1, setCalls.get());
        assertEquals(List.of(PW + "start", PW + "end"), eventTypes(uuid, PW));
    }

    @Test
    void failingBmcEmitsStartThenErrorAndClearsTheTarget() {
        String uuid = createNode("available", new JsonObject().put("fake_power_fail", "BMC unreachable"));
        sql("UPDATE nodes SET power_state = 'power off' WHERE uuid = ?", uuid);
        await(conductor().power().changePowerState(uuid, PowerState.POWER_ON, null));
        waitUntil(
                "power action failed",
                () -> node(uuid).get("last_error") != null
                        && node(uuid).get("target_power_state") == null
                        && lockFree(uuid));
        List<Map<String, Object>> ev = events(uuid).stream()
                .filter(e -> ((String) e.get("event_type")).startsWith(PW))
                .toList();
        assertEquals(
                List.of(PW + "start", PW + "error"),
                ev.stream().map(e -> e.get("event_type")).toList());
        assertEquals("error", ev.get(1).get("priority"));
        Map<String, Object> row = node(uuid);
        assertEquals("power off", row.get("power_state"), "power_state unchanged");
        assertNull(row.get("target_power_state"));
        assertEquals(
                "Failed to change power state to 'power on' by 'power on': BMC unreachable", row.get("last_error"));
        JsonObject err = (JsonObject) ev.get(1).get("payload");
        assertNull(err.getString("target_power_state"));
        assertEquals(row.get("last_error"), err.getString("last_error"));
    }
}
