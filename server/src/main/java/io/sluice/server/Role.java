package io.sluice.server;

import java.util.Locale;
import java.util.Optional;

/** What a token may do (SPEC §7): viewer reads; operator also runs, cancels and recovers; admin also deploys and manages tokens. */
public enum Role {
    VIEWER,
    OPERATOR,
    ADMIN;

    public boolean covers(Role required) {
        return ordinal() >= required.ordinal();
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWireName(String name) {
        for (Role r : values()) {
            if (r.wireName().equals(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
