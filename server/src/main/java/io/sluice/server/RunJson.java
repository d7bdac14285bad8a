package io.sluice.server;

import io.sluice.store.RunRecord;
import io.sluice.store.TaskRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code --json} shape of a run (SPEC §6). */
public final class RunJson {
    private RunJson() {
    }

    /**
     * A JSON object whose keys print in the order given: {@code Map.of} iterates in an order that
     * changes from one JVM to the next, and a script diffing two outputs should see no change.
     */
    @SuppressWarnings("unchecked")
    public static <V> Map<String, V> object(Object... keysAndValues) {
        Map<String, V> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return m;
    }

    public static Map<String, Object> run(RunRecord run, List<TaskRecord> tasks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", run.id());
        m.put("pipeline", run.pipeline());
        m.put("version", run.version());
        m.put("kind", run.kind().wireName());
        m.put("logical_date", run.logicalDate());
        m.put("interval_start", run.intervalStart().toString());
        m.put("interval_end", run.intervalEnd().toString());
        m.put("params", run.params());
        m.put("state", run.state().wireName());
        m.put("reason", run.reason().orElse(null));
        m.put("created_at", run.createdAt().toString());
        m.put("started_at", run.startedAt().map(Instant::toString).orElse(null));
        m.put("ended_at", run.endedAt().map(Instant::toString).orElse(null));
        m.put("setup", run.setupState().name().toLowerCase(java.util.Locale.ROOT));
        m.put("teardown", run.teardownState().name().toLowerCase(java.util.Locale.ROOT));
        m.put("tasks", tasks.stream().map(RunJson::task).toList());
        return m;
    }

    public static Map<String, Object> task(TaskRecord t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.taskId());
        m.put("state", t.state().wireName());
        m.put("attempts", t.attempts());
        m.put("exit_code", t.exitCode().orElse(null));
        m.put("reason", t.waitReason().map(r -> r.wireName()).orElse(t.cause().orElse(null)));
        return m;
    }
}
