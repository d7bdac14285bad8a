package io.sluice.store;

import io.sluice.recovery.RecoveryPlanner;
import io.sluice.run.RunState;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Recovery plans and their steps (SPEC §6 {@code recover}). */
public final class RecoveryStore {
    private final Jdbi jdbi;
    private final Clock clock;

    public RecoveryStore(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
    }

    /** A step as saved: the run it clears, and what happened when the plan was applied. */
    public record StepRecord(int position, String runId, String pipeline, String logicalDate, String action, String why,
                             long rowVersion, Optional<Instant> clearedAt, Optional<String> note, Optional<RunNow> now) {
    }

    /** The step's run as it is now (read with the step, in one query): empty when the run is gone. */
    public record RunNow(RunState state, Optional<String> reason, long rowVersion) {
    }

    public record PlanRecord(String id, Instant createdAt, String createdBy, String scope, String resumes,
                             Optional<Instant> appliedAt, Optional<String> appliedBy, List<StepRecord> steps) {
    }

    /** Every run a plan may look at: those of deployed versions (not dev runs, not tests). */
    public List<RecoveryPlanner.Run> plannableRuns() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, pipeline, logical_date, interval_start, interval_end, state, reason, created_at, row_version
                        FROM runs WHERE kind IN ('scheduled', 'manual', 'backfill')""")
                .map((rs, ctx) -> new RecoveryPlanner.Run(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.parse(rs.getString(4)), Instant.parse(rs.getString(5)), RunState.valueOf(rs.getString(6)),
                        Optional.ofNullable(rs.getString(7)), Instant.parse(rs.getString(8)), rs.getLong(9)))
                .list());
    }

    public void save(String id, String who, String scopeJson, String resumesJson, List<RecoveryPlanner.Step> steps) {
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO recovery_plans (id, created_at, created_by, scope, resumes) VALUES (:id, :at, :by, :scope, :resumes)")
                    .bind("id", id).bind("at", clock.instant().toString()).bind("by", who).bind("scope", scopeJson)
                    .bind("resumes", resumesJson).execute();
            var batch = h.prepareBatch("""
                    INSERT INTO recovery_steps (plan_id, position, run_id, pipeline, logical_date, action, why, row_version)
                    VALUES (:plan, :pos, :run, :pipeline, :date, :action, :why, :rv)""");
            for (int i = 0; i < steps.size(); i++) {
                RecoveryPlanner.Step s = steps.get(i);
                batch.bind("plan", id).bind("pos", i + 1).bind("run", s.run().id()).bind("pipeline", s.run().pipeline())
                        .bind("date", s.run().logicalDate()).bind("action", s.action().wireName()).bind("why", s.why())
                        .bind("rv", s.run().rowVersion()).add();
            }
            if (!steps.isEmpty()) {
                batch.execute();
            }
        });
    }

    public Optional<PlanRecord> plan(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM recovery_plans WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new PlanRecord(rs.getString("id"), Instant.parse(rs.getString("created_at")), rs.getString("created_by"),
                        rs.getString("scope"), rs.getString("resumes"), Optional.ofNullable(rs.getString("applied_at")).map(Instant::parse),
                        Optional.ofNullable(rs.getString("applied_by")), steps(h, id)))
                .findOne());
    }

    /** Plans being applied: some step not cleared yet. */
    public List<String> plansInProgress() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT DISTINCT p.id FROM recovery_plans p JOIN recovery_steps s ON s.plan_id = p.id
                        WHERE p.applied_at IS NOT NULL AND s.cleared_at IS NULL ORDER BY p.applied_at""")
                .mapTo(String.class).list());
    }

    private static List<StepRecord> steps(org.jdbi.v3.core.Handle h, String planId) {
        return h.createQuery("""
                        SELECT s.*, r.state AS run_state, r.reason AS run_reason, r.row_version AS run_row_version
                        FROM recovery_steps s LEFT JOIN runs r ON r.id = s.run_id
                        WHERE s.plan_id = :id ORDER BY s.position""").bind("id", planId)
                .map((rs, ctx) -> {
                    String state = rs.getString("run_state");
                    Optional<RunNow> now = state == null ? Optional.empty()
                            : Optional.of(new RunNow(RunState.valueOf(state), Optional.ofNullable(rs.getString("run_reason")), rs.getLong("run_row_version")));
                    return new StepRecord(rs.getInt("position"), rs.getString("run_id"), rs.getString("pipeline"),
                            rs.getString("logical_date"), rs.getString("action"), rs.getString("why"), rs.getLong("row_version"),
                            Optional.ofNullable(rs.getString("cleared_at")).map(Instant::parse), Optional.ofNullable(rs.getString("note")), now);
                })
                .list();
    }

    /** Marks the plan applied; false when it was applied already. */
    public boolean markApplied(String id, String who) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE recovery_plans SET applied_at = :at, applied_by = :by WHERE id = :id AND applied_at IS NULL")
                .bind("at", clock.instant().toString()).bind("by", who).bind("id", id).execute()) == 1;
    }
}
