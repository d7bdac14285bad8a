package io.sluice.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/** The {@code sluice} command: parses arguments, runs one subcommand, exits 0, 1 or 2 (SPEC §6). */
public final class Sluice implements Runnable {
    CommandLine.Model.CommandSpec spec;

    String home;

    String server;

    /** What the command line of sluice itself looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "sluice",
                        "Sluice runs data pipelines with tests, isolation, playbooks and scripted recovery.")
                .inheritedOption("--home", "DIR", "Sluice home (default: $SLUICE_HOME, else ~/.sluice).", v -> home = v)
                .inheritedOption("--server", "URL",
                        "Server to talk to (default: $SLUICE_SERVER); without one, commands work on the home directly.", v -> server = v);
        spec = syntax.spec();
        return syntax;
    }

    /**
     * The subcommands, made only when asked for: building picocli's model of every command took
     * about as long as a whole JVM start, paid by every command.
     */
    private static final java.util.Map<String, java.util.function.Function<Sluice, CommandSyntax>> COMMANDS = commands();

    private static java.util.Map<String, java.util.function.Function<Sluice, CommandSyntax>> commands() {
        java.util.Map<String, java.util.function.Function<Sluice, CommandSyntax>> c = new java.util.LinkedHashMap<>();
        c.put("init", root -> new InitCommand().syntax());
        c.put("validate", root -> new ValidateCommand(root).syntax());
        c.put("test", root -> new TestCommand(root).syntax());
        c.put("deploy", root -> new DeployCommand(root).syntax());
        c.put("versions", root -> new VersionsCommand(root).syntax());
        c.put("rollback", root -> new RollbackCommand(root).syntax());
        c.put("run", root -> new RunCommand(root).syntax());
        c.put("status", root -> new StatusCommand(root).syntax());
        c.put("logs", root -> new LogsCommand(root).syntax());
        c.put("why", root -> new WhyCommand(root).syntax());
        c.put("cancel", root -> new CancelCommand(root).syntax());
        c.put("clear", root -> new ClearCommand(root).syntax());
        c.put("recover", root -> new RecoverCommand(root).syntax());
        c.put("cleanup", root -> new CleanupCommand(root).syntax());
        c.put("action", root -> new ActionCommand(root).syntax());
        c.put("backfill", root -> new BackfillCommand(root).syntax());
        c.put("playbook", root -> new PlaybookCommand(root).syntax());
        c.put("audit", root -> new AuditCommand(root).syntax());
        c.put("server", root -> new ServerCommand(root).syntax());
        c.put("token", root -> new TokenCommand(root).syntax());
        c.put("secret", root -> new SecretCommand(root).syntax());
        c.put("_train", root -> new TrainCommand().syntax());
        c.put("help", root -> new HelpCommand().syntax());
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
        Trace.mark("main");
        // SLF4J's binding named, not looked for in every jar (see LogbackProvider); only its warnings on stderr
        System.setProperty("slf4j.provider", LogbackProvider.class.getName());
        System.setProperty("slf4j.internal.verbosity", "WARN");
        LoggingSetup.prepare(args);
        java.nio.file.Path home = LoggingSetup.homeFor(LoggingSetup.homeOption(args));
        DatabaseAhead.startFor(args, home);
        DatabaseAhead.runDirectory(args).ifPresent(dir -> PipelineAhead.start(dir, home));
        Trace.mark("ahead started");
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(args, out, err);
        Interrupts.finished(code);
        Trace.threads();
        out.flush();
        err.flush();
        System.out.flush();
        System.err.flush();
        // halt, not System.exit: Sluice has no shutdown hook left to run (Interrupts' returns at
        // once now), and the JDK logs every System.exit through its platform logger, whose first
        // use looks for a provider in every jar on the class path (30-60 ms at the end of each command)
        Runtime.getRuntime().halt(code);
    }

    /** Runs the command line with the given streams and returns the exit code; tests call this in-process. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        Sluice root = new Sluice();
        CommandLine cli = new CommandLine(root.syntax().spec(), CommandSyntax.FACTORY);
        // one command when one is named; all of them for help, usage and an unknown name's message
        java.util.Optional<String> named = commandOf(args).filter(n -> COMMANDS.containsKey(n) && !n.equals("help"));
        COMMANDS.forEach((name, make) -> {
            if (named.isEmpty() || named.get().equals(name)) {
                cli.addSubcommand(name, new CommandLine(make.apply(root).spec(), CommandSyntax.FACTORY));
            }
        });
        Trace.mark("model built");
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
