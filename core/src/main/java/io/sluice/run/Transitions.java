package io.sluice.run;

import static io.sluice.run.RunState.CANCELLED;
import static io.sluice.run.RunState.FAILED;
import static io.sluice.run.RunState.QUEUED;
import static io.sluice.run.RunState.SKIPPED;
import static io.sluice.run.RunState.SUCCEEDED;
import static io.sluice.run.RunState.TIMED_OUT;

import io.sluice.run.StateMachine.Transition;
import java.util.ArrayList;
import java.util.List;

/** The transition tables of runs and tasks (SPEC §4): the only place that says which changes are legal. */
public final class Transitions {
    private Transitions() {
    }

    public static final StateMachine<RunState, RunEvent> RUN = new StateMachine<>("run", RunState.class, RunEvent.class, runRows());

    public static final StateMachine<TaskState, TaskEvent> TASK = new StateMachine<>("task", TaskState.class, TaskEvent.class, taskRows());

    private static List<Transition<RunState, RunEvent>> runRows() {
        List<Transition<RunState, RunEvent>> rows = new ArrayList<>();
        rows.add(new Transition<>(QUEUED, RunEvent.WAIT, RunState.WAITING));
        rows.add(new Transition<>(QUEUED, RunEvent.START, RunState.RUNNING));
        rows.add(new Transition<>(RunState.WAITING, RunEvent.START, RunState.RUNNING));
        rows.add(new Transition<>(QUEUED, RunEvent.SKIP, SKIPPED));
        rows.add(new Transition<>(RunState.RUNNING, RunEvent.SUCCEED, SUCCEEDED));
        rows.add(new Transition<>(RunState.RUNNING, RunEvent.FAIL, FAILED));
        rows.add(new Transition<>(RunState.RUNNING, RunEvent.TIME_OUT, TIMED_OUT));
        for (RunState s : List.of(QUEUED, RunState.WAITING, RunState.RUNNING)) {
            rows.add(new Transition<>(s, RunEvent.CANCEL, CANCELLED));
        }
        for (RunState s : List.of(FAILED, TIMED_OUT, CANCELLED, SUCCEEDED)) {
            rows.add(new Transition<>(s, RunEvent.CLEAR, QUEUED));
        }
        return rows;
    }

    private static List<Transition<TaskState, TaskEvent>> taskRows() {
        List<Transition<TaskState, TaskEvent>> rows = new ArrayList<>();
        rows.add(new Transition<>(TaskState.PENDING, TaskEvent.WAIT, TaskState.WAITING));
        rows.add(new Transition<>(TaskState.RETRYING, TaskEvent.WAIT, TaskState.WAITING));
        for (TaskState s : List.of(TaskState.PENDING, TaskState.WAITING, TaskState.RETRYING)) {
            rows.add(new Transition<>(s, TaskEvent.START, TaskState.RUNNING));
        }
        rows.add(new Transition<>(TaskState.RUNNING, TaskEvent.SUCCEED, TaskState.SUCCEEDED));
        rows.add(new Transition<>(TaskState.RUNNING, TaskEvent.FAIL, TaskState.FAILED));
        rows.add(new Transition<>(TaskState.RUNNING, TaskEvent.TIME_OUT, TaskState.TIMED_OUT));
        rows.add(new Transition<>(TaskState.RUNNING, TaskEvent.RETRY, TaskState.RETRYING));
        rows.add(new Transition<>(TaskState.PENDING, TaskEvent.UPSTREAM_FAIL, TaskState.UPSTREAM_FAILED));
        rows.add(new Transition<>(TaskState.WAITING, TaskEvent.UPSTREAM_FAIL, TaskState.UPSTREAM_FAILED));
        for (TaskState s : List.of(TaskState.PENDING, TaskState.WAITING, TaskState.RUNNING, TaskState.RETRYING)) {
            rows.add(new Transition<>(s, TaskEvent.CANCEL, TaskState.CANCELLED));
        }
        for (TaskState s : List.of(TaskState.SUCCEEDED, TaskState.FAILED, TaskState.TIMED_OUT,
                TaskState.UPSTREAM_FAILED, TaskState.CANCELLED)) {
            rows.add(new Transition<>(s, TaskEvent.CLEAR, TaskState.PENDING));
        }
        return rows;
    }
}
