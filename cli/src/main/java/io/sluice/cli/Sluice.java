package io.sluice.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command: parses arguments, runs one subcommand, exits 0, 1 or 2 (SPEC §6). */
@Command(name = "sluice",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Sluice runs data pipelines with tests, isolation, playbooks and scripted recovery.",
        subcommands = {InitCommand.class, ValidateCommand.class, TestCommand.class, DeployCommand.class,
                VersionsCommand.class, RollbackCommand.class, RunCommand.class, StatusCommand.class, LogsCommand.class,
                WhyCommand.class, CancelCommand.class, ClearCommand.class, RecoverCommand.class, CleanupCommand.class, ActionCommand.class, BackfillCommand.class, PlaybookCommand.class, AuditCommand.class, ServerCommand.class,
                TokenCommand.class, SecretCommand.class, TrainCommand.class, CommandLine.HelpCommand.class})
public final class Sluice implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--home", scope = CommandLine.ScopeType.INHERIT, paramLabel = "DIR",
            description = "Sluice home (default: $SLUICE_HOME, else ~/.sluice).")
    String home;

    @CommandLine.Option(names = "--server", scope = CommandLine.ScopeType.INHERIT, paramLabel = "URL",
            description = "Server to talk to (default: $SLUICE_SERVER); without one, commands work on the home directly.")
    String server;

    public static void main(String[] args) {
        LoggingSetup.prepare(args);
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        Interrupts.finished(code);
        System.exit(code);
    }

    /** Runs the command line with the given streams and returns the exit code; tests call this in-process. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Sluice());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine cmd = e.getCommandLine();
            if (cmd.getCommandName().equals("sluice") && e instanceof CommandLine.UnmatchedArgumentException u
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                err.println("sluice: unknown command '" + u.getUnmatched().get(0) + "' (sluice --help lists the commands)");
            } else {
                err.println(cmd.getCommandName().equals("sluice") ? "sluice: " + e.getMessage()
                        : "sluice " + cmd.getCommandName() + ": " + e.getMessage() + " (see sluice " + cmd.getCommandName() + " --help)");
            }
            err.flush();
            return UserError.USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> Failures.report(e, err));
        int code;
        try {
            code = cli.execute(args);
        } finally {
            Interrupts.commandDone();
        }
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        // no subcommand: show what there is
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static List<String> commandNames() {
        return List.of("init", "validate", "test", "deploy", "versions", "rollback", "run", "status", "logs", "why", "playbook", "audit");
    }
}
