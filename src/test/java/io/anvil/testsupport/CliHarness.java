package io.anvil.testsupport;

import io.anvil.sim.agent.AgentFleet;
import io.anvil.sim.agent.AgentFleetOptions;
import io.anvil.sim.bmc.FleetOptions;
import io.anvil.sim.bmc.SimulatedFleet;
import io.anvil.sim.redfish.RedfishFleet;
import io.anvil.sim.redfish.RedfishFleetOptions;
import io.anvil.store.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * What the {@code baremetal} CLI interop classes share: one Anvil, the CLI pointed at it, and the simulated BMC and
 * agent fleets a class asks for (on one Vert.x of their own), all closed in reverse order. Starting it skips the class
 * where the CLI is missing (fails it when CI=true).
 */
public final class CliHarness implements AutoCloseable {
    private final AnvilInstance anvil;
    private final BaremetalCli cli;
    private final List<AutoCloseable> simulators = new ArrayList<>();
    private Vertx simVertx;
    private java.util.function.Consumer<BaremetalCli.Result> outputCheck = r -> {};

    private CliHarness(AnvilInstance anvil) {
        this.anvil = anvil;
        this.cli = BaremetalCli.at(anvil.endpoint());
    }

    /** Anvil with {@code overrides} on a fresh database, and the CLI; skips without {@code baremetal}. */
    public static CliHarness start(Map<String, Object> overrides) throws Exception {
        TestServices.requireTool("baremetal");
        return new CliHarness(AnvilInstance.start(overrides));
    }

    public AnvilInstance anvil() {
        return anvil;
    }

    public BaremetalCli cli() {
        return cli;
    }

    /** A check every {@link #run} applies to the CLI's output (e.g. that no password leaked). */
    public CliHarness checkEveryOutput(java.util.function.Consumer<BaremetalCli.Result> check) {
        this.outputCheck = check;
        return this;
    }

    /** One CLI run, its output checked. */
    public BaremetalCli.Result run(String... args) {
        BaremetalCli.Result r = cli.call(args);
        outputCheck.accept(r);
        return r;
    }

    /**
     * {@code baremetal node VERB NODE [ARGS]} without {@code --wait}, then waits until the node's provision state in
     * the database is {@code expected} (failing at once on a {@code ... failed} or {@code error} state). The CLI's own
     * {@code --wait} polls the long actions (provide, deploy, undeploy, clean, rescue, unrescue) every 10 s
     * (ironicclient's {@code _LONG_ACTION_POLL_INTERVAL}): ten seconds a call for a fake node that is done in
     * milliseconds. The CLI classes keep {@code --wait} where it is what they test (a successful and a failed deploy,
     * rescue), and read the result through the CLI after this.
     */
    public void provision(String expected, String verb, String node, String... args) {
        DatabaseUrl db = anvil.database();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                PreparedStatement query = c.prepareStatement("SELECT provision_state, last_error, provision_updated_at"
                        + " FROM nodes WHERE name = ? OR uuid::text = ?")) {
            query.setString(1, node);
            query.setString(2, node);
            // the state may already be the expected one (clean: manageable to manageable): wait for a later change
            Object before = row(query)[2];
            List<String> command = new ArrayList<>(List.of("node", verb, node));
            command.addAll(List.of(args));
            run(command.toArray(new String[0])).ok();
            Object[][] last = {null};
            try {
                Conditions.await(
                        simVertx(),
                        node + " reaches " + expected,
                        Duration.ofSeconds(120),
                        Duration.ofMillis(50),
                        () -> {
                            Object[] r = last[0] = row(query);
                            String state = (String) r[0];
                            boolean moved = r[2] != null && !r[2].equals(before);
                            if (moved
                                    && !expected.equals(state)
                                    && (state.endsWith(" failed") || state.equals("error"))) {
                                throw new AssertionError(verb + " " + node + " ended in " + state + ": " + r[1]);
                            }
                            return moved && expected.equals(state);
                        });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; last seen: " + java.util.Arrays.toString(last[0]), e);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** provision_state, last_error, provision_updated_at of the node the query names. */
    private static Object[] row(PreparedStatement query) {
        try (ResultSet rs = query.executeQuery()) {
            if (!rs.next()) {
                throw new AssertionError("no such node");
            }
            return new Object[] {rs.getString(1), rs.getString(2), rs.getObject(3)};
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** The Vert.x the simulators run on (made at the first use). */
    public synchronized Vertx simVertx() {
        if (simVertx == null) {
            simVertx = Vertx.vertx();
        }
        return simVertx;
    }

    /** Simulated BMCs on 127.0.0.1 and ephemeral ports, closed with the harness. */
    public SimulatedFleet bmcs(FleetOptions options) {
        SimulatedFleet fleet =
                get(SimulatedFleet.start(simVertx(), options.host("127.0.0.1").basePort(0)));
        simulators.add(() -> get(fleet.close()));
        return fleet;
    }

    /** Simulated Redfish BMCs on 127.0.0.1 and ephemeral ports (HTTPS, their CA in {@code caFile()}), closed with the harness. */
    public RedfishFleet redfishBmcs(RedfishFleetOptions options) {
        RedfishFleet fleet =
                get(RedfishFleet.start(simVertx(), options.host("127.0.0.1").basePort(0)));
        simulators.add(() -> get(fleet.close()));
        return fleet;
    }

    /** Simulated ramdisk agents, closed with the harness. */
    public AgentFleet agents(AgentFleetOptions options) {
        AgentFleet fleet = get(AgentFleet.start(simVertx(), options));
        simulators.add(() -> get(fleet.close()));
        return fleet;
    }

    /**
     * Runs {@code node show NODE -f json} until {@code done} holds; each CLI run (about a second) plus a 100 ms Vert.x
     * timer is the polling interval. Fails naming the last answer.
     */
    public JsonObject awaitShow(String node, Duration timeout, Predicate<JsonObject> done) {
        JsonObject[] last = new JsonObject[1];
        try {
            Conditions.await(
                    anvil.anvil().vertx(),
                    node + " settles",
                    timeout,
                    Duration.ofMillis(100),
                    () -> done.test(
                            last[0] = run("node", "show", node, "-f", "json").json()));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + (last[0] == null ? null : last[0].encode()), e);
        }
        return last[0];
    }

    /** A future's result within 30 s (the simulators' start and stop). */
    public static <T> T get(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("future failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future did not complete within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Anvil first, then the simulators (last started, first closed), then their Vert.x. */
    @Override
    public void close() throws Exception {
        anvil.close();
        for (int i = simulators.size() - 1; i >= 0; i--) {
            simulators.get(i).close();
        }
        if (simVertx != null) {
            get(simVertx.close());
        }
    }
}
