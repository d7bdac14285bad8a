package io.sluice.executor;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A started command: its process (also the leader of its own process group and session), the
 * process's start time (pid + start time survive a restart as the process's identity), its exit,
 * and when every process it left behind is gone too.
 */
public final class TaskProcess {
    /** How the command ended, once nothing of it runs any more. */
    public record Gone(int exitCode, List<SweptProcess> swept) {
    }

    private final ProcessLauncher.Launched launched;
    private final String marker;
    private final long startedAtNanos;
    private final CompletableFuture<Gone> gone = new CompletableFuture<>();
    private final AtomicBoolean terminating = new AtomicBoolean();
    /** Where a terminated command is in its grace period; read and written under this object's lock. */
    enum Grace {
        RUNNING,
        ENDING,
        OVER
    }

    private Grace grace = Grace.RUNNING;
    private Integer exitedWith;
    private volatile boolean keepsBackground;

    TaskProcess(ProcessLauncher.Launched launched, String marker, long startedAtNanos) {
        this.launched = launched;
        this.marker = marker;
        this.startedAtNanos = startedAtNanos;
    }

    /**
     * A command that runs elsewhere (a pod on a cluster): there is no local process to signal or
     * sweep; it is gone when {@code exit} completes.
     */
    public static TaskProcess remote(String marker, CompletableFuture<Integer> exit) {
        ProcessLauncher.Launched launched = new ProcessLauncher.Launched(0,
                CompletableFuture.completedFuture(new ProcessLauncher.Identity(-1, "")), exit);
        TaskProcess process = new TaskProcess(launched, marker, System.nanoTime());
        exit.whenComplete((code, error) -> process.complete(code == null ? 255 : code));
        return process;
    }

    /** Calls {@code action} with the pid once the process exists. */
    public void whenStarted(java.util.function.LongConsumer action) {
        launched.started().thenAccept(identity -> action.accept(identity.pid()));
    }

    /** Whether the launcher has said which process this is (else {@link #pid()} waits for it). */
    public boolean identityKnown() {
        return launched.started().isDone();
    }

    ProcessLauncher.Launched launched() {
        return launched;
    }

    /** The pid of the process (the group leader), waiting for the launcher if need be; -1 if it never started. */
    public long pid() {
        return identity().pid();
    }

    private ProcessLauncher.Identity identity() {
        try {
            return launched.started().join();
        } catch (java.util.concurrent.CompletionException e) {
            return new ProcessLauncher.Identity(-1, "");
        }
    }

    /** The process group id: the process is its group's leader. */
    public long processGroup() {
        return pid();
    }

    public String startTime() {
        return identity().startTime();
    }

    public String marker() {
        return marker;
    }

    public long startedAtNanos() {
        return startedAtNanos;
    }

    /** Completes with the exit status when the process ends (128 + signal when a signal ended it). */
    public CompletableFuture<Integer> exit() {
        return launched.exit();
    }

    /**
     * Completes when the process has ended and no process carrying its marker is left: children in
     * the background and escaped ones are killed (after the grace period, when it was terminated).
     */
    public CompletableFuture<Gone> gone() {
        return gone;
    }

    public boolean isAlive() {
        return !launched.exit().isDone();
    }

    public boolean isTerminating() {
        return terminating.get();
    }

    boolean markTerminating() {
        return terminating.compareAndSet(false, true);
    }

    boolean keepsBackground() {
        return keepsBackground;
    }

    void keepBackground() {
        keepsBackground = true;
    }

    /** Called under this object's lock when the leader's exit has been seen. */
    void markExited(int code) {
        exitedWith = code;
    }

    /** The exit seen so far, or null; read under this object's lock. */
    Integer exitedWith() {
        return exitedWith;
    }

    Grace grace() {
        return grace;
    }

    void grace(Grace value) {
        grace = value;
    }

    private final List<SweptProcess> swept = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Remembers what a sweep caught, so that the report names every leftover, whichever sweep found it. */
    void addSwept(List<SweptProcess> found) {
        swept.addAll(found);
    }

    void complete(int exitCode) {
        gone.complete(new Gone(exitCode, List.copyOf(swept)));
    }
}
