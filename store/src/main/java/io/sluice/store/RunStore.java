package io.sluice.store;

import io.sluice.run.RunEvent;
import io.sluice.run.RunState;
import io.sluice.run.TaskState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;

/** Runs, tasks, attempts and their transitions: reads here, writes through {@link RunWriter} in one transaction each. */
public final class RunStore {
    private final Database database;
    private final Clock clock;
    private final Database.Dialect dialect;

    public RunStore(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
        this.dialect = database.dialect();
    }

    /** JDBI, for the reads that a run's own path does not make (those go through {@link Sql}). */
    private Jdbi jdbi() {
        return database.jdbi();
    }

    /** Runs {@code work} in one write transaction: all of its changes become durable together, or none. */
    public void write(Consumer<RunWriter> work) {
        Sql.inTransaction(database, c -> {
            RunWriter writer = new RunWriter(c, clock, dialect);
            work.accept(writer);
            writer.flush();
            return null;
        });
    }

    public void saveDefinition(String version, String pipeline, String pipelineYaml, Optional<String> playbookMd) {
        Sql.withConnection(database, c -> Sql.update(c, """
                        INSERT INTO definitions (version, pipeline, pipeline_yaml, playbook_md, stored_at)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (version) DO NOTHING""",
                version, pipeline, pipelineYaml, Sql.nullable(playbookMd), clock.instant().toString()));
    }

    public Optional<StoredDefinition> definition(String version) {
        return jdbi().withHandle(h -> h.createQuery("SELECT * FROM definitions WHERE version = :v")
                .bind("v", version).map(Rows.DEFINITION).findOne());
    }

    /** Creates the run, queued, with its tasks pending; the creation is the first transition of each. */
    public void createRun(NewRun run) {
        write(w -> w.createRun(run));
    }

    /**
     * Creates a scheduled or backfill run for its interval unless one exists: asking twice (a
     * restart, a clock stepping back, two servers) never makes two runs of one interval.
     */
    public boolean createRunOnce(NewRun run) {
        return Sql.inTransaction(database, c -> {
            RunWriter writer = new RunWriter(c, clock, dialect);
            boolean created = writer.createRunOnce(run);
            writer.flush();
            return created;
        });
    }

    /**
     * Logical-interval starts of the pipeline's succeeded runs in {@code [from, to)}: runs of a
     * deployed version (scheduled, manual, backfill); a dev run of a working copy or a test proves nothing downstream.
     */
    public java.util.Set<java.time.Instant> succeededStarts(String pipeline, java.time.Instant from, java.time.Instant to) {
        return jdbi().withHandle(h -> h.createQuery(
                        "SELECT DISTINCT interval_start FROM runs WHERE pipeline = :p AND state = 'SUCCEEDED'"
                                + " AND kind IN ('scheduled', 'manual', 'backfill')"
                                + " AND interval_start >= :from AND interval_start < :to")
                .bind("p", pipeline).bind("from", from.toString()).bind("to", to.toString())
                .mapTo(String.class).stream().map(java.time.Instant::parse).collect(java.util.stream.Collectors.toSet()));
    }

    /** The latest interval start the pipeline has a scheduled run for. */
    public Optional<java.time.Instant> lastScheduledStart(String pipeline) {
        return jdbi().withHandle(h -> h.createQuery(
                        "SELECT MAX(interval_start) FROM runs WHERE pipeline = :p AND kind = 'scheduled'")
                .bind("p", pipeline).mapTo(String.class).findOne().map(java.time.Instant::parse));
    }

    /** Runs in the given states, oldest first. */
    public List<RunRecord> runsIn(java.util.Collection<RunState> states) {
        return jdbi().withHandle(h -> h.createQuery("SELECT * FROM runs WHERE state IN (<states>) ORDER BY created_at, id")
                .bindList("states", states.stream().map(Enum::name).toList()).map(Rows.RUN).list());
    }

    /** A fix script's run ({@code sluice action}), as recorded. */
    public record ActionRun(String id, String pipeline, String version, String action, String logicalDate, String who,
                            String logPath, String workspace, Optional<Long> pid, Optional<String> pidStart,
                            java.time.Instant startedAt, Optional<java.time.Instant> endedAt, Optional<Integer> exitCode) {
    }

    /** Records a fix script's run before it starts, so that cleanup can find its workspace after any crash. */
    public void startAction(String id, String pipeline, String version, String action, String logicalDate, String who,
                            String logPath, String workspace) {
        jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO action_runs (id, pipeline, version, action, logical_date, who, log_path, workspace, started_at)
                        VALUES (:id, :p, :v, :a, :d, :who, :log, :ws, :at)""")
                .bind("id", id).bind("p", pipeline).bind("v", version).bind("a", action).bind("d", logicalDate).bind("who", who)
                .bind("log", logPath).bind("ws", workspace).bind("at", clock.instant().toString()).execute());
    }

    public void actionProcess(String id, long pid, String pidStart) {
        jdbi().useHandle(h -> h.createUpdate("UPDATE action_runs SET pid = :pid, pid_start = :start WHERE id = :id")
                .bind("pid", pid).bind("start", pidStart).bind("id", id).execute());
    }

    public void endAction(String id, int exitCode) {
        jdbi().useHandle(h -> h.createUpdate("UPDATE action_runs SET ended_at = :at, exit_code = :exit WHERE id = :id AND ended_at IS NULL")
                .bind("at", clock.instant().toString()).bind("exit", exitCode).bind("id", id).execute());
    }

    public Optional<ActionRun> action(String id) {
        return jdbi().withHandle(h -> h.createQuery("SELECT * FROM action_runs WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new ActionRun(rs.getString("id"), rs.getString("pipeline"), rs.getString("version"), rs.getString("action"),
                        rs.getString("logical_date"), rs.getString("who"), rs.getString("log_path"), rs.getString("workspace"),
                        Rows.longValue(rs, "pid"), Optional.ofNullable(rs.getString("pid_start")),
                        java.time.Instant.parse(rs.getString("started_at")),
                        Optional.ofNullable(rs.getString("ended_at")).map(java.time.Instant::parse),
                        Rows.integer(rs, "exit_code")))
                .findOne());
    }

    /** A run as a square on the pipelines page: only what it shows. */
    public record RunSquare(String id, String logicalDate, RunState state, RunKind kind) {
    }

    /** The newest {@code perPipeline} runs of every pipeline (not tests), newest first, in one query: the pipelines page. */
    public Map<String, List<RunSquare>> recentRunsByPipeline(int perPipeline) {
        return jdbi().withHandle(h -> {
            Map<String, List<RunSquare>> by = new java.util.TreeMap<>();
            // SQLite picks each pipeline's newest runs by rowid; PostgreSQL by a lateral join
            String sql = dialect == Database.Dialect.SQLITE ? """
                    SELECT r.pipeline, r.id, r.logical_date, r.state, r.kind
                    FROM (SELECT DISTINCT pipeline FROM runs) p
                    JOIN runs r ON r.rowid IN (SELECT rowid FROM runs WHERE pipeline = p.pipeline AND kind <> 'test'
                                               ORDER BY created_at DESC, id DESC LIMIT ?)
                    ORDER BY r.pipeline, r.created_at DESC, r.id DESC""" : """
                    SELECT r.pipeline, r.id, r.logical_date, r.state, r.kind
                    FROM (SELECT DISTINCT pipeline FROM runs) p
                    CROSS JOIN LATERAL (SELECT pipeline, id, logical_date, state, kind, created_at FROM runs
                                        WHERE pipeline = p.pipeline AND kind <> 'test'
                                        ORDER BY created_at DESC, id DESC LIMIT ?) r
                    ORDER BY r.pipeline, r.created_at DESC, r.id DESC""";
            try (var statement = h.getConnection().prepareStatement(sql)) {
                statement.setInt(1, perPipeline);
                try (var rs = statement.executeQuery()) {
                    while (rs.next()) {
                        by.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new RunSquare(rs.getString(2), rs.getString(3),
                                RunState.valueOf(rs.getString(4)), RunKind.fromWireName(rs.getString(5))));
                    }
                }
            } catch (java.sql.SQLException e) {
                throw new StoreException("cannot read the recent runs: " + e.getMessage(), e);
            }
            return by;
        });
    }

    /** Finished runs whose teardown was due (the run started) but never completed: a crash between the two. */
    public List<RunRecord> runsWithDueTeardown() {
        return jdbi().withHandle(h -> h.createQuery("""
                        SELECT * FROM runs WHERE state IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED')
                        AND teardown_state IN ('PENDING', 'RUNNING') AND started_at IS NOT NULL AND kind <> 'test'
                        ORDER BY created_at""").map(Rows.RUN).list());
    }

    /** When the run or task last changed state: how long it has been waiting. */
    public Optional<java.time.Instant> lastTransitionAt(String runId, Optional<String> taskId) {
        return jdbi().withHandle(h -> taskId.isEmpty()
                ? h.createQuery("SELECT MAX(at) FROM run_transitions WHERE run_id = :r").bind("r", runId).mapTo(String.class).findOne()
                : h.createQuery("SELECT MAX(at) FROM task_transitions WHERE run_id = :r AND task_id = :t")
                        .bind("r", runId).bind("t", taskId.get()).mapTo(String.class).findOne())
                .map(java.time.Instant::parse);
    }

    /** A task waiting for capacity or a pool, since when. */
    public record WaitingTask(String runId, String taskId, String reason, java.time.Instant since) {
    }

    public List<WaitingTask> waitingTasks() {
        return jdbi().withHandle(h -> h.createQuery("""
                        SELECT t.run_id, t.task_id, t.wait_reason,
                               (SELECT MAX(at) FROM task_transitions x WHERE x.run_id = t.run_id AND x.task_id = t.task_id) AS since
                        FROM tasks t JOIN runs r ON r.id = t.run_id
                        WHERE t.state = 'WAITING' AND r.state = 'RUNNING'""")
                .map((rs, ctx) -> new WaitingTask(rs.getString(1), rs.getString(2), String.valueOf(rs.getString(3)).toLowerCase(),
                        java.time.Instant.parse(rs.getString(4))))
                .list());
    }

    /** The process that drives a run: its pid and start time. */
    public record Driver(long pid, String startTime) {
    }

    public Optional<Driver> driverOf(String runId) {
        return jdbi().withHandle(h -> h.createQuery("SELECT driver_pid, driver_start FROM runs WHERE id = :id AND driver_pid IS NOT NULL")
                .bind("id", runId).map((rs, ctx) -> new Driver(rs.getLong(1), rs.getString(2))).findOne());
    }

    public Optional<RunRecord> findRun(String id) {
        return Sql.withConnection(database, c -> Sql.first(c, "SELECT * FROM runs WHERE id = ?", Rows.RUN, id));
    }

    /** The run with this id, or the only run whose id starts with it. */
    public RunRecord run(String idOrPrefix) {
        Optional<RunRecord> exact = findRun(idOrPrefix);
        if (exact.isPresent()) {
            return exact.get();
        }
        if (idOrPrefix.length() >= 4 && idOrPrefix.matches("[a-z0-9]+")) {
            List<RunRecord> matches = jdbi().withHandle(h -> h.createQuery(
                            "SELECT * FROM runs WHERE id >= :p AND id < :q ORDER BY id LIMIT 3")
                    .bind("p", idOrPrefix).bind("q", idOrPrefix + "\uffff").map(Rows.RUN).list());
            if (matches.size() == 1) {
                return matches.get(0);
            }
            if (matches.size() > 1) {
                throw new UnknownRunException("run id '" + idOrPrefix + "' is ambiguous: "
                        + String.join(", ", matches.stream().map(RunRecord::id).toList()) + ", ...");
            }
        }
        throw new UnknownRunException("no run '" + idOrPrefix + "' (sluice status lists runs)");
    }

    /** Runs newest first, of one pipeline or of all. */
    public List<RunRecord> runs(Optional<String> pipeline, int limit) {
        return jdbi().withHandle(h -> {
            String where = pipeline.isPresent() ? " WHERE pipeline = :pipeline" : "";
            var q = h.createQuery("SELECT * FROM runs" + where + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                    .bind("limit", limit);
            pipeline.ifPresent(p -> q.bind("pipeline", p));
            return q.map(Rows.RUN).list();
        });
    }

    public List<TaskRecord> tasks(String runId) {
        return Sql.withConnection(database, c -> tasks(c, runId));
    }

    static List<TaskRecord> tasks(java.sql.Connection c, String runId) {
        return Sql.list(c, "SELECT * FROM tasks WHERE run_id = ? ORDER BY position", Rows.TASK, runId);
    }

    /** The attempts of the run that failed or timed out, in the order they started: most runs have none. */
    public List<AttemptRecord> failedAttempts(String runId) {
        return Sql.withConnection(database, c -> Sql.list(c, "SELECT * FROM attempts WHERE run_id = ? AND outcome IN ('failed', 'timed_out')"
                + " ORDER BY started_at, task_id, attempt", Rows.ATTEMPT, runId));
    }

    public List<AttemptRecord> attempts(String runId) {
        return Sql.withConnection(database, c -> Sql.list(c, "SELECT * FROM attempts WHERE run_id = ? ORDER BY started_at, task_id, attempt",
                Rows.ATTEMPT, runId));
    }

    public List<TransitionRecord> runTransitions(String runId) {
        return jdbi().withHandle(h -> h.createQuery("SELECT * FROM run_transitions WHERE run_id = :id ORDER BY id")
                .bind("id", runId).map(Rows.RUN_TRANSITION).list());
    }

    public List<TransitionRecord> taskTransitions(String runId) {
        return jdbi().withHandle(h -> h.createQuery("SELECT * FROM task_transitions WHERE run_id = :id ORDER BY id")
                .bind("id", runId).map(Rows.TASK_TRANSITION).list());
    }

    /** Runs that are not finished, oldest first: what a restart or cleanup must look at. */
    public List<RunRecord> unfinishedRuns() {
        return jdbi().withHandle(h -> h.createQuery("SELECT * FROM runs WHERE state IN ('QUEUED', 'WAITING', 'RUNNING') ORDER BY created_at")
                .map(Rows.RUN).list());
    }

    static String wire(RunState s) {
        return s.name();
    }

    static String wire(TaskState s) {
        return s.name();
    }

    static String wire(RunEvent e) {
        return e.name();
    }
}
