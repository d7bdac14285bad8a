package io.sluice.cli;

import io.sluice.server.RunJson;

import io.sluice.store.RunRecord;
import io.sluice.store.TaskRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sluice status [PIPELINE] [--run RUN]}: runs newest first, or one run's tasks, with waiting reasons. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class, description = "Show runs, newest first, or one run's tasks.")
final class StatusCommand implements Callable<Integer> {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @ParentCommand
    Sluice root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PIPELINE", description = "Only runs of this pipeline.")
    String pipeline;

    @Option(names = "--run", paramLabel = "RUN", description = "Show one run and its tasks.")
    String runId;

    @Option(names = "--limit", defaultValue = "20", description = "How many runs to list (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print {\"runs\": [...]} as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 10_000) {
            throw UserError.usage("--limit must be from 1 to 10000");
        }
        try (Cli cli = new Cli(root, spec)) {
            if (runId != null) {
                RunRecord run = Lookup.run(cli, runId);
                List<TaskRecord> tasks = cli.store().tasks(run.id());
                if (json) {
                    cli.printJson(Map.of("runs", List.of(RunJson.run(run, tasks))));
                } else {
                    showRun(cli, run, tasks);
                }
                return 0;
            }
            List<RunRecord> runs = cli.store().runs(Optional.ofNullable(pipeline), limit);
            if (pipeline != null && runs.isEmpty()) {
                throw UserError.usage("no pipeline '" + pipeline + "' has runs in " + cli.home.root() + " (sluice status lists them all)");
            }
            if (json) {
                cli.printJson(Map.of("runs", runs.stream().map(r -> RunJson.run(r, cli.store().tasks(r.id()))).toList()));
                return 0;
            }
            if (runs.isEmpty()) {
                cli.out.println("no runs yet");
                return 0;
            }
            cli.out.printf("%-12s  %-20s  %-25s  %-10s  %-19s  %8s  %s%n", "RUN", "PIPELINE", "DATE", "STATE", "STARTED", "TOOK", "REASON");
            for (RunRecord r : runs) {
                cli.out.printf("%-12s  %-20s  %-25s  %-10s  %-19s  %8s  %s%n", r.id(), r.pipeline(), r.logicalDate(),
                        r.state().wireName(), r.startedAt().map(WHEN::format).orElse("-"), took(r, cli.clock.instant()),
                        r.reason().orElse(""));
            }
            return 0;
        }
    }

    private void showRun(Cli cli, RunRecord run, List<TaskRecord> tasks) {
        cli.out.println("run       " + run.id());
        cli.out.println("pipeline  " + run.pipeline() + " (version " + run.version().substring(0, 12) + ", " + run.kind().wireName() + ")");
        cli.out.println("date      " + run.logicalDate() + "  [" + run.intervalStart() + ", " + run.intervalEnd() + ")");
        if (!run.params().isEmpty()) {
            cli.out.println("params    " + run.params());
        }
        cli.out.println("state     " + run.state().wireName() + run.reason().map(r -> " (" + r + ")").orElse(""));
        cli.out.println("started   " + run.startedAt().map(WHEN::format).orElse("-") + "   took " + took(run, cli.clock.instant()));
        if (run.setupState() != io.sluice.run.StepState.NONE || run.teardownState() != io.sluice.run.StepState.NONE) {
            cli.out.println("setup     " + run.setupState().name().toLowerCase() + "   teardown " + run.teardownState().name().toLowerCase());
        }
        cli.out.println();
        int width = Math.max(4, tasks.stream().mapToInt(t -> t.taskId().length()).max().orElse(4));
        cli.out.printf("%-" + width + "s  %-15s  %8s  %4s  %s%n", "TASK", "STATE", "ATTEMPTS", "EXIT", "DETAIL");
        for (TaskRecord t : tasks) {
            String detail = t.waitReason().map(r -> "waiting for " + r.wireName()).orElse(t.cause().orElse(""));
            cli.out.printf("%-" + width + "s  %-15s  %8d  %4s  %s%n", t.taskId(), t.state().wireName(), t.attempts(),
                    t.exitCode().map(String::valueOf).orElse("-"), detail);
        }
    }

    static String took(RunRecord r, Instant now) {
        if (r.startedAt().isEmpty()) {
            return "-";
        }
        Duration d = Duration.between(r.startedAt().get(), r.endedAt().orElse(now));
        long s = d.toSeconds();
        return s < 60 ? String.format("%.1fs", d.toMillis() / 1000.0) : s < 3600 ? (s / 60) + "m" + (s % 60) + "s" : (s / 3600) + "h" + (s % 3600 / 60) + "m";
    }
}
