package io.sluice.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sluice} command: parses arguments, runs one subcommand, exits 0, 1 or 2 (SPEC §6). */
@Command(name = "sluice",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Sluice runs data pipelines with tests, isolation, playbooks and scripted recovery.")
public final class Sluice implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--home", scope = CommandLine.ScopeType.INHERIT, paramLabel = "DIR",
            description = "Sluice home (default: $SLUICE_HOME, else ~/.sluice).")
    String home;

    @CommandLine.Option(names = "--server", scope = CommandLine.ScopeType.INHERIT, paramLabel = "URL",
            description = "Server to talk to (default: $SLUICE_SERVER); without one, commands work on the home directly.")
    String server;

    /**
     * The subcommands, made only when asked for: building picocli's model of every command by
     * reflection took about as long as a whole JVM start, paid by every command.
     */
    private static final java.util.Map<String, java.util.function.Supplier<Object>> COMMANDS = commands();

    private static java.util.Map<String, java.util.function.Supplier<Object>> commands() {
        java.util.Map<String, java.util.function.Supplier<Object>> c = new java.util.LinkedHashMap<>();
        c.put("init", InitCommand::new);
        c.put("validate", ValidateCommand::new);
        c.put("test", TestCommand::new);
        c.put("deploy", DeployCommand::new);
        c.put("versions", VersionsCommand::new);
        c.put("rollback", RollbackCommand::new);
        c.put("run", RunCommand::new);
        c.put("status", StatusCommand::new);
        c.put("logs", LogsCommand::new);
        c.put("why", WhyCommand::new);
        c.put("cancel", CancelCommand::new);
        c.put("clear", ClearCommand::new);
        c.put("recover", RecoverCommand::new);
        c.put("cleanup", CleanupCommand::new);
        c.put("action", ActionCommand::new);
        c.put("backfill", BackfillCommand::new);
        c.put("playbook", PlaybookCommand::new);
        c.put("audit", AuditCommand::new);
        c.put("server", ServerCommand::new);
        c.put("token", TokenCommand::new);
        c.put("secret", SecretCommand::new);
        c.put("_train", TrainCommand::new);
        c.put("help", HelpCommand::new);
        return java.util.Collections.unmodifiableMap(c);
    }

    /** The subcommand the arguments name (the first argument that is not a global option or its value), if any. */
    static java.util.Optional<String> commandOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--home") || a.equals("--server")) {
                i++;
            } else if (!a.startsWith("-")) {
                return java.util.Optional.of(a);
            }
        }
        return java.util.Optional.empty();
    }

    public static void main(String[] args) {
        LoggingSetup.prepare(args);
        DatabaseAhead.startFor(args, LoggingSetup.homeFor(LoggingSetup.homeOption(args)));
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        Interrupts.finished(code);
        System.exit(code);
    }

    /** Runs the command line with the given streams and returns the exit code; tests call this in-process. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Sluice());
        // one command when one is named; all of them for help, usage and an unknown name's message
        java.util.Optional<String> named = commandOf(args).filter(n -> COMMANDS.containsKey(n) && !n.equals("help"));
        COMMANDS.forEach((name, make) -> {
            if (named.isEmpty() || named.get().equals(name)) {
                cli.addSubcommand(name, make.get());
            }
        });
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
