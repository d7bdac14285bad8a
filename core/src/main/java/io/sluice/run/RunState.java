package io.sluice.run;

import java.util.Locale;
import java.util.Optional;

/** The states of a run (SPEC §4). */
public enum RunState {
    QUEUED(false),
    WAITING(false),
    RUNNING(false),
    SUCCEEDED(true),
    FAILED(true),
    TIMED_OUT(true),
    CANCELLED(true),
    SKIPPED(true);

    private final boolean terminal;

    RunState(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean isTerminal() {
        return terminal;
    }

    /** The name users read and write: {@code timed_out}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<RunState> fromWireName(String name) {
        for (RunState s : values()) {
            if (s.wireName().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
