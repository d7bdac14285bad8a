package io.sluice.server;

import io.sluice.definition.Dependency;
import io.sluice.definition.OverlapPolicy;
import io.sluice.definition.Pipeline;
import io.sluice.engine.Failures;
import io.sluice.engine.RunCreator;
import io.sluice.engine.RunDriver;
import io.sluice.engine.RunListener;
import io.sluice.engine.RunSpec;
import io.sluice.engine.SharedAdmission;
import io.sluice.engine.SluiceHome;
import io.sluice.executor.LocalExecutor;
import io.sluice.executor.ProcTable;
import io.sluice.schedule.Interval;
import io.sluice.schedule.Schedule;
import io.sluice.store.FleetStore;
import io.sluice.store.GateStore;
import io.sluice.store.RunKind;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.run.RunEvent;
import io.sluice.run.RunState;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's runs: starts queued runs when their pipeline's overlap rule and upstream
 * pipelines allow, each on a thread of its own sharing one admission (capacity, pools); takes over
 * the runs of a crashed server; and looks again whenever something changed (a run was created or
 * ended), not on a timer.
 */
final class RunManager {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);

    private final RunStore store;
    private final GateStore gate;
    private final SluiceHome home;
    private final LocalExecutor executor;
    private final SharedAdmission admission;
    private final RunSpecs specs;
    private final Clock clock;
    private final Supplier<Map<String, String>> environment;
    private final RunEnded ended;
    private final Fleet fleet;
    private final FleetStore fleetStore;
    private final Map<String, Driving> driving = new ConcurrentHashMap<>();

    /** {@code started}: the run's first task or step has started (or the run ended): it no longer needs room to start. */
    private record Driving(RunDriver driver, String pipeline, java.util.concurrent.atomic.AtomicBoolean started) {
    }
    private final ExecutorService admissionThread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("sluice-admission").factory());
    private final AtomicBoolean reconsiderPending = new AtomicBoolean();
    private volatile boolean stopping;

    /** Told when a run has ended: for alerts and playbook gaps. */
    interface RunEnded {
        void ended(RunRecord run, RunSpec spec);
    }

    RunManager(RunStore store, GateStore gate, SluiceHome home, LocalExecutor executor, SharedAdmission admission, RunSpecs specs,
               Clock clock, Supplier<Map<String, String>> environment, RunEnded ended, Fleet fleet, FleetStore fleetStore) {
        this.fleet = fleet;
        this.fleetStore = fleetStore;
        if (fleet.shared()) {
            // among several servers, a run is taken only when there is room: look when room frees up
            admission.onRelease(() -> {
                if (admission.waitingByReason().getOrDefault("capacity", 0) == 0) {
                    reconsiderSoon();
                }
            });
        }
        this.store = store;
        this.gate = gate;
        this.home = home;
        this.executor = executor;
        this.admission = admission;
        this.specs = specs;
        this.clock = clock;
        this.environment = environment;
        this.ended = ended;
    }

    /** Creates a run of the pipeline's active version; scheduled and backfill runs only once per interval. */
    Optional<String> create(String pipeline, RunKind kind, Interval interval, String logicalDate, Map<String, String> params)
            throws IOException {
        String version = gate.activeVersion(pipeline).orElseThrow(() -> new IllegalArgumentException("no pipeline '" + pipeline + "' is deployed"));
        RunSpec spec = specs.forNew(version, kind, interval, logicalDate, params);
        RunCreator creator = new RunCreator(store, clock);
        Optional<String> id = kind == RunKind.SCHEDULED || kind == RunKind.BACKFILL
                ? creator.createOnce(spec)
                : Optional.of(creator.create(spec));
        id.ifPresent(i -> reconsiderSoon());
        return id;
    }

    /** Looks at queued and waiting runs soon, on the admission thread; calls coalesce. */
    void reconsiderSoon() {
        if (!stopping && reconsiderPending.compareAndSet(false, true)) {
            admissionThread.execute(() -> {
                reconsiderPending.set(false);
                try {
                    reconsider();
                } catch (RuntimeException e) {
                    LOG.error("admission of runs failed", e);
                }
            });
        }
    }

    private void reconsider() {
        int room = roomForNewRuns();
        Map<String, Integer> activeByPipeline = new java.util.HashMap<>();
        for (RunRecord run : store.runsIn(EnumSet.of(RunState.QUEUED, RunState.WAITING))) {
            if (driving.containsKey(run.id()) || run.kind() == RunKind.DEV || run.kind() == RunKind.TEST) {
                continue; // dev runs are driven by their own `sluice run`
            }
            if (run.owner().isPresent()) {
                continue; // another server claimed it (a dead server's claims are let go by takeOverFrom)
            }
            if (room <= 0 && !run.cancelRequested()) {
                continue; // this server is full: another server with room, or a later look, takes it
            }
            Pipeline pipeline;
            try {
                // the parsed definition is kept; the run's files are looked at only when it starts
                pipeline = specs.definition(run.version()).pipeline();
            } catch (RuntimeException e) {
                LOG.error("cannot start run {}", run.id(), e);
                continue;
            }
            if (run.cancelRequested()) {
                if (fleetStore.claim(run.id(), pipeline.id(), Integer.MAX_VALUE, true, fleet.id())) {
                    startClaimed(run);
                }
                continue;
            }
            int active = activeByPipeline.computeIfAbsent(pipeline.id(), fleetStore::activeRuns);
            if (active >= pipeline.maxActiveRuns()) {
                // skip is for the schedule running into itself; a run a person asked for (manual, backfill) waits its turn
                if (pipeline.onOverlap() == OverlapPolicy.SKIP && run.state() == RunState.QUEUED && run.kind() == RunKind.SCHEDULED) {
                    skip(run, "skipped: " + active + " run(s) of " + pipeline.id() + " already running (on_overlap: skip)");
                    continue;
                }
                waitFor(run, "overlap");
                continue;
            }
            Optional<String> upstream = missingUpstream(pipeline, run);
            if (upstream.isPresent()) {
                waitFor(run, "upstream");
                continue;
            }
            // claimed with a conditional update that counts the pipeline's active runs again: of
            // several servers looking at once, one gets it, and max_active_runs holds across them
            if (fleetStore.claim(run.id(), pipeline.id(), pipeline.maxActiveRuns(), false, fleet.id())) {
                room--;
                activeByPipeline.merge(pipeline.id(), 1, Integer::sum);
                startClaimed(run);
            }
        }
    }

    /** Starts a run this server has just claimed; gives the claim back if its files cannot be read. */
    private void startClaimed(RunRecord run) {
        RunSpec spec;
        try {
            spec = specs.forRun(run);
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot start run {}", run.id(), e);
            fleetStore.release(run.id(), fleet.id());
            return;
        }
        start(run, spec, false);
    }

    /**
     * How many more runs this server takes now. Alone on its home it takes every run, and their
     * tasks wait for capacity here, visibly. Among several servers it takes a run only when it has
     * room for its first task (a whole free CPU each, or any when it runs nothing), and leaves the
     * rest queued for a server with room, instead of hoarding work the others could start now.
     */
    private int roomForNewRuns() {
        if (!fleet.shared()) {
            return Integer.MAX_VALUE;
        }
        if (admission.waitingByReason().getOrDefault("capacity", 0) > 0) {
            return 0;
        }
        long free = admission.free().milliCpus();
        int starting = (int) driving.values().stream().filter(d -> !d.started().get()).count();
        int byCpus = (int) (free / 1000);
        if (byCpus == 0 && free > 0 && driving.isEmpty()) {
            byCpus = 1;
        }
        return Math.max(0, byCpus - starting);
    }

    /** Records a scheduled run as skipped, unless another server moved it first. */
    private void skip(RunRecord run, String cause) {
        try {
            store.write(w -> {
                w.expectUnclaimed(run.id());
                w.runEvent(run.id(), RunState.QUEUED, RunEvent.SKIP, cause);
            });
        } catch (io.sluice.store.ConcurrentChangeException e) {
            LOG.debug("run {} changed meanwhile: {}", run.id(), e.getMessage());
        }
    }

    private void waitFor(RunRecord run, String reason) {
        try {
            if (run.state() == RunState.QUEUED) {
                store.write(w -> {
                    w.expectUnclaimed(run.id());
                    w.runEvent(run.id(), RunState.QUEUED, RunEvent.WAIT, reason);
                });
            } else if (!run.reason().equals(Optional.of(reason))) {
                store.write(w -> {
                    w.expectUnclaimed(run.id());
                    w.setWaitReason(run.id(), reason);
                });
            }
        } catch (io.sluice.store.ConcurrentChangeException e) {
            LOG.debug("run {} changed meanwhile: {}", run.id(), e.getMessage()); // another server got there first
        }
    }

    /**
     * The first upstream pipeline that has not succeeded for every logical date inside the run's
     * interval (SPEC §2 depends_on); empty when all have.
     */
    Optional<String> missingUpstream(Pipeline pipeline, RunRecord run) {
        for (Dependency d : pipeline.dependsOn()) {
            Optional<String> version = gate.activeVersion(d.pipeline());
            if (version.isEmpty()) {
                return Optional.of(d.pipeline());
            }
            Pipeline upstream = specs.definition(version.get()).pipeline();
            List<Instant> expected = startsWithin(upstream, run.intervalStart(), run.intervalEnd());
            if (!store.succeededStarts(d.pipeline(), run.intervalStart(), run.intervalEnd()).containsAll(expected)) {
                return Optional.of(d.pipeline());
            }
        }
        return Optional.empty();
    }

    /** The starts of the upstream's intervals that fall in [from, to): its schedule's fires, or calendar days. */
    static List<Instant> startsWithin(Pipeline upstream, Instant from, Instant to) {
        List<Instant> starts = new java.util.ArrayList<>();
        ZoneId zone = upstream.timezone();
        if (upstream.schedule().isPresent()) {
            Schedule s = upstream.schedule().get();
            ZonedDateTime t = from.atZone(zone).minusNanos(1);
            while (starts.size() < 100_000) {
                Optional<ZonedDateTime> next = s.nextAfter(t);
                if (next.isEmpty() || !next.get().toInstant().isBefore(to)) {
                    break;
                }
                t = next.get();
                starts.add(t.toInstant());
            }
        } else {
            LocalDate day = from.atZone(zone).toLocalDate();
            while (starts.size() < 100_000) {
                Instant start = day.atStartOfDay(zone).toInstant();
                if (!start.isBefore(to)) {
                    break;
                }
                if (!start.isBefore(from)) {
                    starts.add(start);
                }
                day = day.plusDays(1);
            }
        }
        return starts;
    }

    private void start(RunRecord run, RunSpec spec, boolean resume) {
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean(resume);
        RunListener startWatch = new RunListener() {
            @Override
            public void taskChanged(String task, io.sluice.run.TaskState state, int attempt, String detail) {
                started.set(true);
            }

            @Override
            public void stepChanged(io.sluice.run.Step step, io.sluice.run.StepState state, String detail) {
                started.set(true);
            }

            @Override
            public void runChanged(String runId, RunState state, String reason) {
                if (state.isTerminal()) {
                    started.set(true);
                }
            }
        };
        RunDriver driver = new RunDriver(store, home, executor, clock, startWatch)
                .withAdmission(admission)
                .withEnvironment(environment.get());
        if (fleet.shared()) {
            driver.withOwner(fleet.id());
        }
        driving.put(run.id(), new Driving(driver, spec.pipeline().id(), started));
        // a platform thread, not a virtual one: SQLite's busy wait is native code that pins a carrier
        // thread, and with as many drivers as carriers waiting on the write lock, the holder of
        // the lock could never be scheduled to release it
        Thread.ofPlatform().daemon().name("sluice-run-" + run.id()).start(() -> {
            RunRecord finished = null;
            try {
                finished = resume ? driver.resume(run.id(), spec) : driver.drive(run.id(), spec);
            } catch (RuntimeException e) {
                LOG.error("run {} stopped by an internal error", run.id(), e);
            } finally {
                driving.remove(run.id());
            }
            if (finished != null && !driver.detached()) {
                try {
                    Failures.gaps(store, finished, spec.playbook(), finished.kind().wireName(), clock.instant()).forEach(gate::recordGap);
                    ended.ended(finished, spec);
                } catch (RuntimeException e) {
                    LOG.error("after run {} ended", run.id(), e);
                }
            }
            reconsiderSoon();
        });
    }

    /**
     * At start: takes over the runs that a killed `sluice run` was driving (those running whose
     * driving process is gone) and those of servers gone meanwhile ({@link #takeOverFrom}, also
     * called on every beat). Then looks at the queued and waiting ones.
     */
    void recover() {
        for (RunRecord run : store.runsIn(EnumSet.of(RunState.RUNNING))) {
            // on a shared database a dev run may be driven by a `sluice run` on another machine, whose pid means nothing here
            boolean devRun = run.kind() == RunKind.DEV || run.kind() == RunKind.TEST;
            if (run.owner().isPresent() || fleet.shared() && devRun || driverAlive(run)) {
                continue;
            }
            try {
                // claimed like a queued run (the owner is empty), so that two servers do not both take it
                if (fleetStore.adopt(run.id(), fleet.id())) {
                    start(run, specs.forRun(run), true);
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("cannot take over run {}", run.id(), e);
            }
        }
        reconsiderSoon();
    }

    /**
     * A server died (or stopped): its runs that had started go on here, re-attached to their
     * processes where this machine can see them; those it had claimed but not started are let go
     * for any server to claim. Each move is a conditional update, so one server takes each run.
     */
    void takeOverFrom(String dead) {
        if (stopping) {
            return;
        }
        boolean released = false;
        for (FleetStore.OwnedRun owned : fleetStore.unfinishedRunsOf(dead)) {
            if (owned.state() != RunState.RUNNING) {
                released |= fleetStore.release(owned.id(), dead);
                continue;
            }
            if (!fleetStore.takeOver(owned.id(), dead, fleet.id())) {
                continue;
            }
            RunRecord run = store.run(owned.id());
            LOG.warn("taking over run {} from server {}", run.id(), dead);
            try {
                start(run, specs.forRun(run), true);
            } catch (IOException | RuntimeException e) {
                LOG.error("cannot take over run {}", run.id(), e);
            }
        }
        if (released) {
            reconsiderSoon();
        }
    }

    private boolean driverAlive(RunRecord run) {
        Optional<RunStore.Driver> driver = store.driverOf(run.id());
        return driver.isPresent() && driver.get().pid() != ProcessHandle.current().pid()
                && ProcTable.isAlive(driver.get().pid(), driver.get().startTime());
    }

    /** On every beat: a cancel asked through another server reaches the run here; runs created elsewhere are looked at. */
    void afterBeat() {
        if (stopping) {
            return;
        }
        for (FleetStore.OwnedRun owned : fleetStore.unfinishedRunsOf(fleet.id())) {
            Driving d = driving.get(owned.id());
            if (owned.cancelRequested() && d != null) {
                d.driver().cancel("cancelled through another server");
            }
        }
        if (fleet.shared()) {
            reconsiderSoon();
        }
    }

    /** Asks a run to stop; false when no run of this server is driving it. */
    boolean cancel(String runId, String cause) {
        Driving d = driving.get(runId);
        if (d == null) {
            return false;
        }
        d.driver().cancel(cause);
        return true;
    }

    boolean isDriving(String runId) {
        return driving.containsKey(runId);
    }

    int active() {
        return driving.size();
    }

    /**
     * Clean shutdown: no new runs start, and the server lets go of the running ones without
     * stopping their processes; the launcher keeps recording their ends, and the next server
     * start takes them over as after a crash.
     */
    void stop(java.time.Duration wait) {
        stopping = true;
        admissionThread.shutdownNow();
        driving.values().forEach(d -> d.driver().detach());
        long deadline = System.nanoTime() + wait.toNanos();
        while (!driving.isEmpty() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }
}
