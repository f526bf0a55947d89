package io.anvil.upkeep;

import io.anvil.cluster.ClusterRing;
import io.anvil.cluster.HashRings;
import io.anvil.cluster.NodeOwnership;
import io.anvil.conductor.Conductor;
import io.anvil.conductor.TaskManager;
import io.anvil.config.AnvilConfig;
import io.anvil.metrics.AnvilMetrics;
import io.anvil.metrics.SensorGauges;
import io.anvil.periodic.PeriodicScheduler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * The conductor's periodic tasks, wired once: power-state sync and recovery, the *WAIT timeouts, and every
 * {@code @Periodic} method of the enabled hardware-interface implementations (collected from the DriverFactory, so
 * a driver adds periodic work without touching the conductor). Start after the API is up; stop first on shutdown.
 */
public record ConductorPeriodics(
        PeriodicScheduler scheduler,
        NodeIterator nodes,
        PowerSync powerSync,
        WaitTimeouts waitTimeouts,
        SensorData sensorData) {
    /** How long a stop waits for running periodic tasks. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(15);

    public static ConductorPeriodics create(
            Vertx vertx, AnvilConfig config, Conductor conductor, NodeOwnership ownership) {
        return create(vertx, config, conductor, ownership, AnvilMetrics.noop());
    }

    /** As above, with the sensor readings of send_sensor_data exported as gauges on {@code metrics}. */
    public static ConductorPeriodics create(
            Vertx vertx, AnvilConfig config, Conductor conductor, NodeOwnership ownership, AnvilMetrics metrics) {
        AnvilConfig.Periodics p = config.periodics();
        PeriodicScheduler scheduler = new PeriodicScheduler(vertx, config::setting, p.maxWorkers(), STOP_GRACE);
        TaskManager tasks = conductor.tasks();
        NodeIterator nodes = new NodeIterator(tasks.database(), tasks, ownership, scheduler::stopping);
        scheduler.withNodes(nodes);
        PowerSync powerSync = new PowerSync(
                vertx,
                conductor.power(),
                new PowerSync.Settings(
                        p.syncPowerStateInterval(),
                        p.syncPowerStateWorkers(),
                        p.powerStateSyncMaxRetries(),
                        p.forcePowerStateDuringSync()));
        WaitTimeouts timeouts = new WaitTimeouts(
                conductor.power(),
                new WaitTimeouts.Settings(
                        p.deployCallbackTimeout(),
                        p.cleanCallbackTimeout(),
                        p.inspectWaitTimeout(),
                        p.rescueCallbackTimeout(),
                        p.serviceCallbackTimeout(),
                        p.maxWorkers()));
        OrphanAllocations orphans = new OrphanAllocations(
                conductor.allocations(),
                AnvilConfig.Conductor.seconds(config.conductor().heartbeatTimeout()));
        AnvilConfig.SensorData sd = config.sensorData();
        SensorData sensors = new SensorData(
                new SensorData.Settings(
                        sd.workers(), sd.dataTypes(), sd.enableForUndeployedNodes(), sd.enableForNodes()),
                new SensorGauges(metrics));
        bindPowerSyncMetrics(metrics, powerSync);
        if (ownership instanceof ClusterRing ring) {
            // a peer died or left: its nodes are checked now, not from the next sync run on
            HashRings[] last = {null};
            ring.onRefresh(rings -> {
                boolean changed = last[0] != null && !rings.sameMembership(last[0]);
                last[0] = rings;
                if (changed) {
                    powerSync.ownershipChanged();
                }
            });
        }
        scheduler
                .register(powerSync)
                .register(sensors)
                .register(new RebootedSteps(conductor.provisioning().steps(), p.maxWorkers()))
                .register(timeouts)
                .register(orphans)
                .registerAll(tasks.drivers().enabledImplementations());
        return new ConductorPeriodics(scheduler, nodes, powerSync, timeouts, sensors);
    }

    /** Whether the cap on checks in flight, not the BMCs or the CPU, is what slows a pass (docs/operations.md). */
    private static void bindPowerSyncMetrics(AnvilMetrics metrics, PowerSync powerSync) {
        metrics.gauge(
                "anvil.power_sync.checks_in_flight",
                "power-state checks running now (at most conductor.sync_power_state_workers)",
                powerSync,
                ps -> ps.limiter().inFlight());
        metrics.gauge(
                "anvil.power_sync.checks_waiting",
                "power-state checks due but waiting for a free slot of conductor.sync_power_state_workers",
                powerSync,
                ps -> ps.limiter().waiting());
        metrics.counter(
                "anvil.power_sync.checks_busy",
                "power-state checks that found their node busy (reserved, or the lock to act refused)",
                powerSync,
                PowerSync::busyChecks);
    }

    public void start() {
        scheduler.start();
    }

    public Future<Void> stop() {
        return scheduler.stop();
    }
}
