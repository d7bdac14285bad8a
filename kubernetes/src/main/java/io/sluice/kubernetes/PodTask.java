package io.sluice.kubernetes;

import io.sluice.definition.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One task attempt to run as a Job: its shell command, its environment ({@code secrets} names the
 * variables whose values come from the run's Secret instead of the Job's spec), what it requests,
 * its deadline, and the local file its log is streamed into.
 */
public record PodTask(String task, int attempt, String command, Map<String, String> environment, Set<String> secrets,
                      Resources resources, Optional<Duration> deadline, Path log) {
    public PodTask {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(command, "command");
        environment = Map.copyOf(environment);
        secrets = Set.copyOf(secrets);
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(log, "log");
    }
}
