package io.sluice.store;

import java.util.Locale;

/** Why a run exists. */
public enum RunKind {
    /** {@code sluice run DIR}: the working copy, not a deployed version. */
    DEV,
    /** {@code sluice run PIPELINE}: the active deployed version. */
    MANUAL,
    /** Created by the scheduler for an interval. */
    SCHEDULED,
    /** Created by {@code sluice backfill}. */
    BACKFILL,
    /** A pipeline test in its sandbox. */
    TEST;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunKind fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
