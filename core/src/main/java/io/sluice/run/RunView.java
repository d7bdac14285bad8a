package io.sluice.run;

import io.sluice.definition.Resources;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the decider needs to know about one run, at one moment. Tasks are in an order where
 * each comes after the tasks it needs, and {@code positions} gives each task's index by id.
 * {@code runningNanos} is how long something of the run has
 * been running (waiting does not count toward the run timeout).
 */
public record RunView(
        Map<String, Integer> positions,
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

    /** A view whose task positions are computed here; callers that decide often pass a map they keep. */
    public RunView(RunState state, StepView setup, StepView teardown, List<TaskView> tasks, long runningNanos,
                   Optional<Duration> runTimeout, boolean cancelRequested, boolean runTimedOut, Resources capacity) {
        this(positionsOf(tasks), state, setup, teardown, tasks, runningNanos, runTimeout, cancelRequested, runTimedOut, capacity);
    }

    /** Each task's index in {@code tasks}, by id. */
    public static Map<String, Integer> positionsOf(List<TaskView> tasks) {
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            positions.put(tasks.get(i).id(), i);
        }
        return Map.copyOf(positions);
    }
}
