package io.sluice.store;

import java.util.List;
import java.util.Optional;

/** The result of one pipeline test: whether it passed, how long it took, and what did not hold. */
public record TestOutcome(String test, boolean passed, long durationMillis, Optional<String> runState, List<String> problems) {
    public TestOutcome {
        problems = List.copyOf(problems);
    }
}
