package io.sluice.engine;

import io.sluice.executor.TaskProcess;
import io.sluice.run.StepState;
import io.sluice.run.StepView;
import java.time.Duration;
import java.util.Optional;

/** The driver's picture of setup or teardown. */
final class LiveStep {
    final Optional<String> command;
    final Optional<Duration> timeout;
    StepState state;
    TaskProcess process;
    boolean killRequested;
    String killCause;
    long startedNanos;

    LiveStep(Optional<String> command, Optional<Duration> timeout, StepState state) {
        this.command = command;
        this.timeout = timeout;
        this.state = state;
    }

    StepView view() {
        return new StepView(state, startedNanos, timeout, killRequested);
    }
}
