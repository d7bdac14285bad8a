package io.sluice.store;

import io.sluice.run.StepState;
import io.sluice.schedule.Interval;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A run about to be created, with its tasks in run order. */
public record NewRun(
        String id,
        String pipeline,
        String version,
        RunKind kind,
        Optional<String> sourcePath,
        String logicalDate,
        Interval interval,
        Map<String, String> params,
        StepState setupState,
        StepState teardownState,
        List<String> tasks) {
}
