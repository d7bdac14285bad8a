package io.sluice.executor;

import java.util.concurrent.CompletableFuture;

/**
 * A started command: its process (also the leader of its own process group and session), the
 * process's start time (pid + start time survive a restart as the process's identity), and its exit.
 */
public final class TaskProcess {
    private final long pid;
    private final String startTime;
    private final String marker;
    private final long startedAtNanos;
    private final CompletableFuture<Integer> exit;
    private volatile boolean terminating;

    TaskProcess(long pid, String startTime, String marker, long startedAtNanos, CompletableFuture<Integer> exit) {
        this.pid = pid;
        this.startTime = startTime;
        this.marker = marker;
        this.startedAtNanos = startedAtNanos;
        this.exit = exit;
    }

    public long pid() {
        return pid;
    }

    /** The process group id: the process is its group's leader. */
    public long processGroup() {
        return pid;
    }

    public String startTime() {
        return startTime;
    }

    public String marker() {
        return marker;
    }

    public long startedAtNanos() {
        return startedAtNanos;
    }

    /** Completes with the exit status when the process ends (128 + signal when a signal ended it). */
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    public boolean isAlive() {
        return !exit.isDone();
    }

    boolean markTerminating() {
        boolean first = !terminating;
        terminating = true;
        return first;
    }
}
