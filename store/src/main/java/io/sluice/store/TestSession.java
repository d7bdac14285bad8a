package io.sluice.store;

import java.time.Instant;
import java.util.List;

/** One run of a version's tests, by `sluice test` or by the deploy gate: who, when, and each test's outcome. */
public record TestSession(String id, String version, String pipeline, String who, String reason, Instant startedAt,
                          Instant endedAt, boolean passed, List<TestOutcome> outcomes) {
    public TestSession {
        outcomes = List.copyOf(outcomes);
    }
}
