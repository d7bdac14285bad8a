package io.sluice.engine;

import io.sluice.definition.Pipeline;
import io.sluice.definition.Resources;
import io.sluice.definition.Task;
import io.sluice.definition.TaskDefaults;
import io.sluice.executor.LocalExecutor;
import io.sluice.executor.LocalSandbox;
import io.sluice.executor.ProcTable;
import io.sluice.executor.ProcessSpec;
import io.sluice.executor.ProcessSweeper;
import io.sluice.executor.SweptProcess;
import io.sluice.executor.TaskProcess;
import io.sluice.playbook.Failure;
import io.sluice.playbook.FailureKind;
import io.sluice.playbook.PlaybookEntry;
import io.sluice.playbook.PlaybookMatcher;
import io.sluice.run.Command;
import io.sluice.run.Decision;
import io.sluice.run.RunDecider;
import io.sluice.run.RunEvent;
import io.sluice.run.RunState;
import io.sluice.run.RunView;
import io.sluice.run.Step;
import io.sluice.run.StepState;
import io.sluice.run.TaskEvent;
import io.sluice.run.TaskState;
import io.sluice.run.WaitReason;
import io.sluice.store.AttemptRecord;
import io.sluice.store.RunRecord;
import io.sluice.store.RunStore;
import io.sluice.store.RunWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one run to its end: asks {@link RunDecider} what to do, makes each state change durable
 * in one transaction, then acts (starts or stops processes), and waits for the next event: a
 * process ended, a timer came due, or a cancel was asked for. One thread owns all of the run's state.
 */
public final class RunDriver {
    private static final Logger LOG = LoggerFactory.getLogger(RunDriver.class);
    /** Even with nothing due, the loop looks again this often: the safety net, not the engine. */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * How long a started process's pid may wait to be written with the next transaction. A crash
     * meanwhile loses only the pid: a restart finds the process by its marker instead.
     */
    private static final long PID_RECORD_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final RunStore store;
    private final SluiceHome home;
    private final LocalExecutor executor;
    private final Clock clock;
    private final RunListener listener;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    private String runId;
    /** The run's round: 1, plus one per clear. Setup and teardown attempts carry it as their number. */
    private int round = 1;
    private RunSpec spec;
    private RunJournal journal;
    private TaskEnvironment environment;
    private TaskEnvironment.RunContext context;
    private RunState state;
    private LiveStep setup;
    private LiveStep teardown;
    private final Map<String, LiveTask> tasks = new LinkedHashMap<>();
    private Map<String, Integer> positions;
    private int[][] needPositions;
    private Map<String, String> setupEnv = Map.of();
    private boolean cancelRequested;
    private boolean timedOut;
    private boolean runTimingOut;
    private String cancelCause = "cancelled";
    private LocalSandbox sandbox;
    private int activeProcesses;
    private long activeSince;
    private long runningNanos;
    private Consumer<Path> beforeWorkspaceRemoval = p -> { };
    private Map<String, String> processEnvironment = System.getenv();
    private Admission admission;
    /** The run's tasks on Kubernetes, or null when they run here. */
    private PodTasks pods;
    /** Why the run's namespace could not be made: its tasks fail to start with this. */
    private Optional<String> podsBroken = Optional.empty();
    private TaskEnvironment podEnvironment;
    private final List<String> secrets = new ArrayList<>();
    /** Session ids (= leader pids) of this run's commands, to recognise orphans that dropped their marker. */
    private final java.util.Set<Long> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Processes that outlived the task that started them (setup's services are not counted). */
    private final List<SweptProcess> leftovers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * A process of the run ended. {@code name} is a task id or _setup/_teardown; {@code process}
     * is the one the launcher reported on (null when none was started, or on a cluster).
     */
    private record Exited(String name, int attempt, int exitCode, List<SweptProcess> swept, TaskProcess process) {
        Exited(String name, int attempt, int exitCode, List<SweptProcess> swept) {
            this(name, attempt, exitCode, swept, null);
        }
    }

    /**
     * Processes whose end has been handled: once the next transaction has committed their exit
     * status, the launcher is told, and writes no exit file for them.
     */
    private final List<TaskProcess> exitsToAcknowledge = new ArrayList<>();

    private record CancelAsked(String cause) {
    }

    /** Capacity or a pool slot freed up elsewhere: look again. */
    private record Wake() {
    }

    /** The server is shutting down: stop driving, leave the processes and the state as they are. */
    private record Detach() {
    }

    private volatile boolean detached;

    /**
     * Stops driving the run without touching it: its processes keep running and the next Sluice
     * process to start takes it over (see {@link #resume}). Thread-safe.
     */
    public void detach() {
        events.add(new Detach());
    }

    public boolean detached() {
        return detached;
    }

    public RunDriver(RunStore store, SluiceHome home, LocalExecutor executor, Clock clock, RunListener listener) {
        this.store = store;
        this.home = home;
        this.executor = executor;
        this.clock = clock;
        this.listener = listener;
    }

    /** Called with the workspace just before it is deleted; tests check their expected files here. */
    public RunDriver beforeWorkspaceRemoval(Consumer<Path> hook) {
        this.beforeWorkspaceRemoval = hook;
        return this;
    }

    /** Shares capacity and pools with other runs (the server); without it the run has the machine to itself. */
    public RunDriver withAdmission(Admission value) {
        this.admission = value;
        return this;
    }

    private Optional<String> owner = Optional.empty();

    /**
     * Drives the run as the server {@code serverId}, one of several on a shared database: every
     * decision first checks that the run is still this server's, and lets go of it (as on
     * {@link #detach}) when another server has taken it over.
     */
    public RunDriver withOwner(String serverId) {
        this.owner = Optional.of(serverId);
        return this;
    }

    /** The environment tasks inherit (SPEC §3): Sluice's own, unless a test gives another. */
    public RunDriver withEnvironment(Map<String, String> environment) {
        this.processEnvironment = Map.copyOf(environment);
        return this;
    }

    /** Asks the run to stop: running processes are stopped, teardown runs, the run ends cancelled. Thread-safe. */
    public void cancel(String cause) {
        events.add(new CancelAsked(cause));
    }

    /** Drives the queued run {@code id} of {@code spec} until it ends, and returns its final record. */
    public RunRecord drive(String id, RunSpec runSpec) {
        return drive(id, runSpec, false);
    }

    /**
     * Takes over a run that an earlier Sluice process was driving when it died: its state comes
     * from the store; tasks whose processes still live are adopted (by pid and start time) and
     * finish normally; those that ended meanwhile get their recorded exit status; those with
     * neither fail with cause {@code lost}, and their declared retries apply. Teardown still runs
     * exactly once when due.
     */
    public RunRecord resume(String id, RunSpec runSpec) {
        return drive(id, runSpec, true);
    }

    private RunRecord drive(String id, RunSpec runSpec, boolean resuming) {
        this.runId = id;
        this.spec = runSpec;
        this.journal = new RunJournal(home.journal(id), clock);
        RunRecord record = store.run(id);
        this.state = record.state();
        this.round = record.round();
        Pipeline pipeline = spec.pipeline();
        TaskDefaults defaults = pipeline.defaults();
        this.setup = new LiveStep(pipeline.environment().setup(), defaults.timeout(), record.setupState());
        this.teardown = new LiveStep(pipeline.environment().teardown(), defaults.timeout(), record.teardownState());
        // each task's id as one String object, which its dependants' needs share: the decider looks
        // needs up on every event, and equal strings that are the same object compare at once
        Map<String, String> inRun = new java.util.HashMap<>();
        List<io.sluice.store.TaskRecord> stored = store.tasks(id);
        stored.forEach(t -> inRun.put(t.taskId(), t.taskId()));
        Map<String, Task> byId = new java.util.HashMap<>();
        pipeline.tasks().forEach(t -> byId.put(t.id(), t));
        boolean onCluster = pipeline.environment().executor() == io.sluice.definition.ExecutorKind.KUBERNETES;
        // on a cluster, a task may ask for more than this machine has
        Resources cap = onCluster ? new Resources(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4) : spec.capacity();
        for (io.sluice.store.TaskRecord r : stored) {
            Task task = byId.get(r.taskId());
            List<String> needs = task.needs().stream().map(inRun::get).filter(java.util.Objects::nonNull).toList();
            LiveTask live = new LiveTask(r.taskId(), task.run(), needs, r.attemptBase() + defaults.retriesOf(task) + 1,
                    defaults.resourcesOf(task).cappedAt(cap), defaults.timeoutOf(task), defaults.retryDelayOf(task),
                    task.pool(), task.priority().orElse(pipeline.priority()));
            // a cleared run keeps what succeeded and its attempt numbers; a new run has neither
            live.attempts = r.attempts();
            if (r.state() == TaskState.SUCCEEDED) {
                live.state = TaskState.SUCCEEDED;
            }
            tasks.put(r.taskId(), live);
        }
        List<String> warnings = new ArrayList<>();
        this.environment = new TaskEnvironment(processEnvironment, pipeline, spec.extraEnv(), warnings);
        pipeline.secrets().forEach(s -> Optional.ofNullable(processEnvironment.get("SLUICE_SECRET_" + s)).ifPresent(secrets::add));
        warnings.forEach(this::note);
        this.context = new TaskEnvironment.RunContext(pipeline.id(), id, spec.logicalDate(), spec.interval(),
                home.workspace(id), home.workspace(id).resolve(".sluice").resolve("tmp"), spec.params());
        if (admission == null) {
            admission = Admission.machine(spec.capacity());
        }
        if (onCluster) {
            try {
                pods = PodTasks.of(spec, id, processEnvironment);
                podEnvironment = TaskEnvironment.forPods(processEnvironment, pipeline, spec.extraEnv());
                admission = ClusterAdmission.around(admission);
            } catch (IOException | RuntimeException e) {
                podsBroken = Optional.of("cannot run tasks on Kubernetes: " + e.getMessage());
                note(podsBroken.get());
            }
        }
        admission.onFree(id, () -> events.add(new Wake()));
        try {
            if (resuming) {
                restore(record, stored);
            }
            loop();
        } catch (io.sluice.store.RunTakenOverException e) {
            // another server judged this one dead and drives the run now: touch nothing
            detached = true;
            if (pods != null) {
                pods.detach();
            }
            journal.write("let go: " + e.getMessage());
            LOG.warn("letting go of run {}: {}", id, e.getMessage());
        } catch (RuntimeException e) {
            abandon(e);
            throw e;
        } finally {
            admission.forget(id);
        }
        return store.run(id);
    }

    /**
     * A bug stopped the loop: stop every process of the run and record the run as failed, so that
     * nothing keeps running unwatched and the run does not stay "running" for ever.
     */
    // ---- taking over after a crash ---------------------------------------------------------

    private void restore(RunRecord record, List<io.sluice.store.TaskRecord> stored) {
        cancelRequested = record.cancelRequested();
        timedOut = record.timedOut();
        journal.write("taken over after a restart");
        note("taking over run " + runId + " after a restart");
        if (pods != null && record.state() == RunState.RUNNING) {
            openPods();
        }
        Map<String, AttemptRecord> last = new java.util.HashMap<>();
        for (AttemptRecord a : store.attempts(runId)) {
            last.merge(a.taskId(), a, (x, y) -> y.attempt() >= x.attempt() ? y : x);
        }
        for (io.sluice.store.TaskRecord r : stored) {
            LiveTask t = tasks.get(r.taskId());
            t.state = r.state();
            t.attempts = r.attempts();
            t.waitingFor = r.waitReason();
            AttemptRecord a = last.get(t.id);
            if (a == null || a.attempt() != t.attempts) {
                continue;
            }
            if (t.state == TaskState.RUNNING) {
                t.process = pods != null ? adoptPod(t.id, a) : adopt(t.id, a);
                t.alive = true;
                t.startedNanos = System.nanoTime() - Duration.between(a.startedAt(), clock.instant()).toNanos();
                if (t.resources.milliCpus() > 0 || t.resources.memoryBytes() > 0) {
                    // it runs, fitting or not: counted as held (asking could leave it waiting behind itself)
                    admission.adopt(runId, t.id, t.resources, t.pool);
                    t.holdsAdmission = true;
                }
            } else if (a.endedAt().isEmpty() || t.state == TaskState.RETRYING) {
                // it was being stopped (timeout, cancel) when Sluice died: finish stopping it
                if (pods != null) {
                    try {
                        pods.deleteJob(t.id, a.attempt());
                    } catch (RuntimeException e) {
                        note(e.getMessage());
                    }
                } else {
                    ProcessSweeper.sweepAll(runId + "/" + t.id + "/" + a.attempt()).forEach(p -> note("sweep: killed " + p.describe()));
                }
            }
        }
        if (setup.state == StepState.RUNNING) {
            setup.process = adoptStep(AttemptRecord.SETUP, last);
            processStarted();
        }
        if (teardown.state == StepState.RUNNING) {
            teardown.process = adoptStep(AttemptRecord.TEARDOWN, last);
        }
        if (setup.state == StepState.SUCCEEDED) {
            List<String> warnings = new ArrayList<>();
            setupEnv = SetupEnv.read(home.workspace(runId).resolve(".sluice").resolve("env"), warnings);
        }
        if (record.state() == RunState.RUNNING && !Files.isDirectory(home.workspace(runId))) {
            note("the workspace of run " + runId + " is gone; tasks that have not run yet get a fresh copy");
            createWorkspace();
        }
        long alive = tasks.values().stream().filter(t -> t.alive).count();
        for (long i = 0; i < alive; i++) {
            processStarted();
        }
    }

    private TaskProcess adoptStep(String name, Map<String, AttemptRecord> last) {
        AttemptRecord a = last.get(name);
        if (a == null) {
            events.add(new Exited(name, round, LocalExecutor.LOST, List.of()));
            return null;
        }
        return adopt(name, a);
    }

    /** Follows the Job of an attempt started before the restart; a Job that is gone ends the attempt as lost. */
    private TaskProcess adoptPod(String name, AttemptRecord a) {
        int attempt = a.attempt();
        TaskProcess process = pods.adopt(name, attempt, Path.of(a.logPath()));
        journal.write(name + " attempt " + attempt + ": following its Job in namespace " + pods.namespace());
        process.gone().whenComplete((gone, error) -> events.add(new Exited(name, attempt,
                gone == null ? LocalExecutor.LOST : gone.exitCode(), List.of())));
        return process;
    }

    /** Adopts the attempt's process, or reports its end at once if it has ended or is lost. */
    private TaskProcess adopt(String name, AttemptRecord a) {
        String marker = runId + "/" + name + "/" + a.attempt();
        long pid = a.pid().orElse(-1L);
        String start = a.pidStart().orElse("");
        if (pid <= 0) {
            // a crash between recording the start and the pid: find the leader by its marker
            for (long candidate : ProcTable.pids()) {
                if (ProcTable.sessionOf(candidate) == candidate
                        && ProcTable.environmentValue(candidate, ProcessSweeper.MARKER).filter(marker::equals).isPresent()) {
                    pid = candidate;
                    start = ProcTable.startTime(candidate).orElse("");
                }
            }
        }
        TaskProcess process = executor.adopt(pid, start, marker, Path.of(a.exitPath()));
        journal.write(name + " attempt " + a.attempt() + (ProcTable.isAlive(pid, start) ? ": adopted pid " + pid : ": not running"));
        int attempt = a.attempt();
        process.gone().whenComplete((gone, error) -> events.add(new Exited(name, attempt,
                gone == null ? LocalExecutor.LOST : gone.exitCode(), gone == null ? List.of() : gone.swept())));
        return process;
    }

    /** Teardown is due whenever the run started, even when a bug stopped it: run it once, and wait for it. */
    private void tearDownAfterError() {
        if (teardown.state != StepState.PENDING || state == RunState.QUEUED || teardown.command.isEmpty()) {
            return;
        }
        try {
            Map<String, String> env = environment.forProcess(context, Step.TEARDOWN.wireName(), round, setupEnv);
            TaskProcess process = executor.start(new ProcessSpec(teardown.command.get(), home.workspace(runId), env,
                    home.log(runId, AttemptRecord.TEARDOWN, round), home.exitFile(runId, AttemptRecord.TEARDOWN, round),
                    runId + "/" + AttemptRecord.TEARDOWN + "/" + round, false));
            long minutes = teardown.timeout.map(Duration::toMinutes).orElse(10L);
            process.gone().get(Math.max(1, minutes), TimeUnit.MINUTES);
            note("teardown ran after the internal error");
        } catch (Exception e) {
            note("teardown after the internal error failed: " + e);
        }
    }

    private void abandon(RuntimeException cause) {
        LOG.error("run {} stopped by an internal error", runId, cause);
        note("internal error, the run is abandoned: " + cause);
        for (LiveTask t : tasks.values()) {
            stopTask(t);
        }
        stop(setup.process);
        tearDownAfterError();
        ProcessSweeper.sweepAll(runId + "/").forEach(p -> note("sweep: killed " + p.describe()));
        try {
            write(w -> w.abandonRun(runId, "internal error: " + cause.getMessage()));
            LocalSandbox.deleteTree(home.workspace(runId));
            closePods();
        } catch (RuntimeException | IOException e) {
            LOG.error("could not record the end of run {}", runId, e);
        }
    }

    private void loop() {
        int idleRounds = 0;
        while (true) {
            if (detached) {
                return;
            }
            long now = System.nanoTime();
            Decision decision = RunDecider.decide(view(now), now);
            List<Command> admitted = admit(decision.commands());
            if (!admitted.isEmpty()) {
                if (++idleRounds > 10_000) {
                    throw new IllegalStateException("run " + runId + " keeps deciding without progress: " + admitted);
                }
                apply(admitted, now);
                if (state.isTerminal()) {
                    finish();
                    return;
                }
                continue;
            }
            idleRounds = 0;
            long wait = Math.min(decision.wakeAtNanos().orElse(Long.MAX_VALUE) - now, IDLE_NANOS);
            // New processes' pids go with the next transaction (a short task's end, usually), or
            // after a moment without one: not in a transaction of their own while the task runs.
            if (!unrecorded.isEmpty()) {
                long due = unrecordedSince + PID_RECORD_NANOS - now;
                if (due <= 0) {
                    write(w -> recordProcesses(w, true));
                } else {
                    wait = Math.min(wait, due);
                }
            }
            try {
                Object event = events.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
                while (event != null) {
                    handle(event);
                    event = events.poll();
                }
            } catch (InterruptedException e) {
                handle(new CancelAsked("interrupted"));
            }
        }
    }

    /**
     * Asks admission for each task the decider wants to start: one that may not start waits
     * instead (for capacity or a pool), or, if it waits already, stays as it is.
     */
    private List<Command> admit(List<Command> commands) {
        List<Command> admitted = new ArrayList<>(commands.size());
        for (Command c : commands) {
            if (c instanceof Command.StartTask s) {
                LiveTask t = tasks.get(s.task());
                Optional<io.sluice.run.WaitReason> refused = admission.acquire(runId, t.id, t.resources, t.pool, t.priority);
                if (refused.isPresent()) {
                    if (t.state != TaskState.WAITING) {
                        admitted.add(new Command.WaitTask(t.id, refused.get()));
                    }
                    continue;
                }
                t.holdsAdmission = true;
            }
            admitted.add(c);
        }
        return admitted;
    }

    private RunView view(long now) {
        long running = runningNanos + (activeProcesses > 0 ? now - activeSince : 0);
        List<io.sluice.run.TaskView> views = new ArrayList<>(tasks.size());
        for (LiveTask t : tasks.values()) {
            views.add(t.view());
        }
        if (positions == null) {
            positions = RunView.positionsOf(views);
            needPositions = RunView.needPositionsOf(views, positions);
        }
        io.sluice.definition.Resources held = io.sluice.definition.Resources.NONE;
        for (LiveTask t : tasks.values()) {
            if (t.alive) {
                held = held.plus(t.resources);
            }
        }
        return new RunView(positions, needPositions, state, setup.view(), teardown.view(), views,
                running, spec.pipeline().timeout(), cancelRequested, timedOut, admission.capacityFor(runId, held));
    }

    // ---- events -------------------------------------------------------------------------------

    private void handle(Object event) {
        if (event instanceof CancelAsked c) {
            if (!cancelRequested) {
                cancelRequested = true;
                cancelCause = c.cause();
                write(w -> w.requestCancel(runId));
                note("cancel requested: " + c.cause());
            }
        } else if (event instanceof Wake) {
            return; // only to decide again
        } else if (event instanceof Detach) {
            detached = true;
            if (pods != null) {
                pods.detach();
            }
        } else if (event instanceof Exited e) {
            if (e.process() != null) {
                exitsToAcknowledge.add(e.process());
            }
            e.swept().forEach(p -> note("sweep: killed " + p.describe()));
            if (!e.name().startsWith("_")) {
                leftovers.addAll(e.swept());
            }
            if (!e.name().equals(AttemptRecord.TEARDOWN)) {
                processEnded(); // teardown does not count toward the run timeout
            }
            if (e.name().equals(AttemptRecord.SETUP) || e.name().equals(AttemptRecord.TEARDOWN)) {
                stepEnded(e.name().equals(AttemptRecord.SETUP) ? Step.SETUP : Step.TEARDOWN, e);
            } else {
                taskEnded(e);
            }
        }
    }

    private void taskEnded(Exited e) {
        LiveTask task = tasks.get(e.name());
        if (task == null || task.attempts != e.attempt()) {
            return; // a late exit of an older attempt; its state was settled when it was stopped
        }
        task.alive = false;
        task.lastExit = e.exitCode();
        if (task.holdsAdmission) {
            task.holdsAdmission = false;
            admission.release(runId, task.id, task.resources, task.pool);
        }
        SecretMask.apply(home.log(runId, task.id, e.attempt()), secrets);
        if (task.state.isTerminal() || task.state == TaskState.RETRYING) {
            // stopped on timeout or cancel: its state was recorded then; now record how the process ended
            write(w -> {
                w.endAttempt(runId, task.id, e.attempt(), Optional.of(e.exitCode()), outcomeOf(task.state), Optional.empty());
                if (task.state.isTerminal()) {
                    w.taskExitCode(runId, task.id, e.exitCode());
                }
            });
        }
    }

    private void stepEnded(Step step, Exited e) {
        LiveStep live = step == Step.SETUP ? setup : teardown;
        String name = step == Step.SETUP ? AttemptRecord.SETUP : AttemptRecord.TEARDOWN;
        StepState to = e.exitCode() == 0 && !live.killRequested ? StepState.SUCCEEDED : StepState.FAILED;
        SecretMask.apply(home.log(runId, name, round), secrets);
        Optional<PlaybookEntry> entry = Optional.empty();
        if (to == StepState.FAILED) {
            FailureKind kind = step == Step.SETUP ? FailureKind.SETUP_FAILED : FailureKind.TEARDOWN_FAILED;
            entry = match(Optional.empty(), kind, Optional.of(e.exitCode()), home.log(runId, name, round));
        }
        Optional<String> entryTitle = entry.map(PlaybookEntry::title);
        String cause = live.killRequested ? live.killCause : "exit " + e.exitCode();
        write(w -> {
            w.stepState(runId, step, StepState.RUNNING, to);
            w.endAttempt(runId, name, round, Optional.of(e.exitCode()), to == StepState.SUCCEEDED ? "succeeded" : "failed", entryTitle);
        });
        live.state = to;
        live.process = null;
        if (step == Step.SETUP && to == StepState.SUCCEEDED) {
            List<String> warnings = new ArrayList<>();
            setupEnv = SetupEnv.read(home.workspace(runId).resolve(".sluice").resolve("env"), warnings);
            warnings.forEach(this::note);
        }
        journal.write(step.wireName() + " " + to.name().toLowerCase() + " (" + cause + ")");
        listener.stepChanged(step, to, cause + entryTitle.map(t -> "; playbook: " + t).orElse(""));
    }

    // ---- commands -----------------------------------------------------------------------------

    private void apply(List<Command> commands, long now) {
        // causes written in this transaction must already know that the run is timing out
        runTimingOut = timedOut || commands.stream().anyMatch(c -> c instanceof Command.TimeOutRun);
        Map<String, Optional<PlaybookEntry>> matches = new LinkedHashMap<>();
        for (Command c : commands) {
            if (c instanceof Command.FailTask f) {
                matches.put(f.task(), match(Optional.of(f.task()), FailureKind.FAILED,
                        Optional.of(f.exitCode()), lastLog(f.task())));
            } else if (c instanceof Command.RetryTask r) {
                matches.put(r.task(), match(Optional.of(r.task()),
                        r.timedOut() ? FailureKind.TIMED_OUT : FailureKind.FAILED,
                        Optional.ofNullable(r.exitCode()), lastLog(r.task())));
            } else if (c instanceof Command.TimeOutTask t) {
                matches.put(t.task(), match(Optional.of(t.task()), FailureKind.TIMED_OUT,
                        Optional.empty(), lastLog(t.task())));
            }
        }
        List<TaskProcess> recorded = writeUnacknowledged(w -> {
            owner.ifPresent(o -> w.expectOwner(runId, o));
            commands.forEach(c -> record(w, c, matches));
            recordProcesses(w); // those the ends above did not record
        });
        List<Runnable> notifications = new ArrayList<>();
        for (Command c : commands) {
            act(c, now, matches, unrecorded, notifications);
        }
        notifications.forEach(Runnable::run);
        // once the next commands have started: the launcher need not hear of the ends before them
        acknowledge(recorded);
    }

    /**
     * The durable half of a command: runs inside the decision's transaction. Here and in
     * {@link #act}, a chain of {@code instanceof} rather than a pattern switch over the sealed
     * {@link Command}: such a switch has the JDK generate a class at its first use (with the
     * class-file API, whose code is then interpreted and compiled), which no AOT cache keeps, in
     * every {@code sluice run}. A command added to Command and not here ends in the last else.
     */
    private void record(RunWriter w, Command command, Map<String, Optional<PlaybookEntry>> matches) {
        if (command instanceof Command.StartRun) {
            w.runEvent(runId, state, RunEvent.START, "started");
            w.setWorkspace(runId, home.workspace(runId).toString());
            ProcessHandle self = ProcessHandle.current();
            w.setDriver(runId, self.pid(), ProcTable.startTime(self.pid()).orElse(""));
        } else if (command instanceof Command.StartStep s) {
            String name = s.step() == Step.SETUP ? AttemptRecord.SETUP : AttemptRecord.TEARDOWN;
            w.stepState(runId, s.step(), StepState.PENDING, StepState.RUNNING);
            w.startAttempt(runId, name, round, home.log(runId, name, round).toString(), home.exitFile(runId, name, round).toString());
        } else if (command instanceof Command.SkipStep s) {
            w.stepState(runId, s.step(), StepState.PENDING, StepState.SKIPPED);
        } else if (command instanceof Command.KillStep) {
            // the step's end (failed) is recorded when its process is gone
        } else if (command instanceof Command.StartTask s) {
            LiveTask t = tasks.get(s.task());
            w.taskEvent(runId, s.task(), t.state, TaskEvent.START, s.attempt(), "attempt " + s.attempt(), Optional.empty(), Optional.empty());
            w.startAttempt(runId, s.task(), s.attempt(), home.log(runId, s.task(), s.attempt()).toString(),
                    home.exitFile(runId, s.task(), s.attempt()).toString());
        } else if (command instanceof Command.WaitTask wt) {
            w.taskEvent(runId, wt.task(), tasks.get(wt.task()).state, TaskEvent.WAIT,
                    tasks.get(wt.task()).attempts, "waiting for " + wt.reason().wireName(), Optional.of(wt.reason()), Optional.empty());
        } else if (command instanceof Command.SucceedTask s) {
            LiveTask t = tasks.get(s.task());
            w.taskEvent(runId, s.task(), t.state, TaskEvent.SUCCEED, t.attempts, "exit 0", Optional.empty(), Optional.of(0));
            endAttempt(w, s.task(), t.attempts, Optional.of(0), "succeeded", Optional.empty());
        } else if (command instanceof Command.FailTask f) {
            LiveTask t = tasks.get(f.task());
            w.taskEvent(runId, f.task(), t.state, TaskEvent.FAIL, t.attempts, exitCause(f.exitCode()), Optional.empty(),
                    f.exitCode() == LocalExecutor.LOST ? Optional.empty() : Optional.of(f.exitCode()));
            endAttempt(w, f.task(), t.attempts, Optional.of(f.exitCode()), "failed", matches.get(f.task()).map(PlaybookEntry::title));
        } else if (command instanceof Command.RetryTask r) {
            LiveTask t = tasks.get(r.task());
            String cause = (r.timedOut() ? "timed out after " + io.sluice.definition.Durations.format(t.timeout.orElseThrow())
                    : exitCause(r.exitCode())) + "; retry in " + io.sluice.definition.Durations.format(t.retryDelay);
            w.taskEvent(runId, r.task(), t.state, TaskEvent.RETRY, t.attempts, cause, Optional.empty(), Optional.ofNullable(r.exitCode()));
            endAttempt(w, r.task(), t.attempts, Optional.ofNullable(r.exitCode()), r.timedOut() ? "timed_out" : "failed",
                    matches.get(r.task()).map(PlaybookEntry::title));
        } else if (command instanceof Command.TimeOutTask to) {
            LiveTask t = tasks.get(to.task());
            String cause = runTimingOut ? "run timed out" : "timed out after " + t.timeout.map(io.sluice.definition.Durations::format).orElse("?");
            w.taskEvent(runId, to.task(), t.state, TaskEvent.TIME_OUT, t.attempts, cause, Optional.empty(), Optional.empty());
            w.endAttempt(runId, to.task(), t.attempts, Optional.empty(), "timed_out", matches.get(to.task()).map(PlaybookEntry::title));
        } else if (command instanceof Command.UpstreamFailTask u) {
            w.taskEvent(runId, u.task(), tasks.get(u.task()).state, TaskEvent.UPSTREAM_FAIL,
                    tasks.get(u.task()).attempts, u.cause(), Optional.empty(), Optional.empty());
        } else if (command instanceof Command.CancelTask ct) {
            LiveTask t = tasks.get(ct.task());
            String cause = ct.cause().equals("run cancelled") ? cancelCause : ct.cause();
            w.taskEvent(runId, ct.task(), t.state, TaskEvent.CANCEL, t.attempts, cause, Optional.empty(), Optional.empty());
            if (t.state == TaskState.RUNNING) {
                w.endAttempt(runId, ct.task(), t.attempts, Optional.empty(), "cancelled", Optional.empty());
            }
        } else if (command instanceof Command.TimeOutRun) {
            w.markTimedOut(runId);
        } else if (command instanceof Command.FinishRun f) {
            w.runEvent(runId, state, eventFor(f.state()), f.state() == RunState.CANCELLED ? cancelCause : f.reason());
        } else {
            throw new IllegalStateException("a command the driver does not know: " + command);
        }
    }

    private record Spawned(String name, int attempt, TaskProcess process) {
    }

    /**
     * Processes started but not yet recorded with their pid. They are written with the next
     * transaction, or {@link #PID_RECORD_NANOS} after they started: a crash before that loses only
     * the pid, and a restart finds such a process by its marker instead.
     */
    private final List<Spawned> unrecorded = new ArrayList<>();
    /** When the oldest of {@link #unrecorded} was started (monotonic). */
    private long unrecordedSince;

    private void recordProcesses(RunWriter w) {
        recordProcesses(w, false);
    }

    /**
     * Ends an attempt. A short task has usually ended before its pid was written (that waits for
     * the next transaction): the pid then goes with the end, in the same statement.
     */
    private void endAttempt(RunWriter w, String task, int attempt, Optional<Integer> exit, String outcome, Optional<String> entry) {
        for (java.util.Iterator<Spawned> i = unrecorded.iterator(); i.hasNext() ; ) {
            Spawned s = i.next();
            if (s.attempt == attempt && s.name.equals(task) && s.process.identityKnown()) {
                i.remove();
                if (s.process.pid() > 0) {
                    w.endAttempt(runId, task, attempt, exit, outcome, entry, s.process.pid(), s.process.startTime());
                    return;
                }
                break;
            }
        }
        w.endAttempt(runId, task, attempt, exit, outcome, entry);
    }

    /**
     * Writes the pids the launcher has reported; with {@code all}, waits for the others too. A
     * decision's transaction does not wait: the launcher may not have answered for a process it
     * was asked for a moment ago, and those pids go with a later transaction.
     */
    private void recordProcesses(RunWriter w, boolean all) {
        for (java.util.Iterator<Spawned> i = unrecorded.iterator(); i.hasNext(); ) {
            Spawned s = i.next();
            if (!all && !s.process.identityKnown()) {
                continue;
            }
            long pid = s.process.pid();
            if (pid > 0) {
                w.attemptProcess(runId, s.name, s.attempt, pid, s.process.startTime());
            }
            i.remove();
        }
    }

    /** One transaction; then the launcher hears which ends it made durable (they were handled before it). */
    private void write(Consumer<RunWriter> work) {
        acknowledge(writeUnacknowledged(work));
    }

    /** One transaction; returns the ends it made durable, for the launcher to hear of (see {@link #acknowledge}). */
    private List<TaskProcess> writeUnacknowledged(Consumer<RunWriter> work) {
        List<TaskProcess> recorded = exitsToAcknowledge.isEmpty() ? List.of() : new ArrayList<>(exitsToAcknowledge);
        store.write(work);
        exitsToAcknowledge.removeAll(recorded);
        return recorded;
    }

    private void acknowledge(List<TaskProcess> recorded) {
        recorded.forEach(executor::exitRecorded);
    }

    /** The acting half of a command, after its state change is committed. */
    private void act(Command command, long now, Map<String, Optional<PlaybookEntry>> matches, List<Spawned> spawned,
                     List<Runnable> notifications) {
        if (command instanceof Command.StartRun) {
            state = RunState.RUNNING;
            createWorkspace();
            notifications.add(() -> listener.runChanged(runId, RunState.RUNNING, "started"));
        } else if (command instanceof Command.StartStep s) {
            LiveStep live = s.step() == Step.SETUP ? setup : teardown;
            String name = s.step() == Step.SETUP ? AttemptRecord.SETUP : AttemptRecord.TEARDOWN;
            live.state = StepState.RUNNING;
            live.startedNanos = now;
            Map<String, String> env = environment.forProcess(context, s.step().wireName(), round, setupEnv);
            if (pods != null) {
                env.put("SLUICE_K8S_NAMESPACE", pods.namespace());
            }
            if (s.step() == Step.SETUP) {
                env.put("SLUICE_ENV", home.workspace(runId).resolve(".sluice").resolve("env").toString());
            }
            live.process = spawn(name, round, live.command.orElseThrow(), env, s.step() == Step.SETUP, s.step() == Step.SETUP, spawned);
            journal.write(s.step().wireName() + " started");
            notifications.add(() -> listener.stepChanged(s.step(), StepState.RUNNING, ""));
        } else if (command instanceof Command.SkipStep s) {
            (s.step() == Step.SETUP ? setup : teardown).state = StepState.SKIPPED;
        } else if (command instanceof Command.KillStep k) {
            LiveStep live = k.step() == Step.SETUP ? setup : teardown;
            live.killRequested = true;
            live.killCause = k.cause();
            journal.write(k.step().wireName() + " stopped: " + k.cause());
            stop(live.process);
        } else if (command instanceof Command.StartTask s) {
            LiveTask t = tasks.get(s.task());
            t.state = TaskState.RUNNING;
            t.waitingFor = Optional.empty();
            t.attempts = s.attempt();
            t.startedNanos = now;
            t.killRequested = false;
            t.lastExit = null;
            if (pods != null || podsBroken.isPresent()) {
                t.process = spawnPod(t, s.attempt());
            } else {
                Map<String, String> env = environment.forProcess(context, t.id, s.attempt(), setupEnv);
                t.process = spawn(t.id, s.attempt(), t.command, env, true, false, spawned);
            }
            t.alive = true;
            notifications.add(() -> listener.taskChanged(t.id, TaskState.RUNNING, s.attempt(), ""));
        } else if (command instanceof Command.WaitTask wt) {
            LiveTask t = tasks.get(wt.task());
            t.state = TaskState.WAITING;
            t.waitingFor = Optional.of(wt.reason());
            notifications.add(() -> listener.taskChanged(t.id, TaskState.WAITING, t.attempts, wt.reason().wireName()));
        } else if (command instanceof Command.SucceedTask s) {
            settle(tasks.get(s.task()), TaskState.SUCCEEDED, "", notifications);
        } else if (command instanceof Command.FailTask f) {
            settle(tasks.get(f.task()), TaskState.FAILED,
                    "exit " + f.exitCode() + playbookNote(matches.get(f.task())), notifications);
        } else if (command instanceof Command.RetryTask r) {
            LiveTask t = tasks.get(r.task());
            t.retryAtNanos = r.retryAtNanos();
            if (r.kill()) {
                t.killRequested = true;
                stopping(t, "timed out after " + t.timeout.map(io.sluice.definition.Durations::format).orElse("?"));
                stopTask(t);
            }
            settle(t, TaskState.RETRYING, (r.timedOut() ? "timed out" : "exit " + r.exitCode())
                    + ", retry in " + io.sluice.definition.Durations.format(t.retryDelay), notifications);
        } else if (command instanceof Command.TimeOutTask to) {
            LiveTask t = tasks.get(to.task());
            t.killRequested = true;
            stopping(t, timedOut ? "the run timed out" : "timed out after " + t.timeout.map(io.sluice.definition.Durations::format).orElse("?"));
            stopTask(t);
            settle(t, TaskState.TIMED_OUT, (timedOut ? "run timed out" : "timed out") + playbookNote(matches.get(to.task())), notifications);
        } else if (command instanceof Command.UpstreamFailTask u) {
            settle(tasks.get(u.task()), TaskState.UPSTREAM_FAILED, u.cause(), notifications);
        } else if (command instanceof Command.CancelTask ct) {
            LiveTask t = tasks.get(ct.task());
            if (t.alive) {
                t.killRequested = true;
                stopping(t, ct.cause().equals("run cancelled") ? cancelCause : ct.cause());
                stopTask(t);
            }
            if (t.holdsAdmission) {
                // a cancelled task gives its capacity and pool slot back at once, not when its
                // process is finally gone (SIGKILL comes only after the grace period)
                t.holdsAdmission = false;
                admission.release(runId, t.id, t.resources, t.pool);
            }
            settle(t, TaskState.CANCELLED, ct.cause().equals("run cancelled") ? cancelCause : ct.cause(), notifications);
        } else if (command instanceof Command.TimeOutRun) {
            timedOut = true;
            journal.write("run timed out after " + spec.pipeline().timeout().map(io.sluice.definition.Durations::format).orElse("?"));
        } else if (command instanceof Command.FinishRun f) {
            state = f.state();
            String reason = f.state() == RunState.CANCELLED ? cancelCause : f.reason();
            journal.write("run " + f.state().wireName() + ": " + reason);
            notifications.add(() -> listener.runChanged(runId, f.state(), reason));
        } else {
            throw new IllegalStateException("a command the driver does not know: " + command);
        }
    }

    /** Says in the attempt's log and the run's journal why Sluice is stopping it, and how. */
    private void stopping(LiveTask t, String why) {
        String line = "sluice: " + why + (pods != null
                ? ": deleting its Job (its pod gets SIGTERM, SIGKILL after its grace period)"
                : ": SIGTERM to the task's process group, SIGKILL after " + io.sluice.definition.Durations.format(executor.killGrace()));
        appendToLog(home.log(runId, t.id, t.attempts), line);
        journal.write(t.id + " attempt " + t.attempts + ": " + why);
    }

    private void stopTask(LiveTask t) {
        if (pods != null && t.process != null) {
            pods.terminate(t.process);
        } else {
            stop(t.process);
        }
    }

    private void stop(TaskProcess process) {
        if (process != null) {
            executor.terminate(process);
        }
    }

    private void settle(LiveTask t, TaskState to, String detail, List<Runnable> notifications) {
        t.state = to;
        t.waitingFor = Optional.empty();
        int attempt = t.attempts;
        notifications.add(() -> listener.taskChanged(t.id, to, attempt, detail));
    }

    /** "exit 3", or "lost" for a process that ended with no status while Sluice was down. */
    private static String exitCause(Integer code) {
        if (code != null && code == LocalExecutor.LOST) {
            return "lost: its process ended while Sluice was down and left no exit status";
        }
        return "exit " + code;
    }

    private static String playbookNote(Optional<PlaybookEntry> entry) {
        return entry == null ? "" : entry.map(e -> "; playbook: " + e.title()).orElse("");
    }

    private static RunEvent eventFor(RunState state) {
        return switch (state) {
            case SUCCEEDED -> RunEvent.SUCCEED;
            case FAILED -> RunEvent.FAIL;
            case TIMED_OUT -> RunEvent.TIME_OUT;
            case CANCELLED -> RunEvent.CANCEL;
            case SKIPPED -> RunEvent.SKIP;
            default -> throw new IllegalArgumentException("not a final state: " + state);
        };
    }

    private static String outcomeOf(TaskState state) {
        return switch (state) {
            case TIMED_OUT -> "timed_out";
            case CANCELLED -> "cancelled";
            case RETRYING -> "failed";
            default -> state.wireName();
        };
    }

    // ---- processes and the workspace ----------------------------------------------------------

    private void createWorkspace() {
        if (pods != null) {
            openPods();
        }
        try {
            sandbox = LocalSandbox.create(home.workspace(runId), spec.files());
            journal.write("workspace " + sandbox.workspace());
        } catch (IOException e) {
            // no task can run without it: record why, and let every task fail to start
            journal.write("cannot create the workspace: " + e.getMessage());
            note("cannot create the workspace " + home.workspace(runId) + ": " + e.getMessage());
        }
    }

    private TaskProcess spawn(String name, int attempt, String command, Map<String, String> env, boolean countsAsRunning,
                              boolean keepsBackground, List<Spawned> spawned) {
        Path log = home.log(runId, name, attempt);
        Path exitFile = home.exitFile(runId, name, attempt);
        String marker = runId + "/" + name + "/" + attempt;
        if (countsAsRunning) {
            processStarted();
        }
        try {
            TaskProcess process = executor.start(new ProcessSpec(command, home.workspace(runId), env, log, exitFile, marker, keepsBackground));
            if (spawned.isEmpty()) {
                unrecordedSince = System.nanoTime();
            }
            spawned.add(new Spawned(name, attempt, process));
            if (!name.startsWith("_")) {
                // the leader's pid is its session id; known once the launcher has forked it
                process.whenStarted(sessions::add);
            }
            process.gone().whenComplete((gone, error) -> {
                int reported = gone == null ? 255 : gone.exitCode();
                // the launcher's answer is the exit file's content; only a launcher that died (255) leaves it to the file
                int exit = reported == 255 || reported == LocalExecutor.LOST ? readExitFile(exitFile).orElse(reported) : reported;
                events.add(new Exited(name, attempt, exit, gone == null ? List.of() : gone.swept(), process));
            });
            return process;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot start {} of run {}", name, runId, e);
            appendToLog(log, "sluice: cannot start the command: " + e.getMessage());
            events.add(new Exited(name, attempt, 127, List.of()));
            return null;
        }
    }

    /** Starts a task attempt as a Job in the run's namespace. */
    private TaskProcess spawnPod(LiveTask t, int attempt) {
        Path log = home.log(runId, t.id, attempt);
        processStarted();
        try {
            if (podsBroken.isPresent()) {
                throw new io.sluice.kubernetes.KubernetesException(podsBroken.get());
            }
            Map<String, String> env = podEnvironment.forProcess(context, t.id, attempt, setupEnv);
            env.put("SLUICE_K8S_NAMESPACE", pods.namespace());
            TaskProcess process = pods.start(t, attempt, env, log);
            journal.write(t.id + " attempt " + attempt + ": Job " + process.marker() + " in namespace " + pods.namespace());
            process.gone().whenComplete((gone, error) -> events.add(new Exited(t.id, attempt, gone == null ? 255 : gone.exitCode(), List.of())));
            return process;
        } catch (RuntimeException e) {
            LOG.warn("cannot start {} of run {} on Kubernetes", t.id, runId, e);
            appendToLog(log, "sluice: cannot start the task on Kubernetes: " + e.getMessage());
            events.add(new Exited(t.id, attempt, 127, List.of()));
            return null;
        }
    }

    /** Deletes the run's namespace and all in it; what cannot be deleted now, {@code sluice cleanup} finds. */
    private void closePods() {
        if (pods == null) {
            return;
        }
        try {
            pods.close();
            journal.write("namespace " + pods.namespace() + " deleted");
        } catch (RuntimeException e) {
            note(e.getMessage());
        }
    }

    /** Makes the run's namespace; if the cluster refuses, every task of the run fails to start and says why. */
    private void openPods() {
        try {
            pods.open();
            journal.write("namespace " + pods.namespace() + " ready");
        } catch (RuntimeException e) {
            podsBroken = Optional.of(e.getMessage());
            note(e.getMessage());
        }
    }

    private void processStarted() {
        if (activeProcesses++ == 0) {
            activeSince = System.nanoTime();
        }
    }

    private void processEnded() {
        if (activeProcesses > 0 && --activeProcesses == 0) {
            runningNanos += System.nanoTime() - activeSince;
        }
    }

    private static Optional<Integer> readExitFile(Path exitFile) {
        try {
            return Optional.of(Integer.parseInt(Files.readString(exitFile).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void appendToLog(Path log, String line) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // nothing more we can do; the journal says the start failed
        }
    }

    private Path lastLog(String task) {
        LiveTask t = tasks.get(task);
        return home.log(runId, task, Math.max(1, t.attempts));
    }

    private Optional<PlaybookEntry> match(Optional<String> task, FailureKind kind, Optional<Integer> exit, Path log) {
        String tail = LogTail.read(log, Failure.LOG_TAIL_BYTES);
        return PlaybookMatcher.match(spec.playbook(), new Failure(task, kind, exit, tail));
    }

    /** What this run's tasks left running, which Sluice had to kill; a test that leaves anything fails. */
    public List<SweptProcess> leftovers() {
        return List.copyOf(leftovers);
    }

    private void finish() {
        // orphans that dropped the marker are known by their session, or, when no other run's
        // command is running or starting on this executor, by having no marker at all
        List<SweptProcess> swept = new ArrayList<>();
        if (!executor.nothingLeft()) {
            swept.addAll(executor.killOrphans(o -> o.marker().map(m -> m.startsWith(runId + "/")).orElse(false)
                    || sessions.contains(o.session()), true));
            swept.addAll(ProcessSweeper.sweepAll(runId + "/"));
        }
        swept.forEach(p -> note("sweep: killed " + p.describe()));
        swept.stream().filter(p -> !p.marker().startsWith(runId + "/_")).forEach(leftovers::add);
        Path workspace = home.workspace(runId);
        try {
            if (Files.exists(workspace)) {
                beforeWorkspaceRemoval.accept(workspace);
            }
        } finally {
            try {
                LocalSandbox.deleteTree(workspace);
                journal.write("workspace removed");
            } catch (IOException e) {
                note("could not remove the workspace " + workspace + ": " + e.getMessage() + " (sluice cleanup finds it)");
            }
            closePods();
        }
    }

    private void note(String line) {
        journal.write(line);
        listener.note(line);
    }
}
