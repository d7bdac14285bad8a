package io.sluice.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.engine.SharedAdmission;
import io.sluice.run.RunState;
import io.sluice.run.TaskState;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.store.ServerStore;
import io.sluice.store.TransitionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code /metrics} in Prometheus text (Micrometer): what dashboards and alert rules need to see a
 * Sluice server at a glance. Counts come from the database in one read at most once a second, so
 * a scrape never competes with the runs; durations and waiting time are recorded as runs end.
 * No pipeline ids in labels: their number is not bounded, and the endpoint is open like /healthz.
 */
final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ServerStore server;
    private final RunStore runs;
    private volatile Map<String, Map<String, Long>> counts = Map.of();
    private volatile long countedAt;
    private final Timer tick;

    Metrics(ServerStore server, RunStore runs, SharedAdmission admission, Scheduler scheduler) {
        this.server = server;
        this.runs = runs;
        for (RunState s : RunState.values()) {
            Gauge.builder("sluice_runs", () -> count("runs", s.name())).tag("state", s.wireName())
                    .description("Runs (not tests) by state").register(registry);
        }
        for (TaskState s : TaskState.values()) {
            Gauge.builder("sluice_tasks", () -> count("tasks", s.name())).tag("state", s.wireName())
                    .description("Tasks of runs by state").register(registry);
        }
        for (String state : List.of("sent", "failed", "retrying", "pending")) {
            Gauge.builder("sluice_alerts", () -> count("alerts", state)).tag("state", state)
                    .description("Alert deliveries by state").register(registry);
        }
        Gauge.builder("sluice_playbook_matches", () -> count("playbook", "matched"))
                .description("Failed attempts that matched a playbook entry").register(registry);
        Gauge.builder("sluice_playbook_gaps", () -> count("playbook", "gaps"))
                .description("Failures that matched no entry, or only a condition-free one").register(registry);
        Gauge.builder("sluice_capacity_cpus", () -> admission.used().milliCpus() / 1000.0).tag("use", "used").register(registry);
        Gauge.builder("sluice_capacity_cpus", () -> admission.free().milliCpus() / 1000.0).tag("use", "free").register(registry);
        Gauge.builder("sluice_capacity_memory_bytes", () -> admission.used().memoryBytes()).tag("use", "used").register(registry);
        Gauge.builder("sluice_capacity_memory_bytes", () -> admission.free().memoryBytes()).tag("use", "free")
                .register(registry);
        admission.poolLimits().forEach((pool, limit) -> {
            Gauge.builder("sluice_pool_slots", () -> admission.poolsUsed().getOrDefault(pool, 0)).tag("pool", pool).tag("use", "used").register(registry);
            Gauge.builder("sluice_pool_slots", () -> limit).tag("pool", pool).tag("use", "limit").register(registry);
        });
        for (String reason : List.of("capacity", "pool")) {
            Gauge.builder("sluice_tasks_waiting", () -> admission.waitingByReason().getOrDefault(reason, 0)).tag("reason", reason)
                    .description("Tasks waiting for admission now").register(registry);
        }
        tick = Timer.builder("sluice_scheduler_tick").description("How long a scheduler tick takes").register(registry);
        scheduler.observeTicks(nanos -> tick.record(nanos, TimeUnit.NANOSECONDS));
    }

    /** Among several servers on one database: how many this one sees alive, and whether it holds the duties. */
    void watch(Fleet fleet) {
        Gauge.builder("sluice_servers_alive", fleet::alive).description("Servers on the database this server sees alive, itself included")
                .register(registry);
        Gauge.builder("sluice_server_holds_duties", () -> fleet.holdsDuties() ? 1 : 0)
                .description("1 when this server fires the schedules, sends stuck alerts and applies plans").register(registry);
    }

    private double count(String group, String key) {
        long now = System.nanoTime();
        if (now - countedAt > TimeUnit.SECONDS.toNanos(1)) {
            try {
                counts = server.counts();
            } catch (RuntimeException e) {
                // keep the last counts: a scrape must not fail because the database is busy
            }
            countedAt = now;
        }
        return counts.getOrDefault(group, Map.of()).getOrDefault(key, 0L);
    }

    /** A run ended: its duration by outcome, and the time it and its tasks spent waiting, by reason. */
    void runEnded(RunRecord run) {
        if (run.startedAt().isPresent() && run.endedAt().isPresent()) {
            Timer.builder("sluice_run_duration").tag("state", run.state().wireName()).register(registry)
                    .record(Duration.between(run.startedAt().get(), run.endedAt().get()));
        }
        waited(runs.runTransitions(run.id()), run.endedAt().orElse(Instant.now()), false);
        waited(runs.taskTransitions(run.id()), run.endedAt().orElse(Instant.now()), true);
    }

    /** Adds each stretch spent in WAITING to sluice_waiting_seconds_total{reason}. */
    private void waited(List<TransitionRecord> transitions, Instant end, boolean tasks) {
        Map<String, Instant> since = new java.util.HashMap<>();
        Map<String, String> reason = new java.util.HashMap<>();
        for (TransitionRecord t : transitions) {
            String key = t.taskId().orElse("run");
            Instant from = since.remove(key);
            if (from != null) {
                add(reason.remove(key), Duration.between(from, t.at()));
            }
            if (t.to().equals("WAITING")) {
                since.put(key, t.at());
                String cause = t.cause().orElse("");
                reason.put(key, cause.contains("pool") ? "pool" : cause.contains("capacity") ? "capacity"
                        : cause.contains("upstream") ? "upstream" : cause.contains("overlap") ? "overlap" : "other");
            }
        }
        since.forEach((key, from) -> add(reason.get(key), Duration.between(from, end)));
    }

    private void add(String reason, Duration d) {
        if (reason != null && !d.isNegative()) {
            Counter.builder("sluice_waiting_seconds").tag("reason", reason).description("Time runs and tasks spent waiting, by reason")
                    .register(registry).increment(d.toNanos() / 1e9);
        }
    }

    String scrape() {
        return registry.scrape();
    }
}
