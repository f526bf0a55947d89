package io.anvil.cli;

import io.anvil.config.AnvilConfig;
import io.anvil.secrets.SecretBox;
import io.anvil.secrets.SecretKeys;
import io.anvil.secrets.SecretsConfig;
import io.anvil.store.DatabaseUrl;
import io.anvil.store.EmbeddedServices;
import io.anvil.store.SecretRotation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code anvil secrets}: the keys that encrypt secrets at rest (docs/security.md#secrets-at-rest). {@code rotate}
 * re-encrypts every node's secrets under the active key (and encrypts those stored in clear), {@code check} counts
 * them by key, {@code generate-key} prints a new key line. They use the configuration {@code anvil serve} would
 * (the same file and ANVIL_* variables); with the embedded default they start its PostgreSQL, so stop
 * {@code scripts/run} first.
 */
@Command(
        name = "secrets",
        mixinStandardHelpOptions = true,
        description = "Encryption of BMC passwords and other secrets in the database: rotate, check, generate-key.",
        subcommands = {SecretsCommand.Rotate.class, SecretsCommand.Check.class, SecretsCommand.GenerateKey.class})
public final class SecretsCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** What the database commands share: the configuration, the database and the keys. */
    abstract static class DatabaseCommand implements Callable<Integer> {
        @Option(names = "--config", description = "configuration file (default: conf/anvil.yaml, or $ANVIL_CONFIG)")
        Path configFile;

        @Option(
                names = "--batch-size",
                defaultValue = "100",
                description = "nodes per transaction (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Spec
        CommandLine.Model.CommandSpec spec;

        /** The environment the configuration reads ANVIL_* overrides from (a test gives its own). */
        Map<String, String> env = System.getenv();

        abstract int run(SecretRotation rotation, SecretBox box, PrintWriter out) throws Exception;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path file = configFile != null
                    ? configFile
                    : env.get("ANVIL_CONFIG") != null ? Path.of(env.get("ANVIL_CONFIG")) : Path.of("conf/anvil.yaml");
            AnvilConfig config;
            SecretBox box;
            try {
                config = AnvilConfig.load(file, env);
                if (config.database().embedded()
                        && !SecretsConfig.hasKey(config)
                        && !SecretsConfig.allowPlaintext(config)) {
                    config = SecretsConfig.embeddedKey(
                                    config, Path.of(config.embedded().dataDir()))
                            .config();
                }
                box = SecretsConfig.load(config);
            } catch (AnvilConfig.ConfigException | SecretKeys.InvalidKeys e) {
                err.println("anvil: configuration error: " + e.getMessage());
                return 2;
            }
            EmbeddedServices embedded = null;
            try {
                String url = config.database().url();
                if (config.database().embedded()) {
                    embedded = EmbeddedServices.start(Path.of(config.embedded().dataDir()), true, false);
                    url = embedded.databaseUrl();
                }
                return run(new SecretRotation(DatabaseUrl.parse(url), box), box, out);
            } catch (SecretBox.Unreadable e) {
                err.println("anvil: " + e.getMessage());
                err.println("anvil: nothing after that node was changed; restore the key, or run 'anvil secrets rotate"
                        + " --drop-unreadable' to remove the values that key encrypted (they must then be set again)");
                return 1;
            } catch (java.sql.SQLException | RuntimeException e) {
                err.println("anvil: " + e.getMessage());
                return 1;
            } finally {
                if (embedded != null) {
                    embedded.close();
                }
            }
        }
    }

    @Command(
            name = "rotate",
            mixinStandardHelpOptions = true,
            description =
                    "Re-encrypt every node's secrets with the active key (also those stored in clear); resumable.")
    static final class Rotate extends DatabaseCommand {
        @Option(
                names = "--drop-unreadable",
                description = "remove secrets no configured key can decrypt (a lost key) instead of stopping")
        boolean dropUnreadable;

        @Override
        int run(SecretRotation rotation, SecretBox box, PrintWriter out) throws Exception {
            out.println(
                    "anvil: re-encrypting node secrets with key '" + box.keys().activeId() + "'");
            SecretRotation.Progress done = rotation.rotate(
                    batchSize,
                    p -> out.println("anvil: re-encrypted " + p.visited() + "/" + p.total() + " nodes (" + p.rewritten()
                            + " rewritten)"),
                    dropUnreadable
                            ? d -> out.println(
                                    "anvil: dropped an unreadable secret of node " + d.node() + ": " + d.reason())
                            : null);
            out.println("anvil: done: " + done.visited() + " nodes, " + done.rewritten() + " rewritten; every secret"
                    + " is now under key '" + box.keys().activeId() + "'");
            return 0;
        }
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description =
                    "Count the stored secrets by key (and those in clear); exit 0 when all are under the active key.")
    static final class Check extends DatabaseCommand {
        @Override
        int run(SecretRotation rotation, SecretBox box, PrintWriter out) throws Exception {
            SecretRotation.Census census = rotation.census(Math.max(batchSize, 1000));
            String active = box.keys().activeId();
            out.println("anvil: " + census.nodes() + " nodes");
            int elsewhere = 0;
            for (Map.Entry<String, Integer> e : census.values().entrySet()) {
                String id = e.getKey();
                String what;
                if (id.equals("plaintext")) {
                    what = "in clear (not encrypted)";
                } else if (id.equals(active)) {
                    what = "under key '" + id + "' (active)";
                } else if (box.keys().ids().contains(id)) {
                    what = "under key '" + id + "'";
                } else {
                    what = "under key '" + id + "' (NOT CONFIGURED: unreadable)";
                }
                out.println("anvil: " + e.getValue() + " secret values " + what);
                if (!id.equals(active)) {
                    elsewhere += e.getValue();
                }
            }
            if (census.values().isEmpty()) {
                out.println("anvil: no secret values stored");
            }
            if (elsewhere > 0) {
                out.println("anvil: " + elsewhere + " values are not under the active key: run 'anvil secrets rotate'");
                return 1;
            }
            return 0;
        }
    }

    @Command(
            name = "generate-key",
            mixinStandardHelpOptions = true,
            description = "Print a new key line (<id>:<base64 of 32 random bytes>) for secrets.key_file.")
    static final class GenerateKey implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(SecretKeys.generateLine());
            return 0;
        }
    }
}
