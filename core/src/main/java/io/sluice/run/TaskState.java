package io.sluice.run;

import java.util.Locale;
import java.util.Optional;

/** The states of a task in a run (SPEC §4). */
public enum TaskState {
    PENDING(false),
    WAITING(false),
    RUNNING(false),
    RETRYING(false),
    SUCCEEDED(true),
    FAILED(true),
    TIMED_OUT(true),
    UPSTREAM_FAILED(true),
    CANCELLED(true);

    private final boolean terminal;

    TaskState(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean isTerminal() {
        return terminal;
    }

    /** Terminal and not succeeded: tasks below it cannot run. */
    public boolean isUnsuccessful() {
        return terminal && this != SUCCEEDED;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<TaskState> fromWireName(String name) {
        for (TaskState s : values()) {
            if (s.wireName().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
