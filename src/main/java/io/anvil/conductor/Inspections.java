package io.anvil.conductor;

import io.anvil.driver.InspectInterface;
import io.anvil.driver.inspect.AgentInspect;
import io.anvil.driver.inspect.InventoryProcessing;
import io.anvil.errors.AnvilException;
import io.anvil.fsm.ProvisionEvent;
import io.anvil.fsm.ProvisionState;
import io.anvil.store.InventoryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conductor's side of {@code POST /v1/continue_inspection} (docs/agent.md): Ironic's inspect_utils.lookup_node,
 * manager.continue_inspection and conductor/inspection.py continue_inspection. The node is found by the ports of the
 * reported MACs and by the BMC addresses cached when inspection started; it is taken as a <em>patient</em> waiter in
 * its fair lock queue (a power sync or an API client holding it only delays the data, never drops it), re-checked to
 * be in "inspect wait", and resumed to "inspecting" with a worker that applies the data and ends in "manageable" or
 * "inspect failed".
 */
public final class Inspections {
    private static final Logger LOG = LoggerFactory.getLogger(Inspections.class);

    /**
     * States a node is looked up in: "inspect wait" (Ironic's only one) and "inspecting", because the inspect worker
     * records "inspect wait" only after its last step, the power-on, and a machine that boots at once (a simulated
     * one) may post before that. Its patient lock waits for the inspect worker; "inspect wait" is checked under it.
     */
    private static final Set<String> LOOKUP_STATES =
            Set.of(ProvisionState.INSPECTWAIT.value(), ProvisionState.INSPECTING.value());

    private final TaskManager tasks;
    private final InventoryStore inventories;

    public Inspections(TaskManager tasks) {
        this.tasks = tasks;
        this.inventories = new InventoryStore(tasks.database());
    }

    /**
     * Finds the node, checks it waits for inspection data and starts processing it. Completes with the node's UUID
     * once the node is "inspecting" and the worker runs; fails 404 (Ironic discloses nothing) when no single node in
     * "inspect wait" matches, 503 with no free worker (the agent retries).
     *
     * @param macs         the inventory's valid MAC addresses, normalised
     * @param bmcAddresses the inventory's {@code bmc_address} and {@code bmc_v6address}, when set
     * @param pluginData   everything the agent posted besides the inventory
     */
    public Future<String> continueInspection(
            List<String> macs, List<String> bmcAddresses, JsonObject inventory, JsonObject pluginData) {
        return lookup(macs, bmcAddresses)
                .compose(uuid -> tasks.withTask(
                        uuid,
                        TaskOptions.exclusive("continue inspection").patient().withoutReservedWorkers(),
                        task -> {
                            if (task.provisionState() != ProvisionState.INSPECTWAIT) {
                                LOG.error(
                                        "Refusing to process inspection data for node {} in invalid state {}",
                                        task.uuid(),
                                        task.provisionState().value());
                                return Future.failedFuture(notFound());
                            }
                            task.processEvent(
                                    ProvisionEvent.RESUME,
                                    Optional.empty(),
                                    null,
                                    "continue_inspection",
                                    t -> process(t, inventory, pluginData));
                            return Future.succeededFuture(task.uuid());
                        }));
    }

    // ---- lookup (Ironic's inspect_utils.lookup_node) ----

    private Future<String> lookup(List<String> macs, List<String> bmcAddresses) {
        Future<JsonObject> byMacs = macs.isEmpty() ? Future.succeededFuture(null) : nodeByMacs(macs);
        return byMacs.compose(known -> {
            if (known != null && !LOOKUP_STATES.contains(known.getString("provision_state"))) {
                LOG.error(
                        "Node {} was found during inspection lookup with MAC addresses {}, but it is in provision "
                                + "state {}",
                        known.getString("uuid"),
                        macs,
                        known.getString("provision_state"));
                return Future.failedFuture(notFound());
            }
            String knownUuid = known == null ? null : known.getString("uuid");
            Future<List<String>> byBmc =
                    bmcAddresses.isEmpty() ? Future.succeededFuture(List.of()) : nodesByBmc(bmcAddresses, knownUuid);
            return byBmc.compose(candidates -> {
                // a node found by its MACs must also be one of the nodes its BMC address names (or none is named):
                // anything else is a sign of ports or BMC addresses enrolled on the wrong node
                if (knownUuid != null && !candidates.isEmpty() && !candidates.contains(knownUuid)) {
                    LOG.error(
                            "Conflict on inspection lookup: nodes {} and {} both satisfy MAC addresses ({}) and BMC "
                                    + "address(es) ({})",
                            candidates,
                            knownUuid,
                            macs,
                            bmcAddresses);
                    return Future.failedFuture(notFound());
                }
                if (knownUuid != null) {
                    return Future.succeededFuture(knownUuid);
                }
                if (candidates.size() > 1) {
                    LOG.error(
                            "Several nodes {} satisfy BMC address(es) ({}), but none of them satisfy MAC addresses "
                                    + "({}). Ports must be created for a successful inspection in this case.",
                            candidates,
                            bmcAddresses,
                            macs);
                    return Future.failedFuture(notFound());
                }
                if (candidates.isEmpty()) {
                    LOG.error(
                            "No nodes satisfy MAC addresses ({}) and BMC address(es) ({}) during inspection lookup",
                            macs,
                            bmcAddresses);
                    return Future.failedFuture(notFound());
                }
                return Future.succeededFuture(candidates.get(0));
            });
        });
    }

    /** Ironic's get_node_by_port_addresses: the one node owning any of the MACs; several is "not found". */
    private Future<JsonObject> nodeByMacs(List<String> macs) {
        return tasks.database()
                .reads()
                .preparedQuery("SELECT DISTINCT n.uuid, n.provision_state FROM ports p JOIN nodes n ON n.id = p.node_id"
                        + " WHERE p.address = ANY($1::text[]) LIMIT 2")
                .execute(Tuple.of(macs.toArray(new String[0])))
                .compose(rows -> {
                    if (rows.size() > 1) {
                        LOG.error("Conflict on inspection lookup: multiple nodes match MAC addresses {}", macs);
                        return Future.failedFuture(notFound());
                    }
                    if (rows.size() == 0) {
                        return Future.succeededFuture(null);
                    }
                    var row = rows.iterator().next();
                    return Future.succeededFuture(new JsonObject()
                            .put("uuid", row.getUUID(0).toString())
                            .put("provision_state", row.getString(1)));
                });
    }

    /**
     * Nodes inspecting or in "inspect wait" whose cached lookup BMC addresses contain any of the reported ones: at most
     * two, {@code known} (the node found by its MACs, may be null) first when it is one of them — several nodes may
     * share a BMC host (a Redfish service, simulated BMCs on one address), and the check is only whether the known
     * node is among them, as Ironic's _lookup_by_bmc.
     */
    private Future<List<String>> nodesByBmc(List<String> addresses, String known) {
        return tasks.database()
                .reads()
                .preparedQuery("SELECT uuid FROM nodes WHERE provision_state = ANY($1::text[])"
                        + " AND driver_internal_info -> '" + AgentInspect.LOOKUP_BMC_ADDRESSES + "' ?| $2::text[]"
                        + " ORDER BY uuid = $3::uuid DESC NULLS LAST, id LIMIT 2")
                .execute(Tuple.of(
                        LOOKUP_STATES.toArray(new String[0]),
                        (Object) addresses.toArray(new String[0]),
                        known == null ? null : UUID.fromString(known)))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID(0).toString()));
                    return out;
                });
    }

    // ---- the worker (Ironic's conductor/inspection.py continue_inspection) ----

    private Future<Void> process(Task task, JsonObject inventory, JsonObject pluginData) {
        InspectInterface inspect = task.driver().inspect();
        if (inspect == null) {
            return fail(task, null, "Failed to finish inspection: node " + task.uuid() + " has no inspect interface");
        }
        Future<InventoryProcessing.Result> result;
        try {
            result = inspect.processInventory(task, inventory, pluginData);
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        return result.recover(e -> Future.failedFuture(new ProcessingFailed(e)))
                .compose(r -> apply(task, inventory, r))
                .compose(v -> task.save(inspectionTimes(OffsetDateTime.now())))
                .compose(v -> inspect.finishInspection(task).recover(e -> Future.failedFuture(new CleanUpFailed(e))))
                .compose(v -> task.processEvent(ProvisionEvent.DONE))
                .onSuccess(v -> LOG.info("Successfully finished inspection of node {}", task.uuid()))
                .recover(e -> {
                    if (e instanceof CleanUpFailed c) {
                        // Ironic's clean_up: the data is stored, but a node left powered on is a failed inspection
                        return fail(task, null, "Inspection clean up failed: " + Provisioning.message(c.getCause()));
                    }
                    String why = e instanceof ProcessingFailed p
                            ? "failed to run inspection hooks: " + Provisioning.message(p.getCause())
                            : Provisioning.message(e);
                    return fail(task, inspect, "Failed to finish inspection: " + why);
                });
    }

    /** Properties, inspection data and ports in one fenced transaction: the API never shows one without the other. */
    private Future<Void> apply(Task task, JsonObject inventory, InventoryProcessing.Result result) {
        JsonObject node = task.node();
        long id = node.getLong("id");
        JsonObject properties =
                node.getJsonObject("properties", new JsonObject()).copy().mergeIn(result.properties());
        return tasks.database()
                .inTransaction(tx -> tasks.records()
                        .save(tx, id, task.uuid(), NodeFence.claimed(task.fence()), Map.of("properties", properties))
                        .compose(row -> inventories.save(tx, id, inventory, result.pluginData()))
                        .compose(v -> deletePorts(tx, id, result.portsToDelete()))
                        .compose(v -> updatePxeEnabled(tx, id, result.pxeEnabled()))
                        .compose(v -> createPorts(tx, task.uuid(), id, result.portsToCreate())))
                .onSuccess(v -> LOG.info(
                        "Inspection data was stored for node {}: properties {}",
                        task.uuid(),
                        result.properties().encode()));
    }

    private static Future<Void> deletePorts(SqlClient tx, long nodeId, List<String> uuids) {
        if (uuids.isEmpty()) {
            return Future.succeededFuture();
        }
        return tx.preparedQuery("DELETE FROM ports WHERE node_id = $1 AND uuid = ANY($2::uuid[])")
                .execute(Tuple.of(
                        nodeId, (Object) uuids.stream().map(UUID::fromString).toArray(UUID[]::new)))
                .mapEmpty();
    }

    private static Future<Void> updatePxeEnabled(SqlClient tx, long nodeId, Map<String, Boolean> changes) {
        Future<Void> chain = Future.succeededFuture();
        for (Map.Entry<String, Boolean> e : changes.entrySet()) {
            chain = chain.compose(v -> tx.preparedQuery(
                            "UPDATE ports SET pxe_enabled = $1, updated_at = now() WHERE node_id = $2 AND uuid = $3")
                    .execute(Tuple.of(e.getValue(), nodeId, UUID.fromString(e.getKey())))
                    .mapEmpty());
        }
        return chain;
    }

    /**
     * Ironic's create_ports_if_not_exist: a MAC that already has a port (this node's, created meanwhile, or another
     * node's) is skipped with a log line, never duplicated and never an error.
     */
    private static Future<Void> createPorts(
            SqlClient tx, String nodeUuid, long nodeId, List<InventoryProcessing.NewPort> ports) {
        Future<Void> chain = Future.succeededFuture();
        for (InventoryProcessing.NewPort p : ports) {
            chain = chain.compose(v -> tx.preparedQuery("INSERT INTO ports (uuid, address, node_id, pxe_enabled, extra)"
                            + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (address) DO NOTHING RETURNING uuid")
                    .execute(Tuple.of(UUID.randomUUID(), p.address(), nodeId, p.pxeEnabled(), p.extra()))
                    .map(rows -> {
                        if (rows.size() == 0) {
                            LOG.info(
                                    "Port with MAC address {} already exists, skipping it for node {}",
                                    p.address(),
                                    nodeUuid);
                        } else {
                            LOG.info(
                                    "Port {} with MAC address {} was created for node {}",
                                    rows.iterator().next().getUUID(0),
                                    p.address(),
                                    nodeUuid);
                        }
                        return (Void) null;
                    }));
        }
        return chain;
    }

    /**
     * Ironic's inspection_error_handler: clean up (power off) unless that is what failed, then "inspect failed" with
     * last_error. A failed clean-up is logged; the node fails either way.
     */
    private Future<Void> fail(Task task, InspectInterface cleanUp, String error) {
        if (!task.lease().isValid()) {
            return Future.failedFuture(new ConductorErrors.LeaseLost(task.uuid()));
        }
        LOG.error("Inspection processing failed for node {}: {}", task.uuid(), error);
        Future<Void> cleaned = cleanUp == null ? Future.succeededFuture() : cleanUp.finishInspection(task);
        return cleaned.transform(ar -> {
            if (ar.failed()) {
                LOG.warn("Inspection clean up of node {} failed: {}", task.uuid(), Provisioning.message(ar.cause()));
            }
            ProvisionState state = task.provisionState();
            return state == ProvisionState.INSPECTING || state == ProvisionState.INSPECTWAIT
                    ? task.save(inspectionTimes(null))
                            .compose(v -> task.processEvent(ProvisionEvent.FAIL, Optional.empty(), false, error))
                    : Future.<Void>succeededFuture();
        });
    }

    /**
     * Ironic's node update on leaving inspection (db/sqlalchemy/api.py update_node): done sets
     * {@code inspection_finished_at} and clears {@code inspection_started_at}; a failure only clears the start.
     */
    private static Map<String, Object> inspectionTimes(OffsetDateTime finishedAt) {
        Map<String, Object> cols = new HashMap<>();
        cols.put("inspection_started_at", null);
        if (finishedAt != null) {
            cols.put("inspection_finished_at", finishedAt);
        }
        return cols;
    }

    private static AnvilException notFound() {
        return AnvilException.notFound("Resource could not be found.");
    }

    /** The inspect interface could not process the data (Ironic's "failed to run inspection hooks"). */
    private static final class ProcessingFailed extends RuntimeException {
        ProcessingFailed(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** The data is applied but the clean-up (power off) failed. */
    private static final class CleanUpFailed extends RuntimeException {
        CleanUpFailed(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
