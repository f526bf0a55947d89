package io.anvil.conductor;

import io.anvil.driver.NetworkInterface;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ironic's vif_list / vif_attach / vif_detach (ironic/conductor/manager.py): the node's network interface does the
 * work under the node's lock, shared to list and exclusive to change, with a bounded wait in the node's fair queue.
 * A failed attach or detach is recorded in the node's history, as Ironic records it.
 */
public final class Vifs {
    private static final Logger LOG = LoggerFactory.getLogger(Vifs.class);

    private final TaskManager tasks;

    public Vifs(TaskManager tasks) {
        this.tasks = tasks;
    }

    public Future<List<JsonObject>> list(String nodeIdent) {
        return tasks.withTask(nodeIdent, TaskOptions.shared("list vifs").withoutDriver(), task -> network(task)
                .vifList(task));
    }

    public Future<Void> attach(String nodeIdent, JsonObject vifInfo) {
        String vif = vifInfo.getString("id");
        return tasks.withTask(
                        nodeIdent,
                        tasks.apiWrite("attach vif"),
                        task -> History.recordFailure(
                                task,
                                network(task).vifAttach(task, vifInfo),
                                "Failed to attach VIF " + vif + " to node " + nodeIdent + ". Error: "))
                .onSuccess(v -> LOG.info("VIF {} successfully attached to node {}", vif, nodeIdent));
    }

    public Future<Void> detach(String nodeIdent, String vif) {
        return tasks.withTask(
                        nodeIdent,
                        tasks.apiWrite("detach vif"),
                        task -> History.recordFailure(
                                task,
                                network(task).vifDetach(task, vif),
                                "Failed to detach VIF " + vif + " from node " + nodeIdent + ", Error: "))
                .onSuccess(v -> LOG.info("VIF {} successfully detached from node {}", vif, nodeIdent));
    }

    private NetworkInterface network(Task task) {
        return tasks.drivers().networkFor(task.node());
    }

    /** Ironic's node_history_record(error=True) on a failed VIF change; the original error is what the caller gets. */
    private static final class History {
        private History() {}

        static Future<Void> recordFailure(Task task, Future<Void> work, String prefix) {
            return work.recover(e -> task.manager()
                    .database()
                    .inTransaction(tx -> tx.preparedQuery("INSERT INTO node_history (uuid, node_id, conductor,"
                                    + " event_type, severity, event) VALUES ($1, $2, $3, $4, 'ERROR', $5)")
                            .execute(io.vertx.sqlclient.Tuple.of(
                                    java.util.UUID.randomUUID(),
                                    task.node().getLong("id"),
                                    task.manager().host(),
                                    task.node().getString("provision_state"),
                                    prefix + e.getMessage())))
                    .transform(x -> Future.<Void>failedFuture(e)));
        }
    }
}
