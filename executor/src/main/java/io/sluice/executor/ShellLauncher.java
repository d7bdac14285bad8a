package io.sluice.executor;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Starts each command from the JVM as {@code setsid /bin/sh -c WRAPPER}: no dependency but util-linux. */
final class ShellLauncher implements ProcessLauncher {
    // $1: the task's command, $2: the exit file. The wrapper catches TERM (so it lives to write the
    // status) while the command runs in a subshell, where caught signals are back to their default
    // action (ignored ones would stay ignored). eval in a subshell is what `/bin/sh -c` does, without
    // starting a second shell for every task; positional parameters are cleared as in `sh -c`.
    private static final String WRAPPER = "trap : TERM INT; "
            + "( sluice_command=$1; shift 2; eval \"$sluice_command\" ); rc=$?; echo $rc > \"$2\"; exit $rc";

    private final String setsid = LocalExecutor.findProgram("setsid");
    private final String kill = LocalExecutor.findProgram("kill");
    // Not Process.onExit(): it completes on the common fork-join pool, which has one thread on a
    // 2-core machine and may be busy for good. A waiter thread per process cannot starve.
    private final ExecutorService waiters =
            Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("sluice-process-waiter-", 0).factory());

    @Override
    public Launched launch(ProcessSpec spec) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(List.of(setsid, "/bin/sh", "-c", WRAPPER, "sluice-task",
                spec.command(), spec.exitFile().toString()))
                .directory(spec.workdir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.log().toFile()))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(spec.environment());
        Process process = builder.start();
        String startTime = ProcTable.startTime(process.pid()).orElse("");
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        waiters.execute(() -> {
            try {
                exit.complete(process.waitFor());
            } catch (InterruptedException e) {
                exit.completeExceptionally(e);
            }
        });
        return new Launched(process.pid(), CompletableFuture.completedFuture(new Identity(process.pid(), startTime)), exit);
    }

    @Override
    public void signalGroup(Launched process, String signal) {
        if (process.exit().isDone()) {
            return; // the leader is gone, so its pid may name another group by now
        }
        try {
            Process signaller = new ProcessBuilder(kill, "-s", signal, "--", "-" + process.id())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            signaller.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new ExecutorException("cannot signal process group " + process.id() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        waiters.shutdown();
    }
}
