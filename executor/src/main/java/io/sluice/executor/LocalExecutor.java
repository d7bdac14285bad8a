package io.sluice.executor;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts commands as SPEC §3 says: {@code /bin/sh -c}, stdin from /dev/null, stdout and stderr
 * into one log, in a new session and process group of their own. A small shell wrapper records the
 * exit status in a file next to the log, so that it survives the death of the Sluice process that
 * started it. Stopping sends SIGTERM to the whole group, then SIGKILL after a grace period.
 */
public final class LocalExecutor implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalExecutor.class);
    /** SPEC §3: SIGKILL follows SIGTERM after 10 s. */
    public static final Duration KILL_GRACE = Duration.ofSeconds(10);
    /** Descendants of a short command all have younger pids, so a cheap scan finds them; longer ones get a full scan. */
    private static final Duration FULL_SWEEP_AFTER = Duration.ofSeconds(5);

    // $1: the task's command, $2: the exit file. The wrapper catches TERM (so it lives to write the
    // status) while the command runs in a subshell, where caught signals are back to their default
    // action (ignored ones would stay ignored). eval in a subshell is what `/bin/sh -c` does, without
    // starting a second shell for every task; positional parameters are cleared as in `sh -c`.
    private static final String WRAPPER = "trap : TERM INT; "
            + "( sluice_command=$1; shift 2; eval \"$sluice_command\" ); rc=$?; echo $rc > \"$2\"; exit $rc";

    private final Duration killGrace;
    private final String setsid;
    private final String kill;
    private final ScheduledExecutorService timers;
    private final java.util.concurrent.ExecutorService waiters =
            Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("sluice-process-waiter-", 0).factory());

    public LocalExecutor() {
        this(KILL_GRACE);
    }

    public LocalExecutor(Duration killGrace) {
        this.killGrace = killGrace;
        this.setsid = findProgram("setsid");
        this.kill = findProgram("kill");
        this.timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("sluice-kill-timer").factory());
    }

    public Duration killGrace() {
        return killGrace;
    }

    public TaskProcess start(ProcessSpec spec) throws IOException {
        Files.createDirectories(spec.log().getParent());
        ProcessBuilder builder = new ProcessBuilder(List.of(setsid, "/bin/sh", "-c", WRAPPER, "sluice-task",
                spec.command(), spec.exitFile().toString()))
                .directory(spec.workdir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.log().toFile()))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(spec.environment());
        builder.environment().put(ProcessSweeper.MARKER, spec.marker());
        long startedAt = System.nanoTime();
        Process process = builder.start();
        String startTime = ProcTable.startTime(process.pid()).orElse("");
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        // Not Process.onExit(): it completes on the common fork-join pool, which has one thread on
        // a 2-core machine and may be busy for good. A waiter thread per process cannot starve.
        waiters.execute(() -> {
            try {
                exit.complete(process.waitFor());
            } catch (InterruptedException e) {
                exit.completeExceptionally(e);
            }
        });
        TaskProcess task = new TaskProcess(process.pid(), startTime, spec.marker(), startedAt, exit);
        if (spec.keepsBackground()) {
            task.keepBackground();
        }
        exit.whenComplete((code, error) -> {
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
        if (task.keepsBackground() && !task.isTerminating()) {
            task.complete(code);
            return;
        }
        if (task.isTerminating()) {
            boolean timerDone;
            synchronized (task) {
                task.markExited(code);
                timerDone = task.graceOver();
            }
            if (!timerDone && ProcessSweeper.anyLeft(task.marker())) {
                return; // the grace timer sweeps and completes
            }
            task.addSwept(ProcessSweeper.sweepAll(task.marker()));
            task.complete(code);
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
        if (!process.isAlive() || !process.markTerminating()) {
            return;
        }
        signalGroup(process.processGroup(), "TERM");
        timers.schedule(() -> afterGrace(process), killGrace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void afterGrace(TaskProcess process) {
        try {
            if (process.isAlive()) {
                // the leader still lives, so the group id still names this group: safe to signal
                signalGroup(process.processGroup(), "KILL");
            }
            process.addSwept(ProcessSweeper.sweepAll(process.marker()));
        } catch (RuntimeException e) {
            LOG.warn("stopping {} failed", process.marker(), e);
        }
        Integer exited;
        synchronized (process) {
            process.endGrace();
            exited = process.exitedWith();
        }
        if (exited != null) {
            process.complete(exited); // the leader ended first and left this to us
        }
    }

    private void signalGroup(long group, String signal) {
        try {
            Process signaller = new ProcessBuilder(kill, "-s", signal, "--", "-" + group)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            signaller.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new ExecutorException("cannot signal process group " + group + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    @Override
    public void close() {
        timers.shutdownNow();
        waiters.shutdown();
    }
}
