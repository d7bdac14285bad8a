package io.sluice.cli;

import io.sluice.engine.TestListener;
import io.sluice.engine.TestResult;
import io.sluice.engine.TestRunner;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * Ctrl-C and SIGTERM on a command that runs something: cancel it (processes stopped, teardowns
 * run, workspaces removed), wait however long that takes, then exit with the command's own exit
 * code, like any other end. A second Ctrl-C does not cut this short; kill -9 does, and leaves the
 * cleanup to the next start.
 */
final class Interrupts {
    private static final CountDownLatch FINISHED = new CountDownLatch(1);
    private static volatile int exitCode = UserError.BAD;
    private static volatile Consumer<String> canceller;
    private static boolean hooked;

    private Interrupts() {
    }

    /** While the command runs, an interrupt calls {@code cancel} with the reason. */
    static synchronized void onInterrupt(Consumer<String> cancel) {
        canceller = cancel;
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(Interrupts::interrupted, "sluice-cancel-on-exit"));
        }
    }

    /** The command is done: an interrupt now has nothing to cancel. */
    static void commandDone() {
        canceller = null;
    }

    /** main is about to exit with {@code code}: a waiting interrupt exits with it. */
    static void finished(int code) {
        exitCode = code;
        canceller = null;
        FINISHED.countDown();
    }

    private static void interrupted() {
        Consumer<String> cancel = canceller;
        if (cancel == null || FINISHED.getCount() == 0) {
            return;
        }
        cancel.accept("interrupted (Ctrl-C or SIGTERM)");
        try {
            FINISHED.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(exitCode);
    }

    static List<TestResult> whileRunning(TestRunner runner, List<TestRunner.TestCase> cases, TestListener listener) throws IOException {
        onInterrupt(runner::cancel);
        return runner.run(cases, listener);
    }
}
