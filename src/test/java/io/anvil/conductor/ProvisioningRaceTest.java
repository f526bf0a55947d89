package io.anvil.conductor;

import io.anvil.fsm.ApiVerb;
import io.anvil.lock.NodeLockedException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conductor re-validates every request under the node's lock against the row as it is then (Ironic's NOTE: "the
 * node state(s) could change by the time the RPC call is made and the TaskManager gets a lock"). A deploy that
 * arrives twice must deploy once: the second finds the node ACTIVE and is refused, never turned into a rebuild
 * (Ironic: {@code rebuild = (target == 'rebuild')}).
 */
class ProvisioningRaceTest extends ConductorTestBase {
  private static final String PS = "baremetal.node.provision_set.";

  @Test
  void aDuplicateDeployQueuedBehindTheFirstDeploysOnce() {
    String uuid = createNode("available");
    Task console = await(tasks().acquire(uuid, TaskOptions.exclusive("console")));
    Future<Void> first = provision(uuid, ApiVerb.ACTIVE);
    waitUntil("first queued", () -> lockInfo(uuid).queueLength() == 1);
    Future<Void> second = provision(uuid, ApiVerb.ACTIVE);
    waitUntil("second queued", () -> lockInfo(uuid).queueLength() == 2);
    await(console.release());
    await(first);
    Throwable e = failure(second);
    assertTrue(e instanceof ConductorErrors.InvalidState || e instanceof NodeLockedException, e::toString);
    waitForState(uuid, "active");
    waitUntil("lock free", () -> lockFree(uuid));
    assertEquals(List.of(PS + "start", PS + "end"), eventTypes(uuid, PS), "deployed exactly once");
  }

  @Test
  void activeOnAnActiveNodeIsRefusedAndRebuildIsExplicit() {
    String uuid = createNode("active");
    Throwable e = failure(provision(uuid, ApiVerb.ACTIVE));
    assertTrue(e instanceof ConductorErrors.InvalidState, e::toString);
    Resp r = putProvision(uuid, "active");
    assertEquals(400, r.status(), r::toString);
    assertTrue(r.fault().getString("faultstring").contains("can not be performed"), r::toString);
    assertEquals(List.of(), eventTypes(uuid, PS));
    assertEquals("active", node(uuid).get("provision_state"));

    assertEquals(202, putProvision(uuid, "rebuild").status());
    waitForState(uuid, "active");
    List<String> events = eventTypes(uuid, PS);
    assertEquals(List.of(PS + "start", PS + "end"), events);
    JsonObject start = (JsonObject) events(uuid).stream().filter(x -> x.get("event_type").equals(PS + "start"))
        .findFirst().orElseThrow().get("payload");
    assertEquals("rebuild", start.getString("event"));
    assertEquals("active", start.getString("previous_provision_state"));
  }
}
