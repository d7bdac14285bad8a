package io.sluice.server;

import io.sluice.engine.RunSpec;
import io.sluice.run.RunState;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.store.ServerStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scheduler duty: a run waiting (overlap, upstream) or a task waiting (capacity, pool) longer
 * than its pipeline's {@code max_wait} raises one {@code stuck} alert. Nothing is cancelled.
 */
final class StuckWatch implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(StuckWatch.class);

    private final RunStore store;
    private final ServerStore server;
    private final RunSpecs specs;
    private final Alerts alerts;
    private final Clock clock;

    StuckWatch(RunStore store, ServerStore server, RunSpecs specs, Alerts alerts, Clock clock) {
        this.store = store;
        this.server = server;
        this.specs = specs;
        this.alerts = alerts;
        this.clock = clock;
    }

    @Override
    public void run() {
        Instant now = clock.instant();
        for (RunRecord run : store.runsIn(EnumSet.of(RunState.WAITING))) {
            Instant since = store.lastTransitionAt(run.id(), Optional.empty()).orElse(run.createdAt());
            check(run, Optional.empty(), "waiting for " + run.reason().orElse("?"), since, now);
        }
        for (RunStore.WaitingTask t : store.waitingTasks()) {
            store.findRun(t.runId()).ifPresent(run -> check(run, Optional.of(t.taskId()), "waiting for " + t.reason(), t.since(), now));
        }
    }

    private void check(RunRecord run, Optional<String> task, String why, Instant since, Instant now) {
        try {
            RunSpec spec = specs.forRun(run);
            Optional<Duration> maxWait = spec.pipeline().maxWait();
            Duration waited = Duration.between(since, now);
            if (maxWait.isPresent() && waited.compareTo(maxWait.get()) > 0 && server.markStuck(run.id(), task.orElse(""))) {
                alerts.stuck(run, spec, task, task.map(t -> "task " + t + " ").orElse("run ") + why + " for "
                        + io.sluice.definition.Durations.format(Duration.ofSeconds(waited.toSeconds()))
                        + " (max_wait " + io.sluice.definition.Durations.format(maxWait.get()) + ")");
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("cannot check whether run {} is stuck", run.id(), e);
        }
    }
}
