package io.sluice.run;

/** One thing the decider wants done; the applier makes the state change durable, then acts. */
public sealed interface Command {

    /** The run goes from queued to running. */
    record StartRun() implements Command {
    }

    record StartStep(Step step) implements Command {
    }

    /** Stop a running setup or teardown: it ran past its timeout, or the run is stopping. */
    record KillStep(Step step, String cause) implements Command {
    }

    /** A setup that never ran because the run stopped first. */
    record SkipStep(Step step) implements Command {
    }

    record StartTask(String task, int attempt) implements Command {
    }

    record WaitTask(String task, WaitReason reason) implements Command {
    }

    /** The attempt's process exited 0. */
    record SucceedTask(String task) implements Command {
    }

    /** The attempt's process exited non-zero and no retry is left. */
    record FailTask(String task, int exitCode) implements Command {
    }

    /**
     * The attempt failed or timed out and a retry is left: go to retrying until {@code retryAtNanos}.
     * When {@code kill} is set, the attempt still runs (a timeout) and its process group must be stopped.
     */
    record RetryTask(String task, boolean timedOut, Integer exitCode, long retryAtNanos, boolean kill) implements Command {
    }

    /** The attempt ran past its timeout and no retry is left: mark it timed out and stop its processes. */
    record TimeOutTask(String task) implements Command {
    }

    record UpstreamFailTask(String task, String cause) implements Command {
    }

    /** Mark the task cancelled, stopping its process when it runs. */
    record CancelTask(String task, String cause) implements Command {
    }

    /** The whole run passed its timeout: everything still running is stopped. */
    record TimeOutRun() implements Command {
    }

    record FinishRun(RunState state, String reason) implements Command {
    }
}
