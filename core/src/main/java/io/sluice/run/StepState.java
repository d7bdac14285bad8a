package io.sluice.run;

/** The state of a run's setup or teardown command. */
public enum StepState {
    /** The pipeline declares no such step. */
    NONE,
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    /** Not run: the run ended before it was due (setup of a cancelled run). */
    SKIPPED;

    public boolean isDone() {
        return this == NONE || this == SUCCEEDED || this == FAILED || this == SKIPPED;
    }
}
