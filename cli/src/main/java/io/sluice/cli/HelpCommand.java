package io.sluice.cli;

import picocli.CommandLine;

/**
 * {@code sluice help [COMMAND]}: the usage of Sluice or of one command. Ours rather than
 * picocli's, whose old class files the JDK 25 AOT cache cannot hold (recording the cache crashed).
 */
final class HelpCommand implements Runnable {
    CommandLine.Model.CommandSpec spec;

    String command;
    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.bare(this, "help", "Show the usage of sluice, or of one command.")
                .helpCommand()
                .parameter(0, "COMMAND", "0..1", "The command to explain.", v -> command = v);
        spec = syntax.spec();
        return syntax;
    }

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
