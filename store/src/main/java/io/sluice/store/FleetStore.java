package io.sluice.store;

import io.sluice.run.RunState;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * What servers sharing one database agree on: who is there (each server's row and its beat),
 * who holds each duty, and which server drives each run. Every change is a conditional update,
 * so that two servers asking at once never both get a run or a duty.
 */
public final class FleetStore {
    private final Jdbi jdbi;
    private final Clock clock;
    private final Database.Dialect dialect;

    public FleetStore(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
        this.dialect = database.dialect();
    }

    /** A server as it registered, with its latest beat. */
    public record Server(String id, String host, long pid, Optional<String> pidStart, String home, Optional<String> url,
                         long beat, boolean stopped) {
    }

    public void register(String id, String host, long pid, Optional<String> pidStart, String home) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO servers (id, host, pid, pid_start, home, started_at) VALUES (:id, :host, :pid, :start, :home, :at)""")
                .bind("id", id).bind("host", host).bind("pid", pid).bind("start", pidStart.orElse(null)).bind("home", home)
                .bind("at", clock.instant().toString()).execute());
    }

    public void publishUrl(String id, String url) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE servers SET url = :url WHERE id = :id").bind("url", url).bind("id", id).execute());
    }

    /** One beat; false when the row is gone or marked stopped (another server judged this one gone). */
    public boolean beat(String id) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE servers SET beat = beat + 1 WHERE id = :id AND stopped_at IS NULL")
                .bind("id", id).execute()) == 1;
    }

    /** A clean stop, or another server's verdict on a dead one: from now on nobody waits for it. */
    public void markStopped(String id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE servers SET stopped_at = :at WHERE id = :id AND stopped_at IS NULL")
                .bind("at", clock.instant().toString()).bind("id", id).execute());
    }

    /** Servers not marked stopped, and stopped ones that still own unfinished runs or hold a duty. */
    public List<Server> servers() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM servers s WHERE stopped_at IS NULL
                           OR EXISTS (SELECT 1 FROM runs r WHERE r.owner = s.id AND r.state IN ('QUEUED', 'WAITING', 'RUNNING'))
                           OR EXISTS (SELECT 1 FROM leases l WHERE l.holder = s.id)
                        ORDER BY started_at, id""")
                .map((rs, ctx) -> new Server(rs.getString("id"), rs.getString("host"), rs.getLong("pid"),
                        Optional.ofNullable(rs.getString("pid_start")), rs.getString("home"), Optional.ofNullable(rs.getString("url")),
                        rs.getLong("beat"), rs.getString("stopped_at") != null))
                .list());
    }

    // ---- duties ----------------------------------------------------------------------------------

    /** The holder of the duty, taking it when nobody holds it. */
    public String holder(String duty, String me) {
        return jdbi.withHandle(h -> {
            h.createUpdate("INSERT INTO leases (name, holder) VALUES (:n, :me) ON CONFLICT (name) DO NOTHING")
                    .bind("n", duty).bind("me", me).execute();
            return h.createQuery("SELECT holder FROM leases WHERE name = :n").bind("n", duty).mapTo(String.class).one();
        });
    }

    /** Takes the duty from {@code dead}; false when someone else took it first. */
    public boolean takeDuty(String duty, String dead, String me) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE leases SET holder = :me WHERE name = :n AND holder = :dead")
                .bind("me", me).bind("n", duty).bind("dead", dead).execute()) == 1;
    }

    public void releaseDuties(String me) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM leases WHERE holder = :me").bind("me", me).execute());
    }

    // ---- runs ------------------------------------------------------------------------------------

    /**
     * Claims a queued or waiting run for {@code me}, if nobody has it and (unless {@code anyway})
     * fewer than {@code maxActive} runs of its pipeline are driven: counted and claimed in one
     * transaction that holds the pipeline's row, so two servers cannot both take the last place.
     */
    public boolean claim(String runId, String pipeline, int maxActive, boolean anyway, String me) {
        return jdbi.inTransaction(h -> {
            if (dialect == Database.Dialect.POSTGRESQL) {
                h.createQuery("SELECT id FROM pipelines WHERE id = :p FOR UPDATE").bind("p", pipeline).mapTo(String.class).findOne();
            }
            if (!anyway) {
                int active = h.createQuery("""
                                SELECT COUNT(*) FROM runs WHERE pipeline = :p AND owner IS NOT NULL AND id <> :id
                                AND state IN ('QUEUED', 'WAITING', 'RUNNING')""")
                        .bind("p", pipeline).bind("id", runId).mapTo(Integer.class).one();
                if (active >= maxActive) {
                    return false;
                }
            }
            return h.createUpdate("""
                            UPDATE runs SET owner = :me, row_version = row_version + 1
                            WHERE id = :id AND owner IS NULL AND state IN ('QUEUED', 'WAITING')""")
                    .bind("me", me).bind("id", runId).execute() == 1;
        });
    }

    /** Runs of the pipeline that some server drives (they count against max_active_runs). */
    public int activeRuns(String pipeline) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COUNT(*) FROM runs WHERE pipeline = :p AND owner IS NOT NULL AND state IN ('QUEUED', 'WAITING', 'RUNNING')""")
                .bind("p", pipeline).mapTo(Integer.class).one());
    }

    /** Unfinished runs {@code owner} drives: id and state. */
    public List<OwnedRun> unfinishedRunsOf(String owner) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, state, cancel_requested FROM runs WHERE owner = :o AND state IN ('QUEUED', 'WAITING', 'RUNNING')
                        ORDER BY created_at""")
                .bind("o", owner)
                .map((rs, ctx) -> new OwnedRun(rs.getString(1), RunState.valueOf(rs.getString(2)), rs.getInt(3) != 0)).list());
    }

    public record OwnedRun(String id, RunState state, boolean cancelRequested) {
    }

    /** Moves a run from a dead owner to {@code me}; false when another server moved it first. */
    public boolean takeOver(String runId, String dead, String me) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE runs SET owner = :me, row_version = row_version + 1 WHERE id = :id AND owner = :dead")
                .bind("me", me).bind("id", runId).bind("dead", dead).execute()) == 1;
    }

    /** Claims a running run that nobody owns (a killed `sluice run` drove it); false when another server claimed it first. */
    public boolean adopt(String runId, String me) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE runs SET owner = :me, row_version = row_version + 1 WHERE id = :id AND owner IS NULL")
                .bind("me", me).bind("id", runId).execute()) == 1;
    }

    /** Lets go of a run that has not started (its owner died, or gave it up): any server may claim it again. */
    public boolean release(String runId, String owner) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE runs SET owner = NULL, row_version = row_version + 1
                        WHERE id = :id AND owner = :o AND state IN ('QUEUED', 'WAITING')""")
                .bind("id", runId).bind("o", owner).execute()) == 1;
    }
}
