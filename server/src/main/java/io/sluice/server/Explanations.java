package io.sluice.server;

import io.sluice.engine.LogTail;
import io.sluice.playbook.Playbook;
import io.sluice.playbook.PlaybookEntry;
import io.sluice.playbook.PlaybookParser;
import io.sluice.run.TaskState;
import io.sluice.store.AttemptRecord;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.store.TaskRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code why}: each failure of a run with its log excerpt and playbook entry, as data (the CLI and the API share it). */
public final class Explanations {
    static final int EXCERPT_LINES = 12;

    private Explanations() {
    }

    /** One failure to explain: a task's last attempt, or setup or teardown. */
    public record Explained(String task, String kind, AttemptRecord attempt, Optional<PlaybookEntry> entry) {
    }

    public static List<Explained> failures(RunStore store, RunRecord run) {
        List<TaskRecord> tasks = store.tasks(run.id());
        List<AttemptRecord> attempts = store.attempts(run.id());
        Playbook playbook = store.definition(run.version()).flatMap(d -> d.playbookMd())
                .map(text -> new PlaybookParser().parse(text, "PLAYBOOK.md").playbook()).orElse(Playbook.EMPTY);
        List<Explained> failures = new ArrayList<>();
        lastAttempt(attempts, AttemptRecord.SETUP).filter(a -> a.outcome().filter("failed"::equals).isPresent())
                .ifPresent(a -> failures.add(new Explained("setup", "setup_failed", a, a.playbookEntry().flatMap(playbook::entry))));
        for (TaskRecord t : tasks) {
            if (t.state() == TaskState.FAILED || t.state() == TaskState.TIMED_OUT) {
                lastAttempt(attempts, t.taskId()).ifPresent(a ->
                        failures.add(new Explained(t.taskId(), t.state().wireName(), a, a.playbookEntry().flatMap(playbook::entry))));
            }
        }
        lastAttempt(attempts, AttemptRecord.TEARDOWN).filter(a -> a.outcome().filter("failed"::equals).isPresent())
                .ifPresent(a -> failures.add(new Explained("teardown", "teardown_failed", a, a.playbookEntry().flatMap(playbook::entry))));
        return failures;
    }

    public static Map<String, Object> json(RunStore store, RunRecord run) {
        return json(store, run, java.util.function.UnaryOperator.identity());
    }

    /** The explanation, with {@code mask} applied to every log excerpt. */
    public static Map<String, Object> json(RunStore store, RunRecord run, java.util.function.UnaryOperator<String> mask) {
        List<TaskRecord> tasks = store.tasks(run.id());
        List<Map<String, Object>> items = new ArrayList<>();
        for (Explained f : failures(store, run)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", f.task());
            m.put("kind", f.kind());
            m.put("attempt", f.attempt().attempt());
            m.put("exit_code", f.attempt().exitCode().orElse(null));
            m.put("excerpt", mask.apply(LogTail.lastLines(Path.of(f.attempt().logPath()), EXCERPT_LINES)));
            m.put("log", f.attempt().logPath());
            m.put("playbook", f.entry().map(e -> {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("title", e.title());
                p.put("match", e.match().describe());
                p.put("diagnose", e.diagnose());
                p.put("fix", e.fix());
                p.put("actions", actionCommands(run, e));
                return (Object) p;
            }).orElse(null));
            items.add(m);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("run", RunJson.run(run, tasks));
        result.put("failures", items);
        result.put("not_run", tasks.stream().filter(t -> t.state() == TaskState.UPSTREAM_FAILED || t.state() == TaskState.CANCELLED)
                .map(RunJson::task).toList());
        return result;
    }

    private static Optional<AttemptRecord> lastAttempt(List<AttemptRecord> attempts, String name) {
        return attempts.stream().filter(a -> a.taskId().equals(name)).reduce((a, b) -> a.attempt() >= b.attempt() ? a : b);
    }

    /** The commands that run the fix scripts an entry names, for the run's date. */
    static List<Map<String, String>> actionCommands(RunRecord run, PlaybookEntry e) {
        return e.actions().stream().map(a -> RunJson.<String>object("name", a.name(),
                "command", "sluice action " + run.pipeline() + " " + a.name() + " --date " + run.logicalDate())).toList();
    }
}
