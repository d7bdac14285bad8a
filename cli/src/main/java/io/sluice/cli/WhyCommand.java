package io.sluice.cli;

import io.sluice.server.RunJson;

import io.sluice.engine.LogTail;
import io.sluice.playbook.Playbook;
import io.sluice.playbook.PlaybookEntry;
import io.sluice.playbook.PlaybookParser;
import io.sluice.run.TaskState;
import io.sluice.store.AttemptRecord;
import io.sluice.store.RunRecord;
import io.sluice.store.TaskRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

/** {@code sluice why RUN}: each failure of a run, its log excerpt, and the playbook entry with its steps. */
@Command(name = "why", mixinStandardHelpOptions = true, versionProvider = Version.class, description = "Explain a run's failures: error excerpt and the matching playbook entry.")
final class WhyCommand implements Callable<Integer> {
    private static final int EXCERPT_LINES = 12;

    @ParentCommand
    Sluice root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN")
    String runId;

    @Option(names = "--json", description = "Print the explanation as JSON.")
    boolean json;

    /** One failure to explain: a task's last attempt, or setup or teardown. */
    record Explained(String task, String kind, AttemptRecord attempt, Optional<PlaybookEntry> entry) {
    }

    @Override
    public Integer call() {
        try (Cli cli = new Cli(root, spec)) {
            RunRecord run = Lookup.run(cli, runId);
            List<TaskRecord> tasks = cli.store().tasks(run.id());
            List<AttemptRecord> attempts = cli.store().attempts(run.id());
            Playbook playbook = cli.store().definition(run.version()).flatMap(d -> d.playbookMd())
                    .map(text -> new PlaybookParser().parse(text, "PLAYBOOK.md").playbook()).orElse(Playbook.EMPTY);
            List<Explained> failures = new ArrayList<>();
            lastAttempt(attempts, AttemptRecord.SETUP).filter(a -> a.outcome().filter("failed"::equals).isPresent())
                    .ifPresent(a -> failures.add(new Explained("setup", "setup_failed", a, entry(playbook, a))));
            for (TaskRecord t : tasks) {
                if (t.state() == TaskState.FAILED || t.state() == TaskState.TIMED_OUT) {
                    lastAttempt(attempts, t.taskId()).ifPresent(a ->
                            failures.add(new Explained(t.taskId(), t.state().wireName(), a, entry(playbook, a))));
                }
            }
            lastAttempt(attempts, AttemptRecord.TEARDOWN).filter(a -> a.outcome().filter("failed"::equals).isPresent())
                    .ifPresent(a -> failures.add(new Explained("teardown", "teardown_failed", a, entry(playbook, a))));
            List<TaskRecord> notRun = tasks.stream()
                    .filter(t -> t.state() == TaskState.UPSTREAM_FAILED || t.state() == TaskState.CANCELLED).toList();
            if (json) {
                printJson(cli, run, tasks, failures, notRun);
            } else {
                print(cli, run, failures, notRun);
            }
            return 0;
        }
    }

    private void print(Cli cli, RunRecord run, List<Explained> failures, List<TaskRecord> notRun) {
        var out = cli.out;
        out.println("run " + run.id() + ": " + run.pipeline() + " " + run.logicalDate() + " " + run.state().wireName()
                + run.reason().map(r -> " (" + r + ")").orElse(""));
        if (failures.isEmpty()) {
            out.println(run.state().isTerminal() ? "nothing failed." : "nothing has failed so far; the run is " + run.state().wireName() + ".");
        }
        for (Explained f : failures) {
            AttemptRecord a = f.attempt();
            out.println();
            out.println(f.task() + ": " + f.kind().replace('_', ' ') + " (attempt " + a.attempt()
                    + a.exitCode().map(c -> ", exit " + c).orElse("") + ")");
            String excerpt = LogTail.lastLines(Path.of(a.logPath()), EXCERPT_LINES);
            if (excerpt.isBlank()) {
                out.println("  log: (empty)");
            } else {
                out.println("  log (last lines):");
                excerpt.lines().forEach(l -> out.println("    | " + l));
            }
            if (f.entry().isPresent()) {
                PlaybookEntry e = f.entry().get();
                out.println("  playbook: " + e.title() + "   [match: " + e.match().describe() + "]");
                out.println("  Diagnose:");
                e.diagnose().lines().forEach(l -> out.println("    " + l));
                out.println("  Fix:");
                e.fix().lines().forEach(l -> out.println("    " + l));
            } else {
                out.println("  playbook: no entry matches this failure. Add one to PLAYBOOK.md, for example:");
                out.println("    ## " + f.task() + " " + f.kind().replace('_', ' '));
                out.println("    match: " + (f.task().equals("setup") || f.task().equals("teardown") ? "" : "task=" + f.task() + " ") + "kind=" + f.kind());
            }
            String name = f.task();
            out.println("  full log: sluice logs " + run.id() + " " + name);
        }
        if (!notRun.isEmpty()) {
            out.println();
            for (TaskRecord t : notRun) {
                out.println(t.taskId() + ": " + t.state().wireName() + t.cause().map(c -> " (" + c + ")").orElse(""));
            }
        }
    }

    private void printJson(Cli cli, RunRecord run, List<TaskRecord> tasks, List<Explained> failures, List<TaskRecord> notRun) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Explained f : failures) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", f.task());
            m.put("kind", f.kind());
            m.put("attempt", f.attempt().attempt());
            m.put("exit_code", f.attempt().exitCode().orElse(null));
            m.put("excerpt", LogTail.lastLines(Path.of(f.attempt().logPath()), EXCERPT_LINES));
            m.put("log", f.attempt().logPath());
            m.put("playbook", f.entry().map(e -> {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("title", e.title());
                p.put("match", e.match().describe());
                p.put("diagnose", e.diagnose());
                p.put("fix", e.fix());
                return (Object) p;
            }).orElse(null));
            items.add(m);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run", RunJson.run(run, tasks));
        result.put("failures", items);
        result.put("not_run", notRun.stream().map(RunJson::task).toList());
        cli.printJson(result);
    }

    private static Optional<AttemptRecord> lastAttempt(List<AttemptRecord> attempts, String name) {
        return attempts.stream().filter(a -> a.taskId().equals(name)).reduce((a, b) -> a.attempt() >= b.attempt() ? a : b);
    }

    private static Optional<PlaybookEntry> entry(Playbook playbook, AttemptRecord a) {
        return a.playbookEntry().flatMap(playbook::entry);
    }
}
