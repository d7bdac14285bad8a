package io.sluice.playbook;

import io.sluice.definition.Pipeline;
import io.sluice.definition.Task;
import io.sluice.problem.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The coverage rule of SPEC §5: every task has an entry for {@code failed} and for
 * {@code timed_out}; {@code stuck} is covered when the pipeline can wait; {@code setup_failed} and
 * {@code teardown_failed} when it has setup or teardown.
 *
 * <p>An entry covers a task and kind when its task and kind conditions admit them. Entries that
 * also need a log line or an exit code match only some of those failures: when such entries are
 * all a task has for a kind, that is a warning, since other failures of that kind find no entry.
 * Run-level kinds (stuck, setup, teardown) have no task, so only entries without a task
 * condition (or {@code task=*}) cover them.
 */
public final class PlaybookCoverage {
    private PlaybookCoverage() {
    }

    public static List<Problem> check(Pipeline pipeline, Playbook playbook, String playbookFile) {
        List<Problem> problems = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Task task : pipeline.tasks()) {
            if (!seen.add(task.id())) {
                continue; // a duplicate id is reported by the validator, once
            }
            for (FailureKind kind : List.of(FailureKind.FAILED, FailureKind.TIMED_OUT)) {
                check(playbook, playbookFile, Optional.of(task.id()), kind, problems);
            }
        }
        if (pipeline.canWait()) {
            check(playbook, playbookFile, Optional.empty(), FailureKind.STUCK, problems);
        }
        if (pipeline.environment().setup().isPresent()) {
            check(playbook, playbookFile, Optional.empty(), FailureKind.SETUP_FAILED, problems);
        }
        if (pipeline.environment().teardown().isPresent()) {
            check(playbook, playbookFile, Optional.empty(), FailureKind.TEARDOWN_FAILED, problems);
        }
        for (PlaybookEntry entry : playbook.entries()) {
            for (PlaybookEntry.Action a : entry.actions()) {
                if (!pipeline.actions().containsKey(a.name())) {
                    problems.add(Problem.error(playbookFile, a.line(), 1, "entry '" + entry.title() + "' names action '" + a.name()
                            + "', which pipeline.yaml does not declare under actions:"
                            + (pipeline.actions().isEmpty() ? "" : " (declared: " + String.join(", ", pipeline.actions().keySet()) + ")")));
                }
            }
        }
        return problems;
    }

    private static void check(Playbook playbook, String file, Optional<String> task, FailureKind kind, List<Problem> problems) {
        boolean any = false;
        boolean unconditional = false;
        for (PlaybookEntry entry : playbook.entries()) {
            Match m = entry.match();
            if (m.admitsTask(task) && m.admitsKind(kind)) {
                any = true;
                unconditional |= m.log().isEmpty() && m.exit().isEmpty();
            }
        }
        String subject = task.map(t -> "task '" + t + "'").orElse("the run");
        if (!any) {
            problems.add(Problem.error(file, 1, 1, "no playbook entry covers " + subject + " kind=" + kind.wireName()
                    + ": add an entry with match: " + task.map(t -> "task=" + t + " ").orElse("") + "kind=" + kind.wireName()));
        } else if (!unconditional) {
            problems.add(Problem.warning(file, 1, 1, subject + " kind=" + kind.wireName()
                    + " is covered only by entries that need a log line or exit code; other such failures match no entry"));
        }
    }
}
