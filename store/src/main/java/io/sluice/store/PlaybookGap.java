package io.sluice.store;

import java.time.Instant;
import java.util.Optional;

/**
 * A failure that no playbook entry covered, or only a condition-free one ({@code entry}): where it
 * was seen (a test, a dev run, a deployed run), which run, task and kind, and the end of its log.
 */
public record PlaybookGap(String pipeline, String version, String source, String runId, Optional<String> task, String kind,
                          int attempt, Optional<Integer> exitCode, Optional<String> entry, String excerpt, Instant seenAt) {
}
