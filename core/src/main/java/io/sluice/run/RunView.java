package io.sluice.run;

import io.sluice.definition.Resources;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the decider needs to know about one run, at one moment. Tasks are in an order where
 * each comes after the tasks it needs. {@code runningNanos} is how long something of the run has
 * been running (waiting does not count toward the run timeout).
 */
public record RunView(
        RunState state,
        StepView setup,
        StepView teardown,
        List<TaskView> tasks,
        long runningNanos,
        Optional<Duration> runTimeout,
        boolean cancelRequested,
        boolean runTimedOut,
        Resources capacity) {

    public RunView {
        tasks = List.copyOf(tasks);
    }
}
