package io.sluice.store;

import io.sluice.run.TaskState;
import io.sluice.run.WaitReason;
import java.util.Optional;

/** A task of a run as stored: its state, how many attempts started, the last exit code. */
public record TaskRecord(
        String runId,
        String taskId,
        int position,
        TaskState state,
        Optional<WaitReason> waitReason,
        int attempts,
        Optional<Integer> exitCode,
        Optional<String> cause,
        /** Attempts it had used when it was last cleared: its declared retries count from there. */
        int attemptBase) {
}
