package io.anvil.agent;

import io.anvil.conductor.AgentHeartbeats;
import io.anvil.conductor.TaskManager;
import io.anvil.config.AnvilConfig;
import io.anvil.driver.DriverFactory;
import io.anvil.store.ResourceStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The agent API's services of one conductor, wired once by the composition root: lookup, the heartbeat intake, the
 * shared liveness coalescer and continuation dispatch. The API verticles each take a {@link #front} (a node reader
 * bound to their event loop).
 */
public final class AgentService {
    private final AnvilConfig.Agent settings;
    private final ResourceStore store;
    private final AgentMetrics metrics = new AgentMetrics();
    private final LivenessCoalescer liveness;
    private final Continuations continuations;
    private final HeartbeatIntake intake;
    private final AgentLookup lookup;

    public AgentService(
            Vertx vertx,
            AnvilConfig.Agent settings,
            ResourceStore store,
            TaskManager tasks,
            DriverFactory drivers,
            AgentHeartbeats conductor,
            LivenessCoalescer.HeartbeatEvents heartbeatEvents) {
        this.settings = settings;
        this.store = store;
        this.liveness = new LivenessCoalescer(
                vertx,
                // the transaction pool, not the pipelined reads: a long batch UPDATE must not hold up the heartbeats'
                // node reads queued behind it on a pipelined connection
                store.database().pool(),
                settings.livenessFlushInterval(),
                settings.waitClockResolution(),
                settings.livenessBatchSize(),
                metrics,
                heartbeatEvents);
        this.continuations = new Continuations(vertx, conductor::continueAfterHeartbeat, metrics);
        this.intake = new HeartbeatIntake(drivers, liveness, continuations, metrics, new StoredTokens(store.secrets()));
        this.lookup = new AgentLookup(store, tasks, settings, metrics);
    }

    public void start() {
        liveness.start();
    }

    /** Graceful stop: writes the liveness still pending (after the API stopped taking heartbeats). */
    public Future<Void> stop() {
        return liveness.stop();
    }

    /** A per-event-loop entry to the intake; create it on the event loop that will use it. */
    public Front front(Context context) {
        return new Front(new NodeReader(store.database().reads(), context, metrics));
    }

    /** One event loop's way in: its own batched node reader, the shared intake behind it. */
    public final class Front {
        private final NodeReader reader;

        private Front(NodeReader reader) {
            this.reader = reader;
        }

        /** Completes (202) once the heartbeat was validated and taken in; fails with Ironic's error otherwise. */
        public Future<Void> heartbeat(HeartbeatRequest hb) {
            return reader.load(hb.nodeIdent()).compose(node -> intake.accept(hb, node));
        }
    }

    public AgentLookup lookup() {
        return lookup;
    }

    public AnvilConfig.Agent settings() {
        return settings;
    }

    public AgentMetrics metrics() {
        return metrics;
    }

    /** Writes pending liveness now (tests, and anything that must read it back at once). */
    public Future<Void> flushLiveness() {
        return liveness.flush();
    }

    /** Nodes whose liveness waits for the next flush. */
    public int pendingLiveness() {
        return liveness.pending();
    }

    /** Nodes with a heartbeat continuation queued or running on this conductor. */
    public int activeContinuations() {
        return continuations.active();
    }
}
