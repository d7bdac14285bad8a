package io.sluice.engine;

import io.sluice.playbook.Playbook;
import io.sluice.playbook.PlaybookEntry;
import io.sluice.store.AttemptRecord;
import io.sluice.store.PlaybookGap;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The failures of a finished run, read from its attempts, and which of them are playbook gaps. */
public final class Failures {
    private Failures() {
    }

    /** One failed attempt (a task's, or setup's or teardown's) with the playbook entry it matched. */
    public record Failed(Optional<String> task, String kind, int attempt, Optional<Integer> exitCode, Optional<String> entry, Path log) {
    }

    /** Every failed attempt of the run, in the order they started. */
    public static List<Failed> of(RunStore store, String runId) {
        List<Failed> failed = new ArrayList<>();
        for (AttemptRecord a : store.failedAttempts(runId)) {
            String outcome = a.outcome().orElse("");
            boolean step = a.taskId().startsWith("_");
            if (!outcome.equals("failed") && !outcome.equals("timed_out")) {
                continue;
            }
            String kind = switch (a.taskId()) {
                case AttemptRecord.SETUP -> "setup_failed";
                case AttemptRecord.TEARDOWN -> "teardown_failed";
                default -> outcome;
            };
            failed.add(new Failed(step ? Optional.empty() : Optional.of(a.taskId()), kind, a.attempt(), a.exitCode(),
                    a.playbookEntry(), Path.of(a.logPath())));
        }
        return failed;
    }

    /** The failures that matched no entry, or only a condition-free one (SPEC §5). */
    public static List<PlaybookGap> gaps(RunStore store, RunRecord run, Playbook playbook, String source, Instant now) {
        List<PlaybookGap> gaps = new ArrayList<>();
        for (Failed f : of(store, run.id())) {
            Optional<PlaybookEntry> entry = f.entry().flatMap(playbook::entry);
            if (entry.isPresent() && !entry.get().match().isConditionFree()) {
                continue;
            }
            gaps.add(new PlaybookGap(run.pipeline(), run.version(), source, run.id(), f.task(), f.kind(), f.attempt(),
                    f.exitCode(), entry.map(PlaybookEntry::title), LogTail.lastLines(f.log(), 5), now));
        }
        return gaps;
    }
}
