package io.sluice.cli;

import io.sluice.server.RunJson;
import io.sluice.store.RunRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code sluice status [PIPELINE] [--run RUN]}: runs newest first, or one run's tasks, with waiting
 * reasons; from the server when one runs, else from the home. Both give the same JSON, which is
 * what the text is rendered from.
 */
final class StatusCommand implements Callable<Integer> {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Sluice root;

    CommandSpec spec;

    String pipeline;

    String runId;

    int limit;

    boolean json;

    StatusCommand(Sluice root) {
        this.root = root;
    }

    /** What the command line of this command looks like (see {@link CommandSyntax}). */
    CommandSyntax syntax() {
        CommandSyntax syntax = CommandSyntax.of(this, "status", "Show runs, newest first, or one run's tasks.")
                .parameter(0, "PIPELINE", "0..1", "Only runs of this pipeline.", v -> pipeline = v)
                .option("--run", "RUN", "Show one run and its tasks.", v -> runId = v)
                .intOption("--limit", "<limit>", 20, "How many runs to list (default ${DEFAULT-VALUE}).", v -> limit = v)
                .flag("--json", "Print {\"runs\": [...]} as JSON.", v -> json = v);
        spec = syntax.spec();
        return syntax;
    }

    @Override
    public Integer call() {
        if (limit < 1 || limit > 10_000) {
            throw UserError.usage("--limit must be from 1 to 10000");
        }
        if (pipeline != null && !io.sluice.definition.Ids.isValid(pipeline)) {
            throw UserError.usage("'" + pipeline + "' is not a pipeline id");
        }
        try (Cli cli = new Cli(root, spec)) {
            Optional<ServerClient> server = cli.server();
            if (runId != null) {
                JsonNode run = server.isPresent() ? server.get().get("/api/v1/runs/" + Lookup.checkedId(runId)) : local(cli, Lookup.run(cli, runId));
                if (json) {
                    cli.printJson(Map.of("runs", List.of(run)));
                } else {
                    showRun(cli, run);
                }
                return 0;
            }
            JsonNode runs = server.isPresent()
                    ? server.get().get("/api/v1/runs?limit=" + limit + (pipeline == null ? "" : "&pipeline=" + pipeline)).path("runs")
                    : Cli.tree(cli.store().runs(Optional.ofNullable(pipeline), limit).stream()
                            .map(r -> RunJson.run(r, cli.store().tasks(r.id()))).toList());
            if (pipeline != null && runs.isEmpty()) {
                throw UserError.usage("no pipeline '" + pipeline + "' has runs (sluice status lists them all)");
            }
            if (json) {
                cli.printJson(Map.of("runs", runs));
                return 0;
            }
            if (runs.isEmpty()) {
                cli.out.println("no runs yet");
                return 0;
            }
            cli.out.printf("%-12s  %-20s  %-25s  %-10s  %-19s  %8s  %s%n", "RUN", "PIPELINE", "DATE", "STATE", "STARTED", "TOOK", "REASON");
            for (JsonNode r : runs) {
                cli.out.printf("%-12s  %-20s  %-25s  %-10s  %-19s  %8s  %s%n", r.path("id").asString(), r.path("pipeline").asString(),
                        r.path("logical_date").asString(), r.path("state").asString(), when(r.path("started_at")),
                        took(r, cli.clock.instant()), r.path("reason").asString(""));
            }
            return 0;
        }
    }

    private static JsonNode local(Cli cli, RunRecord run) {
        return Cli.tree(RunJson.run(run, cli.store().tasks(run.id())));
    }

    private void showRun(Cli cli, JsonNode run) {
        cli.out.println("run       " + run.path("id").asString());
        cli.out.println("pipeline  " + run.path("pipeline").asString() + " (version " + abbreviate(run.path("version").asString())
                + ", " + run.path("kind").asString() + ")");
        cli.out.println("date      " + run.path("logical_date").asString() + "  [" + run.path("interval_start").asString() + ", "
                + run.path("interval_end").asString() + ")");
        if (!run.path("params").isEmpty()) {
            cli.out.println("params    " + run.path("params"));
        }
        cli.out.println("state     " + run.path("state").asString() + (run.path("reason").isString() ? " (" + run.path("reason").asString() + ")" : ""));
        cli.out.println("started   " + when(run.path("started_at")) + "   took " + took(run, cli.clock.instant()));
        String setup = run.path("setup").asString("none");
        String teardown = run.path("teardown").asString("none");
        if (!setup.equals("none") || !teardown.equals("none")) {
            cli.out.println("setup     " + setup + "   teardown " + teardown);
        }
        cli.out.println();
        int width = 4;
        for (JsonNode t : run.path("tasks")) {
            width = Math.max(width, t.path("id").asString().length());
        }
        cli.out.printf("%-" + width + "s  %-15s  %8s  %4s  %s%n", "TASK", "STATE", "ATTEMPTS", "EXIT", "DETAIL");
        for (JsonNode t : run.path("tasks")) {
            String state = t.path("state").asString();
            String reason = t.path("reason").asString("");
            String detail = state.equals("waiting") && !reason.isEmpty() ? "waiting for " + reason : reason;
            cli.out.printf("%-" + width + "s  %-15s  %8d  %4s  %s%n", t.path("id").asString(), state, t.path("attempts").asInt(),
                    t.path("exit_code").isNumber() ? t.path("exit_code").asString() : "-", detail);
        }
    }

    static String abbreviate(String version) {
        return version.length() > 12 ? version.substring(0, 12) : version;
    }

    private static String when(JsonNode instant) {
        return instant.isString() ? WHEN.format(Instant.parse(instant.asString())) : "-";
    }

    /** How long a run took (or has taken so far), from its JSON. */
    static String took(JsonNode r, Instant now) {
        if (!r.path("started_at").isString()) {
            return "-";
        }
        Instant ended = r.path("ended_at").isString() ? Instant.parse(r.path("ended_at").asString()) : now;
        Duration d = Duration.between(Instant.parse(r.path("started_at").asString()), ended);
        long s = d.toSeconds();
        return s < 60 ? String.format("%.1fs", d.toMillis() / 1000.0) : s < 3600 ? (s / 60) + "m" + (s % 60) + "s" : (s / 3600) + "h" + (s % 3600 / 60) + "m";
    }
}
