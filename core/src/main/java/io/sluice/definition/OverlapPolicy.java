package io.sluice.definition;

/** What happens to a run that would exceed {@code max_active_runs}. */
public enum OverlapPolicy {
    /** Queue it, waiting with reason {@code overlap}. */
    WAIT,
    /** Record it as {@code skipped}. */
    SKIP
}
