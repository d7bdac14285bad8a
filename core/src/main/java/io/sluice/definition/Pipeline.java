package io.sluice.definition;

import io.sluice.schedule.Schedule;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** A pipeline.yaml, every key of SPEC §2, as an immutable value. */
public record Pipeline(
        String id,
        Optional<String> description,
        Optional<String> owner,
        Optional<Schedule> schedule,
        ZoneId timezone,
        Optional<LocalDate> startDate,
        boolean catchup,
        int maxActiveRuns,
        OverlapPolicy onOverlap,
        Optional<Duration> timeout,
        Optional<Duration> maxWait,
        Map<String, String> params,
        Map<String, String> env,
        List<String> secrets,
        List<Dependency> dependsOn,
        RunEnvironment environment,
        TaskDefaults defaults,
        List<Task> tasks,
        Map<String, Action> actions,
        List<AlertSink> alerts,
        List<PipelineTest> tests,
        int priority) {

    public Pipeline {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(timezone, "timezone");
        params = ordered(params);
        env = ordered(env);
        secrets = List.copyOf(secrets);
        dependsOn = List.copyOf(dependsOn);
        tasks = List.copyOf(tasks);
        actions = ordered(actions);
        alerts = List.copyOf(alerts);
        tests = List.copyOf(tests);
    }

    public Optional<Task> task(String taskId) {
        return tasks.stream().filter(t -> t.id().equals(taskId)).findFirst();
    }

    public boolean hasSetupOrTeardown() {
        return environment.setup().isPresent() || environment.teardown().isPresent();
    }

    /** Whether waiting can happen at all: then the playbook must cover {@code stuck}. */
    public boolean canWait() {
        return !dependsOn.isEmpty()
                || defaults.resources().isPresent()
                || tasks.stream().anyMatch(t -> t.resources().isPresent() || t.pool().isPresent());
    }

    private static <V> Map<String, V> ordered(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
