package io.sluice.run;

import java.util.Locale;

/** Why a run or task waits (SPEC §4). */
public enum WaitReason {
    OVERLAP,
    UPSTREAM,
    CAPACITY,
    POOL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
