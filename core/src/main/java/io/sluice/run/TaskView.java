package io.sluice.run;

import io.sluice.definition.Resources;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the decider knows of one task: its state, its settings, and its current attempt.
 * {@code processAlive} says whether the attempt's process still runs (a timed-out task keeps its
 * capacity until its process group is gone); {@code lastExitCode} is set once that process ended.
 * Times are monotonic nanoseconds.
 */
public record TaskView(
        String id,
        TaskState state,
        Optional<WaitReason> waitingFor,
        List<String> needs,
        int attempts,
        int maxAttempts,
        Resources resources,
        Optional<Duration> timeout,
        Duration retryDelay,
        boolean processAlive,
        boolean killRequested,
        long startedNanos,
        long retryAtNanos,
        Optional<Integer> lastExitCode) {

    public TaskView {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        needs = List.copyOf(needs);
    }

    /** A task that has not started yet, for tests and for new runs. */
    public static TaskView pending(String id, List<String> needs, int maxAttempts, Resources resources,
                                   Optional<Duration> timeout, Duration retryDelay) {
        return new TaskView(id, TaskState.PENDING, Optional.empty(), needs, 0, maxAttempts, resources, timeout,
                retryDelay, false, false, 0, 0, Optional.empty());
    }

    public TaskView with(TaskState newState) {
        return new TaskView(id, newState, newState == TaskState.WAITING ? waitingFor : Optional.empty(), needs, attempts,
                maxAttempts, resources, timeout, retryDelay, processAlive, killRequested, startedNanos, retryAtNanos, lastExitCode);
    }
}
