package io.anvil.cli;

import io.anvil.Anvil;
import io.anvil.config.AnvilConfig;
import io.anvil.secrets.SecretKeys;
import io.anvil.secrets.SecretsConfig;
import io.anvil.store.DatabaseUrl;
import io.anvil.store.EmbeddedServices;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code anvil serve}: runs one conductor with its API. With no database or Redis configured it starts the
 * embedded ones first. Runs on the main thread, so waiting here blocks no event loop.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run a conductor and its REST API.")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", description = "configuration file (default: conf/anvil.yaml, or $ANVIL_CONFIG)")
    Path configFile;

    @Option(names = "--port", description = "API port (overrides api.port)")
    Integer port;

    @Option(
            names = "--sim-bmcs",
            defaultValue = "0",
            description = "also run N simulated BMCs on 127.0.0.1 and enroll an ipmi node for each (default: none)")
    int simBmcs;

    @Option(
            names = "--sim-base-port",
            defaultValue = "16230",
            description = "UDP port of simulated BMC 0; BMC i listens on base+i (default: ${DEFAULT-VALUE})")
    int simBasePort;

    @Option(
            names = "--demo",
            defaultValue = "0",
            description = "the guided first run: N simulated BMCs (as --sim-bmcs N) whose nodes are then managed,"
                    + " inspected, cleaned and half of them deployed, to watch on the dashboard (default: off)")
    int demo;

    @Option(
            names = "--conductors",
            defaultValue = "1",
            description =
                    "run N conductor processes on this machine sharing one PostgreSQL and Redis (the embedded ones"
                            + " when none is configured); ports base..base+N-1, hostnames NAME-1..NAME-N (default: 1)")
    int conductors;

    @Option(
            names = "--sim-redfish",
            defaultValue = "0",
            description = "also run N simulated Redfish BMCs (HTTPS) on 127.0.0.1 and enroll a redfish node rf-<i> for"
                    + " each (default: none)")
    int simRedfish;

    @Option(
            names = "--sim-redfish-base-port",
            defaultValue = "18443",
            description = "TCP port of simulated Redfish BMC 0; BMC i listens on base+i (default: ${DEFAULT-VALUE})")
    int simRedfishBasePort;

    @Override
    public Integer call() throws Exception {
        if (demo > 0) {
            simBmcs = Math.max(simBmcs, demo);
        }
        Path file = configFile != null
                ? configFile
                : System.getenv("ANVIL_CONFIG") != null
                        ? Path.of(System.getenv("ANVIL_CONFIG"))
                        : Path.of("conf/anvil.yaml");
        AnvilConfig config;
        try {
            config = AnvilConfig.load(file, System.getenv());
            // logback.xml started in the format ANVIL_LOGGING_FORMAT names; logging.format of the file decides now
            io.anvil.logging.LogFormat.apply(config.loggingFormat());
            config.metricsEnabled();
        } catch (AnvilConfig.ConfigException e) {
            System.err.println("anvil: configuration error: " + e.getMessage());
            return 2;
        }
        if (port != null) {
            config = config.withApiPort(port);
        }
        if (config.database().embedded() && !SecretsConfig.hasKey(config) && !SecretsConfig.allowPlaintext(config)) {
            // the embedded default keeps its secrets key beside its database (docs/security.md#secrets-at-rest)
            try {
                SecretsConfig.Embedded key = SecretsConfig.embeddedKey(
                        config, Path.of(config.embedded().dataDir()));
                config = key.config();
                Path shown = key.file().toAbsolutePath().normalize();
                System.out.println(
                        key.created()
                                ? "anvil: created a new secrets key in " + shown
                                        + " (mode 0600): it encrypts BMC passwords"
                                        + " and agent tokens in the database; back it up with ./var, without it they cannot"
                                        + " be read (docs/security.md)"
                                : "anvil: secrets key " + shown);
            } catch (java.io.IOException e) {
                System.err.println("anvil: cannot create the secrets key: " + e.getMessage());
                return 2;
            }
        }
        try {
            SecretsConfig.load(config);
            // authentication and the address it allows (docs/security.md#authentication), before anything starts
            io.anvil.auth.ApiSecurity.from(config);
        } catch (SecretKeys.InvalidKeys | AnvilConfig.ConfigException e) {
            System.err.println("anvil: configuration error: " + e.getMessage());
            return 2;
        }
        if (conductors < 1) {
            System.err.println("anvil: --conductors must be at least 1");
            return 2;
        }
        EmbeddedServices embedded = null;
        java.util.Map<String, String> shared = new java.util.HashMap<>();
        if (conductors > 1 && !SecretsConfig.text(config, "secrets.key_file").isEmpty()) {
            shared.put("ANVIL_SECRETS_KEY_FILE", SecretsConfig.text(config, "secrets.key_file"));
        }
        if (config.database().embedded() || config.redis().embedded()) {
            Path dataDir = Path.of(config.embedded().dataDir());
            System.out.println("anvil: starting embedded "
                    + (config.database().embedded()
                            ? "PostgreSQL" + (config.redis().embedded() ? " and Redis" : "")
                            : "Redis")
                    + " (data in " + dataDir.toAbsolutePath().normalize() + ")");
            try {
                embedded = EmbeddedServices.start(
                        dataDir, config.database().embedded(), config.redis().embedded());
            } catch (EmbeddedServices.Unavailable e) {
                System.err.println("anvil: " + e.getMessage());
                return 2;
            }
            // the children of --conductors share these embedded servers instead of starting their own
            if (config.database().embedded()) {
                shared.put("ANVIL_DATABASE_URL", embedded.databaseUrl());
            }
            if (config.redis().embedded()) {
                shared.put("ANVIL_REDIS_URL", embedded.redisUrl());
            }
            config = config.withStores(
                    config.database().embedded()
                            ? embedded.databaseUrl()
                            : config.database().url(),
                    config.redis().embedded()
                            ? embedded.redisUrl()
                            : config.redis().url());
        }
        if (conductors > 1) {
            if (simBmcs > 0) {
                System.err.println("anvil: --sim-bmcs is for one conductor; start the fleet with 'anvil sim bmc'");
            }
            EmbeddedServices toStop = embedded;
            ConductorGroup group = new ConductorGroup(
                    conductors,
                    config.conductor().hostname(),
                    config.api().port(),
                    shared,
                    configFile != null ? java.util.List.of("--config", configFile.toString()) : java.util.List.of(),
                    System.out);
            return group.run(() -> {
                if (toStop != null) {
                    toStop.close();
                }
            });
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        Anvil anvil;
        try {
            anvil = MainThread.waitFor(Anvil.start(vertx, config), 120);
        } catch (Exception e) {
            System.err.println("anvil: failed to start: " + rootMessage(e));
            vertx.close();
            if (embedded != null) {
                embedded.close();
            }
            return 1;
        }
        io.anvil.sim.bmc.SimulatedFleet fleet = null;
        if (simBmcs > 0) {
            try {
                fleet = MainThread.waitFor(SimFleetEnrolment.start(vertx, anvil.apiPort(), simBmcs, simBasePort), 300);
            } catch (Exception e) {
                System.err.println("anvil: could not start the simulated fleet: " + rootMessage(e));
            }
        }
        DemoDriver tour = null;
        if (demo > 0 && fleet != null) {
            try {
                tour = MainThread.waitFor(DemoDriver.start(vertx, anvil.apiPort(), DemoDriver.DEFAULT_PARALLEL), 60);
                tour.finished()
                        .onSuccess(v -> System.out.println("anvil: demo finished: every sim node has had its tour"));
            } catch (Exception e) {
                System.err.println("anvil: could not start the demo: " + rootMessage(e));
            }
        }
        io.anvil.sim.redfish.RedfishFleet redfishFleet = null;
        if (simRedfish > 0) {
            try {
                redfishFleet = MainThread.waitFor(
                        SimRedfishEnrolment.start(
                                vertx,
                                anvil.apiPort(),
                                simRedfish,
                                simRedfishBasePort,
                                Path.of(config.embedded().dataDir(), "sim-redfish-ca.pem")),
                        300);
            } catch (Exception e) {
                System.err.println("anvil: could not start the simulated Redfish fleet: " + rootMessage(e));
            }
        }
        io.anvil.sim.redfish.RedfishFleet simulatedRedfish = redfishFleet;
        io.anvil.sim.bmc.SimulatedFleet simulated = fleet;
        DemoDriver touring = tour;
        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedServices toClose = embedded;
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("anvil: stopping...");
                            try {
                                if (touring != null) {
                                    MainThread.waitFor(touring.close(), 10);
                                }
                                if (simulated != null) {
                                    MainThread.waitFor(simulated.close(), 30);
                                }
                                if (simulatedRedfish != null) {
                                    MainThread.waitFor(simulatedRedfish.close(), 30);
                                }
                                // two steps from this plain thread: a close composed on an event loop would complete on
                                // a dead loop
                                MainThread.waitFor(anvil.stop(), 30);
                                MainThread.waitFor(vertx.close(), 30);
                            } catch (Exception e) {
                                System.err.println("anvil: unclean stop: " + rootMessage(e));
                            }
                            if (toClose != null) {
                                toClose.close();
                            }
                            System.out.println("anvil: stopped");
                            stopped.countDown();
                        },
                        "anvil-shutdown"));
        String host = config.api().host().equals("0.0.0.0")
                ? "127.0.0.1"
                : config.api().host();
        io.anvil.auth.ApiSecurity security = io.anvil.auth.ApiSecurity.from(config);
        String url = (security.tls() ? "https://" : "http://") + host + ":" + anvil.apiPort();
        String auth =
                switch (security.strategy()) {
                    case NOAUTH -> "--os-auth-type none";
                    case HTTP_BASIC -> "--os-auth-type http_basic --os-username USER --os-password PASSWORD";
                    case JWT -> "--os-auth-type admin_token --os-token TOKEN";
                };
        System.out.println("anvil: conductor " + config.conductor().hostname() + " ready; database "
                + DatabaseUrl.parse(config.database().url()) + ", redis "
                + io.anvil.Anvil.redisTopology(config.redis()).describe());
        System.out.println("anvil: Ironic v1 API listening on " + url + " ("
                + security.strategy().configName()
                + ")  (try: baremetal " + auth + " --os-endpoint " + url
                + (security.tls() ? " --os-cacert CA_FILE" : "") + " driver list)");
        System.out.println("anvil: dashboard: open " + url + "/ in a browser (docs/dashboard.md)"
                + (demo > 0
                        ? ": the demo is driving " + demo + " simulated nodes through inspect, clean and deploy"
                        : ""));
        System.out.println("anvil: press Ctrl-C to stop");
        while (!stopped.await(1, java.util.concurrent.TimeUnit.HOURS)) {
            // serve until the shutdown hook has finished
        }
        return 0;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
