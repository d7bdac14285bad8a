package io.sluice.run;

/** What can happen to a task in a run. */
public enum TaskEvent {
    /** Ready, but no capacity or pool slot is free. */
    WAIT,
    /** An attempt starts. */
    START,
    SUCCEED,
    FAIL,
    TIME_OUT,
    /** An attempt failed or timed out and retries are left: wait for retry_delay, then go again. */
    RETRY,
    /** Something it needs did not succeed. */
    UPSTREAM_FAIL,
    CANCEL,
    /** A person reset it so that it runs again. */
    CLEAR
}
