package io.sluice.store;

import java.time.Instant;
import java.util.Optional;

/** One line of the audit log: who did what to what, when, and how it ended. */
public record AuditEntry(long id, Instant at, String who, String action, String target, String outcome, Optional<String> detail) {
}
