package io.sluice.engine;

import io.sluice.definition.Resources;
import io.sluice.executor.TaskProcess;
import io.sluice.run.TaskState;
import io.sluice.run.TaskView;
import io.sluice.run.WaitReason;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The driver's picture of one task: what the store says, plus its live process. Used by one thread only. */
final class LiveTask {
    final String id;
    final String command;
    final List<String> needs;
    final int maxAttempts;
    final Resources resources;
    final Optional<Duration> timeout;
    final Duration retryDelay;
    final Optional<String> pool;
    /** Admission order among waiters: higher first. */
    final int priority;
    /** Capacity and pool slot held from admission while the task's process lives. */
    boolean holdsAdmission;

    TaskState state = TaskState.PENDING;
    Optional<WaitReason> waitingFor = Optional.empty();
    int attempts;
    TaskProcess process;
    boolean alive;
    boolean killRequested;
    long startedNanos;
    long retryAtNanos;
    Integer lastExit;

    LiveTask(String id, String command, List<String> needs, int maxAttempts, Resources resources,
             Optional<Duration> timeout, Duration retryDelay, Optional<String> pool, int priority) {
        this.id = id;
        this.command = command;
        this.needs = needs;
        this.maxAttempts = maxAttempts;
        this.resources = resources;
        this.timeout = timeout;
        this.retryDelay = retryDelay;
        this.pool = pool;
        this.priority = priority;
    }

    /** The last view handed out: most tasks have not changed since the last decision (a 1,000-task run decides per event). */
    private TaskView view;

    TaskView view() {
        TaskView last = view;
        if (last == null || last.state() != state || !last.waitingFor().equals(waitingFor) || last.attempts() != attempts
                || last.processAlive() != alive || last.killRequested() != killRequested || last.startedNanos() != startedNanos
                || last.retryAtNanos() != retryAtNanos || !java.util.Objects.equals(last.lastExitCode().orElse(null), lastExit)) {
            view = new TaskView(id, state, waitingFor, needs, attempts, maxAttempts, resources, timeout, retryDelay,
                    alive, killRequested, startedNanos, retryAtNanos, Optional.ofNullable(lastExit));
        }
        return view;
    }
}
