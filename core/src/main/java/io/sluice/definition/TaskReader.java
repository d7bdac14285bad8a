package io.sluice.definition;

import io.sluice.yaml.MapReader;
import io.sluice.yaml.YNode.YMap;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads {@code tasks}, {@code defaults} and {@code resources} blocks. */
final class TaskReader {
    static final List<String> TASK_KEYS = List.of("id", "run", "needs", "timeout", "retries", "retry_delay", "resources", "pool", "priority");
    static final List<String> DEFAULTS_KEYS = List.of("timeout", "retries", "retry_delay", "resources");
    static final List<String> RESOURCE_KEYS = List.of("cpus", "memory");
    static final int MAX_RETRIES = 100;

    private final Reading reading;

    TaskReader(Reading reading) {
        this.reading = reading;
    }

    List<Task> tasks(MapReader root) {
        List<Task> tasks = new ArrayList<>();
        if (root.value("tasks").isEmpty()) {
            reading.error(root.positionOf("tasks"), "a pipeline needs 'tasks': a list with at least one task");
            return tasks;
        }
        List<MapReader> items = reading.mappings(root, "tasks", "a task", TASK_KEYS);
        for (MapReader item : items) {
            String path = "tasks/" + tasks.size();
            reading.sources.put(path, item.position());
            Optional<String> id = reading.id(item, "id", "task");
            Optional<String> run = item.requiredString("run", "task " + id.map(s -> "'" + s + "'").orElse(""));
            run.filter(String::isBlank).ifPresent(r -> reading.error(item.positionOf("run"), "'run' is empty"));
            List<String> needs = reading.strings(item, "needs", path + "/needs");
            Optional<Duration> timeout = positive(item, "timeout");
            Optional<Integer> retries = item.integer("retries", 0, MAX_RETRIES);
            Optional<Duration> retryDelay = reading.duration(item, "retry_delay");
            Optional<Resources> resources = resources(item);
            Optional<String> pool = item.string("pool");
            pool.filter(p -> !Ids.isValid(p)).ifPresent(p ->
                    reading.error(item.valuePositionOf("pool"), "bad pool name '" + p + "': use " + Ids.RULE));
            Optional<Integer> priority = item.integer("priority", PipelineParser.MIN_PRIORITY, PipelineParser.MAX_PRIORITY);
            tasks.add(new Task(id.orElse(""), run.orElse(""), needs, timeout, retries, retryDelay, resources, pool, priority));
        }
        if (items.isEmpty() && root.list("tasks").map(l -> l.items().isEmpty()).orElse(false)) {
            reading.error(root.valuePositionOf("tasks"), "'tasks' is empty: a pipeline needs at least one task");
        }
        return tasks;
    }

    TaskDefaults defaults(MapReader root) {
        Optional<YMap> node = root.mapping("defaults");
        if (node.isEmpty()) {
            return TaskDefaults.NONE;
        }
        MapReader map = new MapReader(node.get(), reading.problems, DEFAULTS_KEYS);
        return new TaskDefaults(
                positive(map, "timeout"),
                map.integer("retries", 0, MAX_RETRIES).orElse(0),
                reading.duration(map, "retry_delay").orElse(TaskDefaults.RETRY_DELAY),
                resources(map));
    }

    private Optional<Duration> positive(MapReader map, String key) {
        return reading.positiveDuration(map, key);
    }

    Optional<Resources> resources(MapReader owner) {
        Optional<YMap> node = owner.mapping("resources");
        if (node.isEmpty()) {
            return Optional.empty();
        }
        MapReader map = new MapReader(node.get(), reading.problems, RESOURCE_KEYS);
        long cpus = map.scalar("cpus", "a number of CPUs such as 1, 0.5 or 500m", TaskReader::milliCpus)
                .orElse(Resources.DEFAULT.milliCpus());
        long memory = map.scalar("memory", Sizes.FORMS, text -> Sizes.parse(text).orElse(null))
                .orElse(Resources.DEFAULT.memoryBytes());
        return Optional.of(new Resources(cpus, memory));
    }

    static Long milliCpus(String text) {
        String t = text.trim();
        if (t.matches("\\d{1,6}m")) {
            return Long.parseLong(t.substring(0, t.length() - 1));
        }
        if (!t.matches("\\d{1,6}(\\.\\d{1,3})?")) {
            return null;
        }
        return new BigDecimal(t).movePointRight(3).longValueExact();
    }
}
