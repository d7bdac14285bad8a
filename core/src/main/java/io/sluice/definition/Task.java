package io.sluice.definition;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One task of a pipeline as written; unset values fall back to the pipeline's {@link TaskDefaults}. */
public record Task(
        String id,
        String run,
        List<String> needs,
        Optional<Duration> timeout,
        Optional<Integer> retries,
        Optional<Duration> retryDelay,
        Optional<Resources> resources,
        Optional<String> pool,
        Optional<Integer> priority) {

    public Task {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(run, "run");
        needs = List.copyOf(needs);
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retries, "retries");
        Objects.requireNonNull(retryDelay, "retryDelay");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(pool, "pool");
    }
}
