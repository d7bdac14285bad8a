package io.sluice.engine;

import io.sluice.store.PlaybookGap;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How one pipeline test went: passed or not, how long it took, and each expectation that did not hold. */
public record TestResult(String pipeline, String version, String test, boolean passed, Duration duration,
                         Optional<String> runState, List<String> problems, String logExcerpt, List<PlaybookGap> gaps) {
    public TestResult {
        problems = List.copyOf(problems);
        gaps = List.copyOf(gaps);
    }
}
