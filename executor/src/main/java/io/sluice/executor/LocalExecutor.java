package io.sluice.executor;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts commands as SPEC §3 says: {@code /bin/sh -c}, stdin from /dev/null, stdout and stderr
 * into one log, in a new session and process group of their own, with the exit status recorded in
 * a file next to the log, so that it survives the death of the Sluice process that started it
 * (see {@link ProcessLauncher}). Stopping sends SIGTERM to the whole group, then SIGKILL after a
 * grace period; whatever a command leaves behind is found by its marker and killed.
 */
public final class LocalExecutor implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalExecutor.class);
    /** SPEC §3: SIGKILL follows SIGTERM after 10 s. */
    public static final Duration KILL_GRACE = Duration.ofSeconds(10);
    /** Descendants of a short command all have younger pids, so a cheap scan finds them; longer ones get a full scan. */
    private static final Duration FULL_SWEEP_AFTER = Duration.ofSeconds(5);

    private final Duration killGrace;
    private final ProcessLauncher launcher;
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.locks.ReentrantReadWriteLock launching = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private final ScheduledExecutorService timers;

    public LocalExecutor() {
        this(KILL_GRACE);
    }

    public LocalExecutor(Duration killGrace) {
        this(killGrace, ProcessLauncher.detect());
    }

    LocalExecutor(Duration killGrace, ProcessLauncher launcher) {
        this.killGrace = killGrace;
        this.launcher = launcher;
        this.timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("sluice-kill-timer").factory());
    }

    public Duration killGrace() {
        return killGrace;
    }

    public TaskProcess start(ProcessSpec spec) throws IOException {
        if (!Files.isDirectory(spec.log().getParent())) {
            Files.createDirectories(spec.log().getParent()); // it throws and catches an exception when the directory exists
        }
        Map<String, String> env = new HashMap<>(spec.environment());
        env.put(ProcessSweeper.MARKER, spec.marker());
        long startedAt = System.nanoTime();
        ProcessLauncher.Launched launched;
        // counted as running from before the fork: until the launcher reports the child, it looks
        // like an orphan without a marker, which killOrphans must not take for a leftover
        launching.readLock().lock();
        try {
            running.incrementAndGet();
            try {
                launched = launcher.launch(new ProcessSpec(spec.command(), spec.workdir(), env, spec.log(),
                        spec.exitFile(), spec.marker(), spec.keepsBackground()));
            } catch (IOException | RuntimeException e) {
                running.decrementAndGet();
                throw e;
            }
        } finally {
            launching.readLock().unlock();
        }
        TaskProcess task = new TaskProcess(launched, spec.marker(), startedAt);
        launched.exit().whenComplete((c, e) -> running.decrementAndGet());
        if (spec.keepsBackground()) {
            task.keepBackground();
        }
        launched.exit().whenComplete((code, error) -> {
            try {
                afterExit(task, code == null ? 255 : code);
            } catch (RuntimeException e) {
                // never leave the caller waiting: report the end even if the sweep failed
                LOG.warn("sweep after {} ended failed", spec.marker(), e);
                task.complete(code == null ? 255 : code);
            }
        });
        return task;
    }

    /**
     * The leader ended. A command that ended by itself has its leftovers killed at once. One being
     * terminated keeps its grace period: if other processes of it are left, they get until the
     * grace timer to finish cleaning up, and the timer reports the end.
     */
    private void afterExit(TaskProcess task, int code) {
        boolean alone = launcher.endedAlone(task.launched());
        if (task.keepsBackground() && !task.isTerminating()) {
            task.complete(code);
            return;
        }
        if (task.isTerminating()) {
            TaskProcess.Grace grace;
            synchronized (task) {
                task.markExited(code);
                grace = task.grace();
            }
            if (grace == TaskProcess.Grace.ENDING
                    || grace == TaskProcess.Grace.RUNNING && ProcessSweeper.anyLeft(task.marker())) {
                return; // the grace timer sweeps, sees the exit recorded above, and completes
            }
            task.addSwept(ProcessSweeper.sweepAll(task.marker()));
            task.complete(code);
            return;
        }
        if (alone) {
            task.complete(code); // the launcher has no child left: nothing of the command runs any more
            return;
        }
        boolean shortLived = System.nanoTime() - task.startedAtNanos() < FULL_SWEEP_AFTER.toNanos();
        task.addSwept(shortLived ? ProcessSweeper.sweepYoungerThan(task.marker(), task.pid()) : ProcessSweeper.sweepAll(task.marker()));
        task.complete(code);
    }

    /**
     * SIGTERM to the process group now; after the grace period, SIGKILL to the group and to every
     * process still carrying the command's marker (also those that left the group).
     */
    public void terminate(TaskProcess process) {
        if (process.launched().id() == 0) {
            throw new IllegalArgumentException("not a process of this machine: " + process.marker());
        }
        if (!process.isAlive() || !process.markTerminating()) {
            return;
        }
        signal(process, "TERM");
        timers.schedule(() -> afterGrace(process), killGrace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void afterGrace(TaskProcess process) {
        synchronized (process) {
            process.grace(TaskProcess.Grace.ENDING);
        }
        try {
            if (process.isAlive()) {
                // the leader still lives, so the group id still names this group: safe to signal
                signal(process, "KILL");
            }
            process.addSwept(ProcessSweeper.sweepAll(process.marker()));
        } catch (RuntimeException e) {
            LOG.warn("stopping {} failed", process.marker(), e);
        }
        Integer exited;
        synchronized (process) {
            process.grace(TaskProcess.Grace.OVER);
            exited = process.exitedWith();
        }
        if (exited != null) {
            process.complete(exited); // the leader ended first and left this to us
        }
    }

    static String findProgram(String name) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new ExecutorException("'" + name + "' is not installed (it comes with util-linux); Sluice needs it to give each task its own process group");
    }

    /** The exit status of a command whose process ended with no status recorded (its launcher died too). */
    public static final int LOST = -1;

    /**
     * Takes over a command started by an earlier Sluice process (a restart after a crash). The
     * process is adopted only if its pid still names the process that started at
     * {@code startTime}: a reused pid is never adopted or signalled. Its exit status comes from
     * its exit file, written by the launcher that reaps it; if none appears, it is {@link #LOST}.
     */
    public TaskProcess adopt(long pid, String startTime, String marker, Path exitFile) {
        adopted = true;
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        boolean alive = pid > 0 && !startTime.isEmpty() && ProcTable.isAlive(pid, startTime);
        Thread.ofVirtual().name("sluice-adopted-" + pid).start(() -> {
            if (alive) {
                ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
            }
            exit.complete(awaitExitFile(exitFile));
        });
        ProcessLauncher.Launched launched = new ProcessLauncher.Launched(-pid,
                CompletableFuture.completedFuture(new ProcessLauncher.Identity(pid, startTime)), exit);
        TaskProcess task = new TaskProcess(launched, marker, System.nanoTime());
        exit.whenComplete((code, error) -> afterExit(task, code == null ? LOST : code));
        return task;
    }

    /** The status in an exit file, waiting a little for the launcher that reaps the process to write it. */
    private static int awaitExitFile(Path exitFile) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        do {
            try {
                return Integer.parseInt(Files.readString(exitFile).trim());
            } catch (IOException | NumberFormatException notYet) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        } while (System.nanoTime() < deadline);
        return LOST;
    }

    /** Signals a group: through the launcher for its own commands, with kill(1) for adopted ones. */
    private void signal(TaskProcess process, String signal) {
        ProcessLauncher.Launched l = process.launched();
        if (l.id() >= 0) {
            launcher.signalGroup(l, signal);
            return;
        }
        long pid = -l.id();
        if (process.isAlive() && ProcTable.isAlive(pid, process.startTime())) {
            try {
                new ProcessBuilder(findProgram("kill"), "-s", signal, "--", "-" + pid)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                LOG.warn("cannot signal adopted process group {}", pid, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An orphan: a process a command left running after its parent ended, with what identifies its command. */
    public record Orphan(long pid, long session, Optional<String> marker) {
    }

    /**
     * Kills the orphans (processes re-parented to the launcher) that {@code ours} claims, and says
     * what it killed. Processes that kept their marker are found by the sweep as well; this also
     * finds those that dropped their environment (env -i), by their session.
     */
    public List<SweptProcess> killOrphans(java.util.function.Predicate<Orphan> ours) {
        return killOrphans(ours, false);
    }

    /**
     * Like {@link #killOrphans(java.util.function.Predicate)}; with {@code unmarkedWhenIdle}, also
     * kills orphans without any marker, but only while no command of this executor runs or is being
     * started (no launch can begin meanwhile), since those could belong to any command.
     */
    public List<SweptProcess> killOrphans(java.util.function.Predicate<Orphan> ours, boolean unmarkedWhenIdle) {
        launching.writeLock().lock();
        try {
            boolean idle = unmarkedWhenIdle && running.get() == 0;
            return killOrphansNow(o -> ours.test(o) || (idle && o.marker().isEmpty()));
        } finally {
            launching.writeLock().unlock();
        }
    }

    private List<SweptProcess> killOrphansNow(java.util.function.Predicate<Orphan> ours) {
        List<SweptProcess> killed = new java.util.ArrayList<>();
        for (long pid : launcher.orphans()) {
            Orphan o = new Orphan(pid, ProcTable.sessionOf(pid), ProcTable.environmentValue(pid, ProcessSweeper.MARKER));
            if (ours.test(o)) {
                String command = ProcTable.commandLine(pid);
                if (ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
                    killed.add(new SweptProcess(pid, o.marker().orElse("session " + o.session()), command));
                }
            }
        }
        return killed;
    }

    /**
     * Says that {@code process}'s exit status is recorded (committed to the database): the
     * launcher then need not write it to the exit file, which is for when Sluice dies first.
     */
    public void exitRecorded(TaskProcess process) {
        if (process.launched().id() > 0) {
            launcher.acknowledge(process.launched());
        }
    }

    /**
     * Whether nothing that any command of this executor started can still be running: the
     * launcher has no child (it reaps what outlives its parent). Then a sweep would find nothing.
     */
    public boolean nothingLeft() {
        return !adopted && running.get() == 0 && launcher.hasNoChildren();
    }

    /** Whether this executor took over processes of an earlier Sluice, which are not its launcher's children. */
    private volatile boolean adopted;

    /** How many commands of this executor are running now. */
    public int running() {
        return running.get();
    }

    @Override
    public void close() {
        timers.shutdownNow();
        launcher.close();
    }
}
