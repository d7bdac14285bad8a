package io.sluice.store;

import java.time.Instant;
import java.util.Optional;

/** One process Sluice started for a run (a task attempt, or {@code _setup}/{@code _teardown}). */
public record AttemptRecord(
        String runId,
        String taskId,
        int attempt,
        String logPath,
        String exitPath,
        Optional<Long> pid,
        Optional<String> pidStart,
        Instant startedAt,
        Optional<Instant> endedAt,
        Optional<Integer> exitCode,
        Optional<String> outcome,
        Optional<String> playbookEntry) {

    public static final String SETUP = "_setup";
    public static final String TEARDOWN = "_teardown";
}
