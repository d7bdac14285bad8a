package io.sluice.store;

import io.sluice.run.RunState;
import io.sluice.run.StepState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A run as stored. */
public record RunRecord(
        String id,
        String pipeline,
        String version,
        RunKind kind,
        Optional<String> sourcePath,
        String logicalDate,
        Instant intervalStart,
        Instant intervalEnd,
        Map<String, String> params,
        RunState state,
        Optional<String> reason,
        StepState setupState,
        StepState teardownState,
        boolean cancelRequested,
        boolean timedOut,
        Optional<String> workspace,
        Instant createdAt,
        Optional<Instant> startedAt,
        Optional<Instant> endedAt,
        /** 1, plus one for each time the run was cleared to go again: numbers setup and teardown attempts. */
        int round,
        /** Bumped by every change of the row: a recovery plan remembers it to notice later changes. */
        long rowVersion,
        /** The server that drives the run (it claimed it), if one does. */
        Optional<String> owner) {
}
