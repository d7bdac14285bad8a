package io.sluice.run;

import java.time.Duration;
import java.util.Optional;

/** What the decider knows of setup or teardown: its state, and since when it runs (monotonic nanos). */
public record StepView(StepState state, long startedNanos, Optional<Duration> timeout, boolean killRequested) {
    public static StepView of(StepState state, Optional<Duration> timeout) {
        return new StepView(state, 0, timeout, false);
    }
}
