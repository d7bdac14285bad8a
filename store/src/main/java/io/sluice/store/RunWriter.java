package io.sluice.store;

import io.sluice.run.RunEvent;
import io.sluice.run.RunState;
import io.sluice.run.Step;
import io.sluice.run.StepState;
import io.sluice.run.TaskEvent;
import io.sluice.run.TaskState;
import io.sluice.run.Transitions;
import io.sluice.run.WaitReason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The writes of one transaction. Each state change names the state it expects: when the row is in
 * another state, a {@link ConcurrentChangeException} rolls the whole transaction back. Every change
 * of state is also a row in its transition table.
 */
public final class RunWriter {
    private final Connection connection;
    private final Clock clock;
    private final Database.Dialect dialect;

    RunWriter(Connection connection, Clock clock, Database.Dialect dialect) {
        this.connection = connection;
        this.clock = clock;
        this.dialect = dialect;
    }

    /** When this transaction's changes happen: one instant for all of them, as they commit together. */
    private String now;

    private String now() {
        if (now == null) {
            now = clock.instant().toString();
        }
        return now;
    }

    /**
     * Creates a scheduled or backfill run unless its interval has one already; true when created.
     * The unique index on (pipeline, interval_start) decides between servers creating it at once.
     */
    boolean createRunOnce(NewRun run) {
        return insertRun(run, true);
    }

    void createRun(NewRun run) {
        insertRun(run, false);
    }

    private boolean insertRun(NewRun run, boolean unlessExists) {
        String at = now();
        int inserted = jdbc("""
                        INSERT INTO runs (id, pipeline, version, kind, source_path, logical_date, interval_start, interval_end,
                                          params, state, setup_state, teardown_state, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED', ?, ?, ?)"""
                        + (unlessExists ? " ON CONFLICT DO NOTHING" : ""),
                run.id(), run.pipeline(), run.version(), run.kind().wireName(), nullable(run.sourcePath()), run.logicalDate(),
                run.interval().start().toString(), run.interval().end().toString(), Rows.json(run.params()),
                run.setupState().name(), run.teardownState().name(), at);
        if (inserted == 0) {
            return false;
        }
        insertRunTransition(run.id(), null, RunState.QUEUED, "CREATE", "created", at);
        try (PreparedStatement tasks = connection.prepareStatement(
                     "INSERT INTO tasks (run_id, task_id, position, state) VALUES (?, ?, ?, 'PENDING')");
             PreparedStatement transitions = connection.prepareStatement("""
                     INSERT INTO task_transitions (run_id, task_id, attempt, at, from_state, to_state, event, cause)
                     VALUES (?, ?, 0, ?, NULL, 'PENDING', 'CREATE', 'created')""")) {
            for (int i = 0; i < run.tasks().size(); i++) {
                tasks.setString(1, run.id());
                tasks.setString(2, run.tasks().get(i));
                tasks.setInt(3, i);
                tasks.addBatch();
                transitions.setString(1, run.id());
                transitions.setString(2, run.tasks().get(i));
                transitions.setString(3, at);
                transitions.addBatch();
            }
            if (!run.tasks().isEmpty()) {
                tasks.executeBatch();
                transitions.executeBatch();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot write to the database: " + e.getMessage(), e);
        }
        return true;
    }

    /**
     * Fences a server's decision: the run must still be {@code owner}'s, else the whole
     * transaction rolls back with {@link RunTakenOverException}. Holds the run's row until the
     * transaction ends, so a take-over waits for a decision in flight.
     */
    public void expectOwner(String runId, String owner) {
        Optional<String> now = ownerOf(runId);
        if (!now.equals(Optional.of(owner))) {
            throw new RunTakenOverException("run " + runId + " is driven by " + now.orElse("no server") + " now, not by " + owner);
        }
    }

    /**
     * For a change to a run no server has claimed (waiting for overlap or upstream, skipped): fails
     * with {@link ConcurrentChangeException} when a server claimed it meanwhile, whose driver alone changes it from then on.
     */
    public void expectUnclaimed(String runId) {
        Optional<String> now = ownerOf(runId);
        if (now.isPresent()) {
            throw new ConcurrentChangeException("run " + runId + " was claimed by " + now.get());
        }
    }

    /** The server that drives the run, holding the run's row until the transaction ends (PostgreSQL). */
    private Optional<String> ownerOf(String runId) {
        return Sql.first(connection, "SELECT owner FROM runs WHERE id = ?" + forUpdate(), (rs, ctx) -> rs.getString(1), runId);
    }

    /** Moves the run from {@code from} by {@code event}; returns the new state. */
    public RunState runEvent(String runId, RunState from, RunEvent event, String cause) {
        RunState to = Transitions.RUN.apply(from, event);
        String at = now();
        String extra = "";
        List<Object> args = new ArrayList<>(List.of(to.name()));
        if (to == RunState.RUNNING) {
            extra = ", started_at = COALESCE(started_at, ?)";
            args.add(at);
        } else if (to.isTerminal()) {
            extra = ", ended_at = ?, reason = ?";
            args.add(at);
            args.add(nullable(cause));
        } else if (to == RunState.QUEUED) {
            extra = ", ended_at = NULL, reason = NULL";
        } else if (to == RunState.WAITING) {
            extra = ", reason = ?";
            args.add(nullable(cause));
        }
        args.add(runId);
        args.add(from.name());
        int n = jdbc("UPDATE runs SET state = ?, row_version = row_version + 1" + extra + " WHERE id = ? AND state = ?", args.toArray());
        expectOne(n, "run " + runId + " is no longer " + from.wireName());
        insertRunTransition(runId, from, to, event.name(), cause, at);
        return to;
    }

    /** A waiting run's reason changes (overlap, then upstream): not a transition, the state stays. */
    public void setWaitReason(String runId, String reason) {
        jdbc("UPDATE runs SET reason = ?, row_version = row_version + 1 WHERE id = ? AND state = 'WAITING'", nullable(reason), runId);
    }

    public void setWorkspace(String runId, String workspace) {
        jdbc("UPDATE runs SET workspace = ?, row_version = row_version + 1 WHERE id = ?", nullable(workspace), runId);
    }

    /** Records which process drives the run, so that a restart can tell whether it died. */
    public void setDriver(String runId, long pid, String pidStart) {
        jdbc("UPDATE runs SET driver_pid = ?, driver_start = ?, row_version = row_version + 1 WHERE id = ?", pid, nullable(pidStart), runId);
    }

    public void requestCancel(String runId) {
        jdbc("UPDATE runs SET cancel_requested = 1, row_version = row_version + 1 WHERE id = ?", runId);
    }

    public void markTimedOut(String runId) {
        jdbc("UPDATE runs SET timed_out = 1, row_version = row_version + 1 WHERE id = ?", runId);
    }

    public void stepState(String runId, Step step, StepState from, StepState to) {
        String column = step == Step.SETUP ? "setup_state" : "teardown_state";
        int n = jdbc("UPDATE runs SET " + column + " = ?, row_version = row_version + 1 WHERE id = ? AND " + column + " = ?",
                to.name(), runId, from.name());
        expectOne(n, step.wireName() + " of run " + runId + " is no longer " + from);
    }

    /** Moves a task from {@code from} by {@code event}; returns the new state. */
    public TaskState taskEvent(String runId, String taskId, TaskState from, TaskEvent event, int attempt, String cause,
                               Optional<WaitReason> waitReason, Optional<Integer> exitCode) {
        TaskState to = Transitions.TASK.apply(from, event);
        String at = now();
        // a cleared task keeps its attempt numbers (and their logs); its retries count from here
        String attempts = event == TaskEvent.START ? ", attempts = ?"
                : event == TaskEvent.CLEAR ? ", attempt_base = attempts" : "";
        // a cleared task forgets its exit code; otherwise a new one replaces it only when given
        String exit = event == TaskEvent.CLEAR ? "exit_code = NULL" : "exit_code = COALESCE(?, exit_code)";
        List<Object> args = new ArrayList<>(List.of(to.name(), nullable(waitReason.map(Enum::name))));
        if (event != TaskEvent.CLEAR) {
            args.add(nullable(exitCode));
        }
        args.add(nullable(cause));
        if (event == TaskEvent.START) {
            args.add(attempt);
        }
        args.addAll(List.of(runId, taskId, from.name()));
        int n = jdbc("UPDATE tasks SET state = ?, wait_reason = ?, " + exit + ", cause = ?,"
                + " row_version = row_version + 1" + attempts + " WHERE run_id = ? AND task_id = ? AND state = ?", args.toArray());
        expectOne(n, "task " + taskId + " of run " + runId + " is no longer " + from.wireName());
        transitions.add(new Object[] {runId, taskId, attempt, at, from.name(), to.name(), event.name(), nullable(cause)});
        return to;
    }

    /** Task transitions not yet written: they go in one statement when the transaction's work is done. */
    private final List<Object[]> transitions = new ArrayList<>();
    private static final int TRANSITIONS_PER_STATEMENT = 500;

    /** Writes what is still held (the task transitions); the transaction then commits. */
    void flush() {
        for (int from = 0; from < transitions.size(); from += TRANSITIONS_PER_STATEMENT) {
            List<Object[]> rows = transitions.subList(from, Math.min(transitions.size(), from + TRANSITIONS_PER_STATEMENT));
            StringBuilder sql = new StringBuilder(
                    "INSERT INTO task_transitions (run_id, task_id, attempt, at, from_state, to_state, event, cause) VALUES ");
            Object[] args = new Object[rows.size() * 8];
            for (int i = 0; i < rows.size(); i++) {
                sql.append(i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)");
                System.arraycopy(rows.get(i), 0, args, i * 8, 8);
            }
            jdbc(sql.toString(), args);
        }
        transitions.clear();
    }

    /** The exit status of a task's last attempt, known only after its stopped process is gone. */
    public void taskExitCode(String runId, String taskId, int exitCode) {
        jdbc("UPDATE tasks SET exit_code = ?, row_version = row_version + 1 WHERE run_id = ? AND task_id = ?", exitCode, runId, taskId);
    }

    /**
     * Ends a run that an internal error stopped: unfinished tasks are cancelled and the run failed,
     * whatever state they were in, each change recorded as a transition with the cause.
     */
    public void abandonRun(String runId, String cause) {
        for (TaskRecord t : RunStore.tasks(connection, runId)) {
            if (!t.state().isTerminal()) {
                taskEvent(runId, t.taskId(), t.state(), TaskEvent.CANCEL, t.attempts(), cause, Optional.empty(), Optional.empty());
            }
        }
        RunState state = RunState.valueOf(Sql.first(connection, "SELECT state FROM runs WHERE id = ?", (rs, ctx) -> rs.getString(1), runId)
                .orElseThrow(() -> new UnknownRunException("no run '" + runId + "'")));
        if (!state.isTerminal()) {
            runEvent(runId, state, state == RunState.RUNNING ? RunEvent.FAIL : RunEvent.CANCEL, cause);
        }
    }

    /**
     * Sends a finished run round again (SPEC §6 clear): the named tasks go back to pending (their
     * attempts and logs are kept), setup and teardown are due again, and the run is queued, to be
     * driven in a fresh workspace on the same version. {@code expectedRowVersion}, when given,
     * must still be the run's: a plan made earlier refuses to clear a run that changed since.
     */
    public void clearRun(String runId, RunState from, List<String> taskIds, StepState setup, StepState teardown,
                         String cause, Optional<Long> expectedRowVersion) {
        if (expectedRowVersion.isPresent()) {
            long now = Sql.first(connection, "SELECT row_version FROM runs WHERE id = ?" + forUpdate(), (rs, ctx) -> rs.getLong(1), runId)
                    .orElseThrow(() -> new UnknownRunException("no run '" + runId + "'"));
            expectOne(now == expectedRowVersion.get() ? 1 : 0, "run " + runId + " changed since the plan was made");
        }
        Map<String, TaskRecord> byId = new java.util.HashMap<>();
        RunStore.tasks(connection, runId).forEach(t -> byId.put(t.taskId(), t));
        for (String taskId : taskIds) {
            TaskRecord t = byId.get(taskId);
            taskEvent(runId, taskId, t.state(), TaskEvent.CLEAR, t.attempts(), cause, Optional.empty(), Optional.empty());
        }
        runEvent(runId, from, RunEvent.CLEAR, cause);
        // a run that goes round again and waits too long again deserves its stuck alert again
        jdbc("DELETE FROM stuck_alerts WHERE run_id = ?", runId);
        jdbc("""
                UPDATE runs SET round = round + 1, setup_state = ?, teardown_state = ?, cancel_requested = 0, timed_out = 0,
                       driver_pid = NULL, driver_start = NULL, workspace = NULL, started_at = NULL, owner = NULL,
                       row_version = row_version + 1
                WHERE id = ?""", setup.name(), teardown.name(), runId);
    }

    /** A step of a recovery plan is done: its run was cleared, or it was passed over (the note says why). */
    public void recoveryStepDone(String planId, int position, Optional<String> note) {
        jdbc("UPDATE recovery_steps SET cleared_at = ?, note = ? WHERE plan_id = ? AND position = ? AND cleared_at IS NULL",
                now(), nullable(note), planId, position);
    }

    /** Records an attempt before its process starts, so that a crash right after still knows where its log and exit file are. */
    public void startAttempt(String runId, String taskId, int attempt, String logPath, String exitPath) {
        jdbc("INSERT INTO attempts (run_id, task_id, attempt, log_path, exit_path, started_at) VALUES (?, ?, ?, ?, ?, ?)",
                runId, taskId, attempt, logPath, exitPath, now());
    }

    public void attemptProcess(String runId, String taskId, int attempt, long pid, String pidStart) {
        jdbc("UPDATE attempts SET pid = ?, pid_start = ? WHERE run_id = ? AND task_id = ? AND attempt = ?",
                pid, pidStart, runId, taskId, attempt);
    }

    public void endAttempt(String runId, String taskId, int attempt, Optional<Integer> exitCode, String outcome,
                           Optional<String> playbookEntry) {
        jdbc("""
                UPDATE attempts SET ended_at = COALESCE(ended_at, ?), exit_code = COALESCE(?, exit_code),
                       outcome = ?, playbook_entry = COALESCE(?, playbook_entry)
                WHERE run_id = ? AND task_id = ? AND attempt = ?""",
                now(), nullable(exitCode), outcome, nullable(playbookEntry), runId, taskId, attempt);
    }

    /** {@link #endAttempt} of an attempt whose process (pid and start time) is recorded with its end, in one statement. */
    public void endAttempt(String runId, String taskId, int attempt, Optional<Integer> exitCode, String outcome,
                           Optional<String> playbookEntry, long pid, String pidStart) {
        jdbc("""
                UPDATE attempts SET ended_at = COALESCE(ended_at, ?), exit_code = COALESCE(?, exit_code),
                       outcome = ?, playbook_entry = COALESCE(?, playbook_entry), pid = ?, pid_start = ?
                WHERE run_id = ? AND task_id = ? AND attempt = ?""",
                now(), nullable(exitCode), outcome, nullable(playbookEntry), pid, pidStart, runId, taskId, attempt);
    }

    private void insertRunTransition(String runId, RunState from, RunState to, String event, String cause, String at) {
        jdbc("INSERT INTO run_transitions (run_id, at, from_state, to_state, event, cause) VALUES (?, ?, ?, ?, ?, ?)",
                runId, at, from == null ? NULL : from.name(), to.name(), event, nullable(cause));
    }

    private int jdbc(String sql, Object... args) {
        return Sql.update(connection, sql, args);
    }

    private static final Object NULL = Sql.NULL;

    private static Object nullable(Optional<?> value) {
        return Sql.nullable(value);
    }

    private static Object nullable(Object value) {
        return Sql.nullable(value);
    }

    /** Locks the rows read until the transaction ends: PostgreSQL's way; SQLite's write transactions hold the whole database. */
    private String forUpdate() {
        return dialect == Database.Dialect.POSTGRESQL ? " FOR UPDATE" : "";
    }

    private static void expectOne(int updated, String message) {
        if (updated != 1) {
            throw new ConcurrentChangeException(message);
        }
    }
}
