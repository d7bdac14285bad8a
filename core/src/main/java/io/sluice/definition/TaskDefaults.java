package io.sluice.definition;

import java.time.Duration;
import java.util.Optional;

/**
 * The {@code defaults} block. Unset, a task has no timeout, no retries, a 30 s retry delay and
 * asks for 1 CPU and 256 MiB.
 */
public record TaskDefaults(Optional<Duration> timeout, int retries, Duration retryDelay, Optional<Resources> resources) {
    public static final Duration RETRY_DELAY = Duration.ofSeconds(30);
    public static final TaskDefaults NONE = new TaskDefaults(Optional.empty(), 0, RETRY_DELAY, Optional.empty());

    public Optional<Duration> timeoutOf(Task task) {
        return task.timeout().or(() -> timeout);
    }

    public int retriesOf(Task task) {
        return task.retries().orElse(retries);
    }

    public Duration retryDelayOf(Task task) {
        return task.retryDelay().orElse(retryDelay);
    }

    public Resources resourcesOf(Task task) {
        return task.resources().or(() -> resources).orElse(Resources.DEFAULT);
    }
}
