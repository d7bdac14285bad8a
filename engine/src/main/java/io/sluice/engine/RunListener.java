package io.sluice.engine;

import io.sluice.run.RunState;
import io.sluice.run.Step;
import io.sluice.run.StepState;
import io.sluice.run.TaskState;

/** Hears what happens in a run as it happens, after each change is durable: for live progress. */
public interface RunListener {
    RunListener NONE = new RunListener() {
    };

    default void runChanged(String runId, RunState state, String reason) {
    }

    default void stepChanged(Step step, StepState state, String detail) {
    }

    default void taskChanged(String task, TaskState state, int attempt, String detail) {
    }

    /** Something worth a line in the progress output, such as what the sweep killed. */
    default void note(String line) {
    }
}
