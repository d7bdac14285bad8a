package io.sluice.server;

import io.sluice.definition.Pipeline;
import io.sluice.schedule.Interval;
import io.sluice.schedule.LogicalDates;
import io.sluice.schedule.Schedule;
import io.sluice.store.GateStore;
import io.sluice.store.RunKind;
import io.sluice.store.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the runs of deployed schedules (SPEC §2): a run for each interval once it has ended,
 * from {@code start_date}; with {@code catchup}, every missed interval, without it only the latest.
 * It sleeps until the next interval ends (or a deploy wakes it); creating a run is idempotent, so
 * a restart or a clock stepping back never makes a second run of an interval.
 */
final class Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** Even with nothing due, look again this often: the safety net. */
    private static final Duration LONGEST_SLEEP = Duration.ofSeconds(5);
    private static final int MOST_RUNS_PER_LOOK = 1000;

    private final GateStore gate;
    private final RunStore store;
    private final RunSpecs specs;
    private final RunManager runs;
    private final Clock clock;
    private final Map<String, Instant> nextDue = new HashMap<>();
    private Map<String, String> planned = Map.of();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean replan = true;
    private volatile boolean stopped;
    private final List<Runnable> duties;
    private volatile long lastTickNanos;
    /** Told how long each tick took (for /metrics). */
    private volatile java.util.function.LongConsumer tickObserver = n -> { };

    void observeTicks(java.util.function.LongConsumer observer) {
        this.tickObserver = observer;
    }

    private final java.util.function.BooleanSupplier firing;

    /** {@code firing}: whether this server creates the schedules' runs now (the one holding the duties, of several). */
    Scheduler(GateStore gate, RunStore store, RunSpecs specs, RunManager runs, Clock clock, List<Runnable> duties,
              java.util.function.BooleanSupplier firing) {
        this.firing = firing;
        this.gate = gate;
        this.store = store;
        this.specs = specs;
        this.runs = runs;
        this.clock = clock;
        this.duties = List.copyOf(duties);
    }

    void start() {
        Thread.ofPlatform().daemon().name("sluice-scheduler").start(this::loop);
    }

    /** A deploy or rollback changed the schedules: plan again now. */
    void replan() {
        replan = true;
        poke();
    }

    void stop() {
        stopped = true;
        poke();
    }

    long lastTickNanos() {
        return lastTickNanos;
    }

    private void poke() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (!stopped) {
            Instant sleepUntil = clock.instant().plus(LONGEST_SLEEP);
            long started = System.nanoTime();
            try {
                if (firing.getAsBoolean()) {
                    sleepUntil = tick();
                } else {
                    planned = Map.of(); // plan afresh once this server fires again
                }
                duties.forEach(Runnable::run);
            } catch (RuntimeException e) {
                LOG.error("scheduler tick failed; trying again", e); // the loop never dies
            }
            lastTickNanos = System.nanoTime() - started;
            tickObserver.accept(lastTickNanos);
            lock.lock();
            try {
                long millis = Duration.between(clock.instant(), sleepUntil).toMillis();
                if (!replan && !stopped && millis > 0) {
                    wake.await(Math.min(millis, LONGEST_SLEEP.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Creates every run that is due; returns when the next one will be. */
    private Instant tick() {
        Instant now = clock.instant();
        Map<String, String> active = gate.activeVersions();
        if (replan || !active.equals(planned)) {
            // a deploy or rollback, through this server or straight on the home
            replan = false;
            planned = active;
            nextDue.clear();
            active.forEach((pipeline, version) -> {
                try {
                    Pipeline p = specs.definition(version).pipeline();
                    if (p.schedule().isPresent()) {
                        nextDue.put(pipeline, now); // look at it now; creating is idempotent
                    }
                } catch (RuntimeException e) {
                    LOG.error("cannot read the schedule of {}", pipeline, e);
                }
            });
        }
        Instant earliest = now.plus(LONGEST_SLEEP);
        for (var e : nextDue.entrySet()) {
            if (!e.getValue().isAfter(now)) {
                e.setValue(fire(e.getKey(), now));
            }
            if (e.getValue().isBefore(earliest)) {
                earliest = e.getValue();
            }
        }
        return earliest;
    }

    /** Creates the due runs of one pipeline; returns when its next interval ends. */
    private Instant fire(String pipelineId, Instant now) {
        Optional<String> version = gate.activeVersion(pipelineId);
        if (version.isEmpty()) {
            return now.plus(LONGEST_SLEEP);
        }
        Pipeline p = specs.definition(version.get()).pipeline();
        Schedule schedule = p.schedule().orElseThrow();
        for (Interval interval : due(p, schedule, store.lastScheduledStart(pipelineId), now)) {
            try {
                runs.create(pipelineId, RunKind.SCHEDULED, interval, LogicalDates.format(interval, p.schedule(), p.timezone()), p.params());
            } catch (java.io.IOException | RuntimeException e) {
                LOG.error("cannot create the run of {} for {}", pipelineId, interval.start(), e);
            }
        }
        // the next interval that ends after now
        ZonedDateTime at = now.atZone(p.timezone());
        Optional<ZonedDateTime> next = schedule.nextAfter(at);
        return next.map(ZonedDateTime::toInstant).orElse(now.plus(LONGEST_SLEEP));
    }

    /**
     * The intervals to create now: ended ones starting on or after {@code start_date} and after the
     * last one created; all of them with catchup, else only the latest.
     */
    static List<Interval> due(Pipeline p, Schedule schedule, Optional<Instant> lastCreated, Instant now) {
        ZonedDateTime at = now.atZone(p.timezone());
        Optional<ZonedDateTime> latestEnd = schedule.firesAt(at) ? Optional.of(at) : schedule.lastBefore(at);
        if (latestEnd.isEmpty()) {
            return List.of();
        }
        Optional<ZonedDateTime> latestStart = schedule.lastBefore(latestEnd.get());
        if (latestStart.isEmpty()) {
            return List.of();
        }
        Instant notBefore = p.startDate().map(d -> d.atStartOfDay(p.timezone()).toInstant()).orElse(Instant.MIN);
        if (lastCreated.isPresent() && lastCreated.get().isAfter(notBefore)) {
            notBefore = lastCreated.get().plusNanos(1);
        }
        if (latestStart.get().toInstant().isBefore(notBefore)) {
            return List.of();
        }
        if (!p.catchup()) {
            return List.of(new Interval(latestStart.get().toInstant(), latestEnd.get().toInstant()));
        }
        // walk forward from the first start on or after notBefore
        List<Interval> intervals = new java.util.ArrayList<>();
        ZonedDateTime first = p.startDate().isPresent() || lastCreated.isPresent()
                ? schedule.nextAfter(notBefore.atZone(p.timezone()).minusNanos(1)).orElse(latestStart.get())
                : latestStart.get();
        ZonedDateTime start = first;
        while (!start.toInstant().isAfter(latestStart.get().toInstant()) && intervals.size() < MOST_RUNS_PER_LOOK) {
            ZonedDateTime end = schedule.nextAfter(start).orElseThrow();
            intervals.add(new Interval(start.toInstant(), end.toInstant()));
            start = end;
        }
        return intervals;
    }
}
