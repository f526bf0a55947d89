package io.anvil.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code anvil} command. */
@Command(
        name = "anvil",
        mixinStandardHelpOptions = true,
        version = "anvil 0.1.0",
        description = "A reactive bare-metal conductor speaking OpenStack Ironic's v1 API.",
        subcommands = {
            ServeCommand.class,
            SimCommand.class,
            SecretsCommand.class,
            WatchCommand.class,
            ConsoleCommand.class
        })
public final class AnvilCommand implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AnvilCommand()).execute(args));
    }
}
