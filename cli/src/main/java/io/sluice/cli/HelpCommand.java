package io.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice help [COMMAND]}: the usage of Sluice or of one command. Ours rather than
 * picocli's, whose old class files the JDK 25 AOT cache cannot hold (recording the cache crashed).
 */
@Command(name = "help", helpCommand = true, description = "Show the usage of sluice, or of one command.")
final class HelpCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(arity = "0..1", paramLabel = "COMMAND", description = "The command to explain.")
    String command;

    @Override
    public void run() {
        CommandLine root = spec.parent().commandLine();
        if (command == null) {
            root.usage(root.getOut());
            return;
        }
        CommandLine target = root.getSubcommands().get(command);
        if (target == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown command '" + command + "'");
        }
        target.usage(root.getOut());
    }
}
