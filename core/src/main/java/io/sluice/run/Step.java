package io.sluice.run;

/** The two commands around a run's tasks. */
public enum Step {
    SETUP,
    TEARDOWN;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
