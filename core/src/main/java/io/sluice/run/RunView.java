package io.sluice.run;

import io.sluice.definition.Resources;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the decider needs to know about one run, at one moment. Tasks are in an order where
 * each comes after the tasks it needs, {@code positions} gives each task's index by id and
 * {@code needPositions} the indexes of each task's needs.
 * {@code runningNanos} is how long something of the run has
 * been running (waiting does not count toward the run timeout).
 */
public record RunView(
        Map<String, Integer> positions,
        int[][] needPositions,
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

    /** A view whose needs' positions are computed here from {@code positions}. */
    public RunView(Map<String, Integer> positions, RunState state, StepView setup, StepView teardown, List<TaskView> tasks,
                   long runningNanos, Optional<Duration> runTimeout, boolean cancelRequested, boolean runTimedOut, Resources capacity) {
        this(positions, needPositionsOf(tasks, positions), state, setup, teardown, tasks, runningNanos, runTimeout, cancelRequested,
                runTimedOut, capacity);
    }

    /** A view whose task positions are computed here; callers that decide often pass a map they keep. */
    public RunView(RunState state, StepView setup, StepView teardown, List<TaskView> tasks, long runningNanos,
                   Optional<Duration> runTimeout, boolean cancelRequested, boolean runTimedOut, Resources capacity) {
        this(positionsOf(tasks), state, setup, teardown, tasks, runningNanos, runTimeout, cancelRequested, runTimedOut, capacity);
    }

    /**
     * For each task, the positions of the tasks it needs (needs outside the run are left out): the
     * decider checks them on every event, and a caller that decides often computes them once.
     */
    public static int[][] needPositionsOf(List<TaskView> tasks, Map<String, Integer> positions) {
        int[][] needs = new int[tasks.size()][];
        for (int i = 0; i < needs.length; i++) {
            needs[i] = tasks.get(i).needs().stream().map(positions::get).filter(java.util.Objects::nonNull)
                    .mapToInt(Integer::intValue).toArray();
        }
        return needs;
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
