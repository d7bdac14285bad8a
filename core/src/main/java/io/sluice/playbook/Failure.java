package io.sluice.playbook;

import java.util.Objects;
import java.util.Optional;

/**
 * Something that went wrong, as a playbook sees it. {@code task} is empty for failures of the run
 * itself (setup, teardown, a run stuck waiting); {@code logTail} is the end of the failing log.
 */
public record Failure(Optional<String> task, FailureKind kind, Optional<Integer> exitCode, String logTail) {
    public Failure {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(logTail, "logTail");
    }

    /** How much of a log the {@code log=} condition searches: its last 64 KiB. */
    public static final int LOG_TAIL_BYTES = 64 * 1024;
}
