package io.sluice.cli;

import io.sluice.definition.Action;
import io.sluice.definition.Ids;
import io.sluice.definition.Pipeline;
import io.sluice.definition.PipelineParser;
import io.sluice.engine.ActionRunner;
import io.sluice.engine.VersionStorage;
import io.sluice.schedule.Interval;
import io.sluice.schedule.InvalidDateException;
import io.sluice.schedule.LogicalDates;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice action PIPELINE NAME [--date D] [--yes]}: runs one of the pipeline's declared fix
 * scripts, once, in a sandbox with the environment of a run of that date; shows what it will run
 * and asks first; prints its output as it comes; audited. On the server when one runs.
 */
final class ActionCommand implements Callable<Integer> {
    private final Sluice root;

    CommandSpec spec;

    String pipeline;

    String name;

    String date;

    boolean yes;

    ActionCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "action", "Run a fix script the deployed pipeline declares under actions:, in a sandbox, for a run date (asks first).")
                .parameter(0, "PIPELINE", "1", "", v -> pipeline = v)
                .parameter(1, "NAME", "1", "", v -> name = v)
                .option("--date", "D", "The logical date the script acts on (default: the latest complete interval).", v -> date = v)
                .flag("--yes", "Do not ask.", v -> yes = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() throws IOException {
        if (!Ids.isValid(pipeline)) {
            throw UserError.usage("'" + pipeline + "' is not a pipeline id");
        }
        if (!Ids.isValid(name)) {
            throw UserError.usage("'" + name + "' is not an action name");
        }
        try (Cli cli = new Cli(root, spec)) {
            Optional<ServerClient> server = cli.server();
            return server.isPresent() ? onServer(cli, server.get()) : onHome(cli);
        }
    }

    private int onServer(Cli cli, ServerClient server) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (date != null) {
            body.put("date", date);
        }
        body.put("dry_run", true);
        String path = "/api/v1/pipelines/" + pipeline + "/actions/" + name;
        JsonNode preview = server.post(path, body);
        if (!confirm(cli, preview.path("description").asString(""), preview.path("run").asString(""), preview.path("logical_date").asString())) {
            return 0;
        }
        body.put("dry_run", false);
        body.put("date", preview.path("logical_date").asString());
        JsonNode started = server.post(path, body);
        String id = started.path("id").asString();
        long from = 0;
        JsonNode now;
        while (true) {
            now = server.get("/api/v1/actions/" + id + "?from=" + from);
            cli.out.print(now.path("log").asString(""));
            cli.out.flush();
            from = now.path("next").asLong(from);
            if (!now.path("state").asString().equals("running")) {
                if (now.path("log").asString("").isEmpty()) {
                    break;
                }
                continue; // the rest of the log first
            }
            sleep();
        }
        return done(cli, id, now.path("exit_code").asInt(1));
    }

    private int onHome(Cli cli) throws IOException {
        String version = cli.gate().activeVersion(pipeline).orElseThrow(() -> new UserError(UserError.USAGE,
                "no pipeline '" + pipeline + "' is deployed (sluice deploy PATH)"));
        String yaml = cli.store().definition(version).orElseThrow(() -> new UserError(UserError.BAD,
                "the definition of version " + version.substring(0, 12) + " is missing from the home")).pipelineYaml();
        Pipeline p = new PipelineParser().parse(yaml, pipeline).pipeline().orElseThrow(() -> new UserError(UserError.BAD,
                "the stored definition of " + pipeline + " is unreadable"));
        Action action = Optional.ofNullable(p.actions().get(name)).orElseThrow(() -> new UserError(UserError.USAGE,
                pipeline + " declares no action '" + name + "'"
                        + (p.actions().isEmpty() ? " (it declares none)" : " (its actions: " + String.join(", ", p.actions().keySet()) + ")")));
        Interval interval;
        try {
            interval = LogicalDates.manual(p.schedule(), p.timezone(), Optional.ofNullable(date), java.time.Instant.now());
        } catch (InvalidDateException e) {
            throw UserError.usage(e.getMessage());
        }
        String logicalDate = LogicalDates.format(interval, p.schedule(), p.timezone());
        if (!confirm(cli, action.description().orElse(""), action.run(), logicalDate)) {
            return 0;
        }
        ActionRunner runner = new ActionRunner(cli.store(), cli.home, System::getenv);
        var request = new ActionRunner.Request(version, p, new VersionStorage(cli.home).open(version), action, logicalDate, interval, Cli.who());
        String id = runner.record(request);
        cli.gate().audit(Cli.who(), "action", pipeline + " " + name, "started", "for " + logicalDate + ", action run " + id);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> runner.run(id, request));
        Path log = ActionRunner.logOf(cli.home, id);
        long from = 0;
        while (true) {
            boolean ended = exit.isDone();
            from = print(cli, log, from);
            if (ended) {
                break;
            }
            sleep();
        }
        int code = exit.join();
        cli.gate().audit(Cli.who(), "action", pipeline + " " + name, code == 0 ? "succeeded" : "failed: exit " + code, "action run " + id);
        return done(cli, id, code);
    }

    private boolean confirm(Cli cli, String description, String run, String logicalDate) {
        cli.out.println("action " + name + " of " + pipeline + " for " + logicalDate + (description.isBlank() ? "" : ": " + description.strip()));
        cli.out.println("  runs: " + run);
        cli.out.println("  in a fresh sandbox of the deployed version, with the environment of a run of " + logicalDate);
        if (!yes && !Confirm.ask(cli, "Run it?")) {
            cli.out.println("nothing was run");
            return false;
        }
        return true;
    }

    private int done(Cli cli, String id, int exit) {
        cli.out.println("action " + name + " of " + pipeline + (exit == 0 ? " succeeded" : " failed: exit " + exit)
                + " (action run " + id + ", log kept in the home under actions/)");
        return exit == 0 ? 0 : UserError.BAD;
    }

    private static long print(Cli cli, Path log, long from) throws IOException {
        if (!Files.exists(log)) {
            return from;
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long size = f.length();
            if (size <= from) {
                return from;
            }
            byte[] chunk = new byte[(int) Math.min(size - from, 1 << 20)];
            f.seek(from);
            f.readFully(chunk);
            cli.out.print(new String(chunk, StandardCharsets.UTF_8));
            cli.out.flush();
            return from + chunk.length;
        }
    }

    private static void sleep() {
        try {
            TimeUnit.MILLISECONDS.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
