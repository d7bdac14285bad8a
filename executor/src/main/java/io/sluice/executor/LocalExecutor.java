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
    /** SPEC §3: SIGKILL follows SIGTERM after 10 s. */
    public static final Duration KILL_GRACE = Duration.ofSeconds(10);

    // $1: the task's command, $2: the exit file. The wrapper catches TERM (so it lives to write the
    // status) while its child, a new shell, takes TERM's default action; caught signals do not pass
    // through exec, ignored ones would.
    private static final String WRAPPER = "trap : TERM INT; /bin/sh -c \"$1\"; rc=$?; echo $rc > \"$2\"; exit $rc";

    private final Duration killGrace;
    private final String setsid;
    private final String kill;
    private final ScheduledExecutorService timers;

    public LocalExecutor() {
        this(KILL_GRACE);
    }

    public LocalExecutor(Duration killGrace) {
        this.killGrace = killGrace;
        this.setsid = findProgram("setsid");
        this.kill = findProgram("kill");
        this.timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("sluice-kill-timer").factory());
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
        CompletableFuture<Integer> exit = process.onExit().thenApply(Process::exitValue);
        return new TaskProcess(process.pid(), startTime, spec.marker(), startedAt, exit);
    }

    /** SIGTERM to the process group now, SIGKILL after the grace period if the leader still lives. */
    public void terminate(TaskProcess process) {
        if (!process.isAlive() || !process.markTerminating()) {
            return;
        }
        signalGroup(process.processGroup(), "TERM");
        timers.schedule(() -> {
            if (process.isAlive()) {
                signalGroup(process.processGroup(), "KILL");
            }
        }, killGrace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGKILL to the whole group at once. */
    public void kill(TaskProcess process) {
        process.markTerminating();
        signalGroup(process.processGroup(), "KILL");
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
    }
}
