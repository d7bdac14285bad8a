package io.sluice.playbook;

import java.util.Optional;
import java.util.regex.Pattern;

/** The conditions of a {@code match:} line; all must hold. */
public record Match(Optional<Glob> task, Optional<FailureKind> kind, Optional<Integer> exit, Optional<Pattern> log) {

    /** No condition narrows it: it matches every failure. */
    public boolean isConditionFree() {
        return task.map(Glob::matchesEverything).orElse(true) && kind.isEmpty() && exit.isEmpty() && log.isEmpty();
    }

    /** Whether the task condition admits {@code taskId}; a run-level failure (no task) passes only {@code *}. */
    public boolean admitsTask(Optional<String> taskId) {
        if (task.isEmpty() || task.get().matchesEverything()) {
            return true;
        }
        return taskId.isPresent() && task.get().matches(taskId.get());
    }

    public boolean admitsKind(FailureKind k) {
        return kind.isEmpty() || kind.get() == k;
    }

    /** SPEC §5 precedence: log, then exit, then kind, then a task glob other than {@code *}. */
    public int specificity() {
        int score = 0;
        if (log.isPresent()) {
            score += 8;
        }
        if (exit.isPresent()) {
            score += 4;
        }
        if (kind.isPresent()) {
            score += 2;
        }
        if (task.isPresent() && !task.get().matchesEverything()) {
            score += 1;
        }
        return score;
    }

    /** The line as it would be written, for display. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        task.ifPresent(g -> b.append("task=").append(g.text()).append(' '));
        kind.ifPresent(k -> b.append("kind=").append(k.wireName()).append(' '));
        exit.ifPresent(e -> b.append("exit=").append(e).append(' '));
        log.ifPresent(p -> b.append("log=/").append(p.pattern().replace("/", "\\/")).append("/ "));
        String text = b.toString().trim();
        return text.isEmpty() ? "(no conditions)" : text;
    }
}
