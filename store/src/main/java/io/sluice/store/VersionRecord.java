package io.sluice.store;

import java.time.Instant;
import java.util.Optional;

/** A version of a pipeline as the gate knows it: where its files are kept, when it went green, whether it is active. */
public record VersionRecord(String version, String pipeline, Optional<String> storedPath, Optional<Instant> storedAt,
                            Optional<Instant> greenAt, boolean active, Optional<TestSession> tests) {
}
