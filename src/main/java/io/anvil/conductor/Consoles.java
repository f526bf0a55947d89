package io.anvil.conductor;

import io.anvil.cluster.NodeOwnership;
import io.anvil.driver.ipmi.IpmiDriverInfo;
import io.anvil.ipmi.client.BmcTarget;
import io.anvil.ipmi.client.IpmiClient;
import io.anvil.ipmi.client.SolSession;
import io.anvil.store.ResourceStore;
import io.anvil.store.Resources;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serial consoles this conductor holds open (docs/console.md): one Serial-over-LAN session per node whose console
 * is enabled with the {@code ipmi-sol} interface and which this conductor owns, a bounded ring of its latest output for
 * late viewers, its viewers, and the one viewer allowed to type. Nothing here takes a node lock: enabling and
 * disabling (a short locked state change in the API) only start and stop the session; the stream, viewers and
 * keystrokes run beside deploys, power actions and heartbeats. A periodic reconcile re-activates SOL for the nodes this
 * conductor owns (at start and after a take-over: the BMC still has the old owner's payload active, which the client
 * deactivates and activates again) and closes those it no longer owns. Thread-safe: API verticles call it from their
 * event loops; each node's state is guarded by its own monitor, held only for buffer and set operations.
 */
public final class Consoles {

    /** The console interface served here: Anvil's own SOL client instead of Ironic's ipmitool + socat. */
    public static final String INTERFACE = "ipmi-sol";

    private static final Logger LOG = LoggerFactory.getLogger(Consoles.class);

    /** Someone watching a node's console; implemented by the API's WebSocket. */
    public interface Viewer {
        void output(byte[] bytes);

        /** The console went away (disabled, lost, moved): the viewer should disconnect. */
        void ended(String why);
    }

    /** Why input was refused, or null when it was accepted. */
    public record InputResult(boolean accepted, String refusal) {
        static final InputResult OK = new InputResult(true, null);
    }

    private final Vertx vertx;
    private final IpmiClient ipmi;
    private final ResourceStore store;
    private final NodeOwnership ownership;
    private final TaskManager tasks;
    private final int bufferBytes;
    private final Map<String, NodeConsole> consoles = new ConcurrentHashMap<>();
    private long reconcileTimer = -1;

    /** Why a console is being opened: it decides how a failure is recorded (Ironic's two code paths). */
    public enum Origin {
        /** {@code PUT …/states/console {"enabled": true}} (Ironic's {@code _set_console_mode}). */
        ENABLE,
        /** This conductor's start or a take-over (Ironic's {@code _start_consoles} at conductor start). */
        RESTORE
    }

    public Consoles(
            Vertx vertx,
            IpmiClient ipmi,
            ResourceStore store,
            NodeOwnership ownership,
            TaskManager tasks,
            int bufferBytes) {
        this.vertx = vertx;
        this.ipmi = ipmi;
        this.store = store;
        this.ownership = ownership;
        this.tasks = tasks;
        this.bufferBytes = Math.max(256, bufferBytes);
    }

    /** One node's live console. */
    public final class NodeConsole {
        final String uuid;
        private final byte[] ring = new byte[bufferBytes];
        private long written;
        private final Set<Viewer> viewers = new HashSet<>();
        private Viewer writer;
        private SolSession sol;
        private volatile boolean closed;

        NodeConsole(String uuid) {
            this.uuid = uuid;
        }

        void output(byte[] bytes) {
            List<Viewer> targets;
            synchronized (this) {
                for (byte b : bytes) {
                    ring[(int) (written++ % ring.length)] = b;
                }
                targets = List.copyOf(viewers);
            }
            for (Viewer v : targets) {
                v.output(bytes);
            }
        }

        /** The last {@code buffer_bytes} of output: what a late viewer sees first. */
        public synchronized byte[] recent() {
            int n = (int) Math.min(written, ring.length);
            byte[] out = new byte[n];
            long start = written - n;
            for (int i = 0; i < n; i++) {
                out[i] = ring[(int) ((start + i) % ring.length)];
            }
            return out;
        }

        /** Adds a viewer, giving it the buffered screen first under the same monitor (no byte lost or doubled). */
        public void attach(Viewer v) {
            byte[] screen;
            synchronized (this) {
                screen = recent();
                viewers.add(v);
            }
            if (screen.length > 0) {
                v.output(screen);
            }
            if (closed) {
                v.ended("console disabled");
            }
        }

        public void detach(Viewer v) {
            synchronized (this) {
                viewers.remove(v);
                if (writer == v) {
                    writer = null;
                }
            }
        }

        /** One writer at a time: the first viewer to type holds the keyboard until it disconnects or releases it. */
        public Future<InputResult> input(Viewer v, byte[] bytes) {
            SolSession s;
            synchronized (this) {
                if (writer != null && writer != v) {
                    return Future.succeededFuture(new InputResult(
                            false,
                            "input refused: another viewer is typing on this console (read-only until it leaves)"));
                }
                writer = v;
                s = sol;
            }
            if (s == null) {
                return Future.succeededFuture(new InputResult(false, "input refused: the console is not connected"));
            }
            return s.write(bytes)
                    .map(InputResult.OK)
                    .otherwise(err -> new InputResult(false, "input refused: " + err.getMessage()));
        }

        /** Gives the keyboard up (the viewer stays a reader). */
        public synchronized void release(Viewer v) {
            if (writer == v) {
                writer = null;
            }
        }

        public synchronized int viewers() {
            return viewers.size();
        }

        public boolean connected() {
            return sol != null && !closed;
        }

        void end(String why) {
            closed = true;
            List<Viewer> targets;
            synchronized (this) {
                targets = List.copyOf(viewers);
                viewers.clear();
                writer = null;
            }
            targets.forEach(v -> v.ended(why));
        }
    }

    /** The node's console when this conductor holds it open. */
    public Optional<NodeConsole> get(String uuid) {
        return Optional.ofNullable(consoles.get(uuid));
    }

    /**
     * After {@code PUT …/states/console {"enabled": true}}: opens SOL at once when this conductor owns the node;
     * otherwise the owner's next reconcile opens it.
     */
    public Future<Void> enabled(io.vertx.core.json.JsonObject node, BmcTarget target) {
        String uuid = node.getString("uuid");
        if (!ownership.ownedHere(uuid, node.getString("driver"), node.getString("conductor_group"))) {
            return Future.succeededFuture();
        }
        return start(uuid, target, Origin.ENABLE);
    }

    /**
     * Opens the node's SOL session unless it is open already. {@code target} comes from the task's opened node. When
     * the BMC refuses or cannot be reached, the failure is recorded as Ironic records it: {@code console_enabled}
     * turns false and {@code last_error} (and the node's history) say why, with a {@code console_set.error} or
     * {@code console_restore.error} notification.
     */
    public Future<Void> start(String uuid, BmcTarget target, Origin origin) {
        if (ipmi == null) {
            return Future.failedFuture(new IllegalStateException("the ipmi hardware type is not enabled"));
        }
        NodeConsole existing = consoles.get(uuid);
        if (existing != null && !existing.closed) {
            return Future.succeededFuture();
        }
        NodeConsole console = new NodeConsole(uuid);
        consoles.put(uuid, console);
        return ipmi.activateSol(target, console::output)
                .onSuccess(sol -> {
                    synchronized (console) {
                        console.sol = sol;
                    }
                    if (console.closed) {
                        sol.close();
                        return;
                    }
                    sol.ended().onFailure(err -> {
                        LOG.warn("console of node {} lost: {}", uuid, err.getMessage());
                        consoles.remove(uuid, console);
                        console.end("console lost: " + err.getMessage());
                    });
                })
                .onFailure(err -> {
                    boolean stoppedMeanwhile = console.closed; // disabled while activating: nothing failed
                    consoles.remove(uuid, console);
                    console.end("console failed: " + err.getMessage());
                    if (!stoppedMeanwhile) {
                        recordFailure(uuid, origin, err);
                    }
                })
                .mapEmpty();
    }

    /**
     * Ironic's failure paths: {@code _set_console_mode} records "Error enabling the console on node …" in the history
     * (which sets {@code last_error}) and emits {@code console_set.error}; {@code _start_consoles} turns
     * {@code console_enabled} back to false and emits {@code console_restore.error}. Anvil's enable is recorded before
     * SOL opens (the lock covers only the state change), so both paths turn {@code console_enabled} false here, under
     * a short exclusive lock, unless the console was disabled meanwhile.
     */
    private void recordFailure(String uuid, Origin origin, Throwable err) {
        String reason = err.getMessage() == null ? err.toString() : err.getMessage();
        String message = origin == Origin.ENABLE
                ? "Error enabling the console on node " + uuid + ". Reason: " + reason
                : "Failed to start console of node " + uuid + " while starting the conductor, so changing the"
                        + " console_enabled status to False, error: " + reason;
        String eventType =
                origin == Origin.ENABLE ? "baremetal.node.console_set.error" : "baremetal.node.console_restore.error";
        String historyType = origin == Origin.ENABLE ? "console" : "startup failure";
        LOG.error(message);
        if (tasks == null) {
            return;
        }
        tasks.withTask(uuid, tasks.apiWrite("recording a console failure"), task -> {
                    if (!Boolean.TRUE.equals(task.node().getBoolean("console_enabled"))) {
                        return Future.<Void>succeededFuture();
                    }
                    Map<String, Object> columns = new java.util.HashMap<>();
                    columns.put("console_enabled", false);
                    columns.put("last_error", message);
                    return task.saveWithEvent(columns, eventType, "error", null, tx -> tx.preparedQuery(
                                            "INSERT INTO node_history (uuid, node_id, conductor,"
                                                    + " event_type, severity, event) VALUES ($1, $2, $3, $4, 'ERROR',"
                                                    + " $5)")
                                    .execute(io.vertx.sqlclient.Tuple.of(
                                            java.util.UUID.randomUUID(),
                                            task.node().getLong("id"),
                                            tasks.host(),
                                            historyType,
                                            message))
                                    .<Void>mapEmpty())
                            .<Void>mapEmpty();
                })
                .onFailure(e -> LOG.warn("could not record the console failure of node {}: {}", uuid, e.getMessage()));
    }

    /** Closes the node's SOL session (Deactivate Payload, Close Session); viewers are told and disconnected. */
    public Future<Void> stop(String uuid, String why) {
        NodeConsole console = consoles.remove(uuid);
        if (console == null) {
            return Future.succeededFuture();
        }
        console.end(why);
        SolSession s;
        synchronized (console) {
            s = console.sol;
        }
        return s == null ? Future.succeededFuture() : s.close();
    }

    /** Starts the reconcile: now, then every {@code interval} seconds. */
    public void startReconciling(long intervalMillis) {
        reconcile();
        reconcileTimer = vertx.setPeriodic(Math.max(100, intervalMillis), id -> reconcile());
    }

    /**
     * Opens the consoles of owned, console-enabled {@code ipmi-sol} nodes that have none here and closes those of nodes
     * no longer owned here or no longer enabled. Lock-free: reads rows, opens their secrets, talks to BMCs.
     */
    public Future<Void> reconcile() {
        return store.database()
                .reads()
                .preparedQuery("SELECT uuid::text AS uuid, driver, conductor_group FROM nodes"
                        + " WHERE console_enabled AND console_interface = $1")
                .execute(io.vertx.sqlclient.Tuple.of(INTERFACE))
                .compose(rows -> {
                    Set<String> wanted = new HashSet<>();
                    for (Row row : rows) {
                        String uuid = row.getString("uuid");
                        if (ownership.ownedHere(uuid, row.getString("driver"), row.getString("conductor_group"))) {
                            wanted.add(uuid);
                        }
                    }
                    for (String uuid : List.copyOf(consoles.keySet())) {
                        if (!wanted.contains(uuid)) {
                            stop(uuid, "console moved to another conductor or disabled");
                        }
                    }
                    List<Future<Void>> starts = new java.util.ArrayList<>();
                    for (String uuid : wanted) {
                        if (!consoles.containsKey(uuid)) {
                            starts.add(store.find(Resources.NODE, uuid)
                                    .compose(row -> start(
                                            uuid,
                                            IpmiDriverInfo.parse(
                                                    uuid,
                                                    store.secrets()
                                                            .openNode(row)
                                                            .getJsonObject("driver_info")),
                                            Origin.RESTORE))
                                    .onFailure(err -> LOG.warn("console of node {}: {}", uuid, err.getMessage())));
                        }
                    }
                    return Future.join(starts).<Void>mapEmpty();
                })
                .recover(err -> {
                    LOG.warn("console reconcile failed: {}", err.getMessage());
                    return Future.succeededFuture();
                });
    }

    /** Closes every console (conductor shutdown). */
    public Future<Void> close() {
        if (reconcileTimer >= 0) {
            vertx.cancelTimer(reconcileTimer);
        }
        List<Future<Void>> stops = new java.util.ArrayList<>();
        for (String uuid : List.copyOf(consoles.keySet())) {
            stops.add(stop(uuid, "conductor stopping"));
        }
        return Future.join(stops).mapEmpty();
    }
}
