package io.sluice.store;

import java.time.Instant;
import java.util.Optional;

/** One state change of a run or of one of its tasks, with when and why. */
public record TransitionRecord(
        String runId,
        Optional<String> taskId,
        int attempt,
        Instant at,
        Optional<String> from,
        String to,
        String event,
        Optional<String> cause) {
}
