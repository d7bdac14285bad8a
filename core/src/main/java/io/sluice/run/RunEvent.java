package io.sluice.run;

/** What can happen to a run. */
public enum RunEvent {
    WAIT,
    START,
    SUCCEED,
    FAIL,
    TIME_OUT,
    CANCEL,
    SKIP,
    /** A person reset some of its tasks so that it goes again. */
    CLEAR
}
