package io.sluice.run;

import io.sluice.definition.Resources;
import io.sluice.run.Command.CancelTask;
import io.sluice.run.Command.FailTask;
import io.sluice.run.Command.FinishRun;
import io.sluice.run.Command.KillStep;
import io.sluice.run.Command.RetryTask;
import io.sluice.run.Command.SkipStep;
import io.sluice.run.Command.StartRun;
import io.sluice.run.Command.StartStep;
import io.sluice.run.Command.StartTask;
import io.sluice.run.Command.SucceedTask;
import io.sluice.run.Command.TimeOutRun;
import io.sluice.run.Command.TimeOutTask;
import io.sluice.run.Command.UpstreamFailTask;
import io.sluice.run.Command.WaitTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The engine's core: a pure function from a run's state and the time to what should happen next.
 * No I/O, no clock, no threads: the applier calls it after every event and carries out its answer.
 */
public final class RunDecider {
    private RunDecider() {
    }

    public static Decision decide(RunView run, long nowNanos) {
        if (run.state().isTerminal()) {
            return new Decision(List.of(), OptionalLong.empty());
        }
        Deciding d = new Deciding(run, nowNanos);
        if (run.state() == RunState.QUEUED || run.state() == RunState.WAITING) {
            if (run.cancelRequested()) {
                d.commands.add(new FinishRun(RunState.CANCELLED, "cancelled before it started"));
                return d.result();
            }
            d.commands.add(new StartRun());
        }
        d.decide();
        return d.result();
    }

    /** One decision in progress; task states are updated locally so that one pass sees its own effects. */
    private static final class Deciding {
        private final RunView run;
        private final long now;
        private final List<Command> commands = new ArrayList<>();
        /** Task states by position; updated as this pass decides, so later tasks see earlier changes. */
        private final TaskState[] states;
        private long wake = Long.MAX_VALUE;
        private boolean stopping;
        private boolean timedOutRun;
        /** Capacity not held by live processes (a stopped task holds its share until its process is gone). */
        private Resources free;

        Deciding(RunView run, long now) {
            this.run = run;
            this.now = now;
            this.states = new TaskState[run.tasks().size()];
            for (int i = 0; i < states.length; i++) {
                states[i] = run.tasks().get(i).state();
            }
            Resources used = Resources.NONE;
            for (TaskView t : run.tasks()) {
                if (t.processAlive()) {
                    used = used.plus(t.resources().cappedAt(run.capacity()));
                }
            }
            this.free = run.capacity().minus(used);
            this.timedOutRun = run.runTimedOut();
            this.stopping = run.cancelRequested() || run.runTimedOut();
        }

        Decision result() {
            return new Decision(commands, wake == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(wake));
        }

        void decide() {
            checkRunTimeout();
            StepState setup = decideSetup();
            boolean setupOk = setup == StepState.NONE || setup == StepState.SUCCEEDED;
            for (int i = 0; i < states.length; i++) {
                current = i;
                decideTask(run.tasks().get(i), setupOk, setup == StepState.FAILED);
            }
            if (setup == StepState.RUNNING || setup == StepState.PENDING && !stopping) {
                return;
            }
            for (int i = 0; i < states.length; i++) {
                if (!states[i].isTerminal() || run.tasks().get(i).processAlive()) {
                    return;
                }
            }
            decideTeardown(setup);
        }

        private void checkRunTimeout() {
            if (stopping || run.runTimeout().isEmpty()) {
                return;
            }
            long limit = run.runTimeout().get().toNanos();
            if (run.runningNanos() >= limit) {
                commands.add(new TimeOutRun());
                stopping = true;
                timedOutRun = true;
            } else if (somethingRuns()) {
                wakeAt(now + (limit - run.runningNanos()));
            }
        }

        private boolean somethingRuns() {
            if (run.setup().state() == StepState.RUNNING) {
                return true;
            }
            for (TaskView t : run.tasks()) {
                if (t.processAlive()) {
                    return true;
                }
            }
            return false;
        }

        private StepState decideSetup() {
            StepView setup = run.setup();
            switch (setup.state()) {
                case PENDING -> {
                    if (stopping) {
                        commands.add(new SkipStep(Step.SETUP));
                        return StepState.SKIPPED;
                    }
                    commands.add(new StartStep(Step.SETUP));
                    return StepState.RUNNING;
                }
                case RUNNING -> {
                    if (!setup.killRequested()) {
                        if (stopping) {
                            commands.add(new KillStep(Step.SETUP, timedOutRun ? "run timed out" : "run cancelled"));
                        } else {
                            checkStepTimeout(Step.SETUP, setup);
                        }
                    }
                    return StepState.RUNNING;
                }
                default -> {
                    return setup.state();
                }
            }
        }

        private void checkStepTimeout(Step step, StepView view) {
            if (view.timeout().isEmpty()) {
                return;
            }
            long deadline = view.startedNanos() + view.timeout().get().toNanos();
            if (now >= deadline) {
                commands.add(new KillStep(step, "timed out after " + io.sluice.definition.Durations.format(view.timeout().get())));
            } else {
                wakeAt(deadline);
            }
        }

        private void decideTask(TaskView task, boolean setupOk, boolean setupFailed) {
            switch (task.state()) {
                case RUNNING -> decideRunning(task);
                case PENDING, WAITING -> decideReady(task, setupOk, setupFailed);
                case RETRYING -> decideRetrying(task);
                default -> {
                    // terminal: nothing to do, its process (if any) is being stopped
                }
            }
        }

        private void decideRunning(TaskView task) {
            if (!task.processAlive()) {
                int exit = task.lastExitCode().orElse(-1);
                if (exit == 0) {
                    set(task, TaskState.SUCCEEDED, new SucceedTask(task.id()));
                } else if (!stopping && task.attempts() < task.maxAttempts()) {
                    long retryAt = now + task.retryDelay().toNanos();
                    set(task, TaskState.RETRYING, new RetryTask(task.id(), false, exit, retryAt, false));
                    wakeAt(retryAt);
                } else {
                    set(task, TaskState.FAILED, new FailTask(task.id(), exit));
                }
                return;
            }
            if (task.killRequested()) {
                return;
            }
            if (stopping) {
                if (timedOutRun) {
                    set(task, TaskState.TIMED_OUT, new TimeOutTask(task.id()));
                } else {
                    set(task, TaskState.CANCELLED, new CancelTask(task.id(), "run cancelled"));
                }
                return;
            }
            if (task.timeout().isPresent()) {
                long deadline = task.startedNanos() + task.timeout().get().toNanos();
                if (now >= deadline) {
                    if (task.attempts() < task.maxAttempts()) {
                        long retryAt = now + task.retryDelay().toNanos();
                        set(task, TaskState.RETRYING, new RetryTask(task.id(), true, null, retryAt, true));
                        wakeAt(retryAt);
                    } else {
                        set(task, TaskState.TIMED_OUT, new TimeOutTask(task.id()));
                    }
                } else {
                    wakeAt(deadline);
                }
            }
        }

        private void decideReady(TaskView task, boolean setupOk, boolean setupFailed) {
            if (stopping) {
                set(task, TaskState.CANCELLED, new CancelTask(task.id(), timedOutRun ? "run timed out" : "run cancelled"));
                return;
            }
            if (setupFailed) {
                set(task, TaskState.UPSTREAM_FAILED, new UpstreamFailTask(task.id(), "setup failed"));
                return;
            }
            // plain loops: this runs for every waiting task on every event of a 1,000-task run
            boolean allSucceeded = true;
            for (int need : run.needPositions()[current]) {
                TaskState s = states[need];
                if (s.isUnsuccessful()) {
                    set(task, TaskState.UPSTREAM_FAILED, new UpstreamFailTask(task.id(), "'" + run.tasks().get(need).id() + "' " + s.wireName()));
                    return;
                }
                allSucceeded &= s == TaskState.SUCCEEDED;
            }
            if (setupOk && allSucceeded) {
                tryStart(task);
            }
        }

        private void decideRetrying(TaskView task) {
            if (stopping) {
                // between attempts: the last attempt's failure is recorded; the run stopping cancels the rest
                set(task, TaskState.CANCELLED, new CancelTask(task.id(), timedOutRun ? "run timed out" : "run cancelled"));
                return;
            }
            if (task.processAlive()) {
                return; // the timed-out attempt is still being stopped: never two attempts at once
            }
            if (now < task.retryAtNanos()) {
                wakeAt(task.retryAtNanos());
                return;
            }
            tryStart(task);
        }

        private void tryStart(TaskView task) {
            Resources need = task.resources().fitsIn(run.capacity()) ? task.resources() : task.resources().cappedAt(run.capacity());
            if (need.fitsIn(free)) {
                set(task, TaskState.RUNNING, new StartTask(task.id(), task.attempts() + 1));
                free = free.minus(need);
            } else if (task.state() != TaskState.WAITING) {
                set(task, TaskState.WAITING, new WaitTask(task.id(), WaitReason.CAPACITY));
            }
        }

        private void decideTeardown(StepState setup) {
            StepView teardown = run.teardown();
            switch (teardown.state()) {
                case PENDING -> {
                    if (setup == StepState.SKIPPED && run.tasks().stream().allMatch(t -> t.attempts() == 0)) {
                        commands.add(new SkipStep(Step.TEARDOWN));
                        finish();
                    } else {
                        commands.add(new StartStep(Step.TEARDOWN));
                    }
                }
                case RUNNING -> {
                    if (!teardown.killRequested()) {
                        checkStepTimeout(Step.TEARDOWN, teardown);
                    }
                }
                default -> finish();
            }
        }

        private void finish() {
            if (run.cancelRequested()) {
                commands.add(new FinishRun(RunState.CANCELLED, "cancelled"));
                return;
            }
            if (timedOutRun) {
                commands.add(new FinishRun(RunState.TIMED_OUT, "run timed out after "
                        + io.sluice.definition.Durations.format(run.runTimeout().orElse(Duration.ZERO))));
                return;
            }
            if (run.setup().state() == StepState.FAILED) {
                commands.add(new FinishRun(RunState.FAILED, "setup failed"));
                return;
            }
            List<String> failed = run.tasks().stream().map(TaskView::id).filter(id -> state(id) == TaskState.FAILED).toList();
            List<String> timedOut = run.tasks().stream().map(TaskView::id).filter(id -> state(id) == TaskState.TIMED_OUT).toList();
            if (!failed.isEmpty()) {
                commands.add(new FinishRun(RunState.FAILED, String.join(", ", failed) + " failed"));
            } else if (!timedOut.isEmpty()) {
                commands.add(new FinishRun(RunState.TIMED_OUT, String.join(", ", timedOut) + " timed out"));
            } else if (run.tasks().stream().anyMatch(t -> state(t.id()) != TaskState.SUCCEEDED)) {
                commands.add(new FinishRun(RunState.FAILED, "not every task succeeded"));
            } else if (run.teardown().state() == StepState.FAILED) {
                commands.add(new FinishRun(RunState.FAILED, "teardown failed"));
            } else {
                commands.add(new FinishRun(RunState.SUCCEEDED, "all tasks succeeded"));
            }
        }

        private TaskState state(String taskId) {
            return states[run.positions().get(taskId)];
        }

        /** The index of the task being decided: set() changes its state without a lookup. */
        private int current;

        private void set(TaskView task, TaskState to, Command command) {
            states[current] = to;
            commands.add(command);
        }

        private void wakeAt(long nanos) {
            wake = Math.min(wake, nanos);
        }
    }
}
