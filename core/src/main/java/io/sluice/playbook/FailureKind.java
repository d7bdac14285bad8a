package io.sluice.playbook;

import java.util.Locale;
import java.util.Optional;

/** The kinds of failure a playbook entry can match (SPEC §5). */
public enum FailureKind {
    FAILED,
    TIMED_OUT,
    STUCK,
    SETUP_FAILED,
    TEARDOWN_FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<FailureKind> fromWireName(String name) {
        for (FailureKind k : values()) {
            if (k.wireName().equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
