package io.sluice.store;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What the deploy gate keeps: versions and their test sessions, the active version of each
 * pipeline with the history of activations, the audit log and the playbook gaps.
 */
public final class GateStore {
    private final Jdbi jdbi;
    private final Clock clock;
    private final boolean shared;

    public GateStore(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
        this.shared = database.shared();
    }

    // ---- versions' files, for servers on other machines ----------------------------------------

    /** Whether versions' files are kept in the database too: when servers on several machines share it. */
    public boolean sharesVersions() {
        return shared;
    }

    /** Keeps a version's files (a zip) once; versions never change. */
    public void saveBundle(String version, byte[] bundle) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO version_bundles (version, bundle) VALUES (:v, :b) ON CONFLICT (version) DO NOTHING")
                .bind("v", version).bind("b", bundle).execute());
    }

    public Optional<byte[]> bundle(String version) {
        return jdbi.withHandle(h -> h.createQuery("SELECT bundle FROM version_bundles WHERE version = :v").bind("v", version)
                .map((rs, ctx) -> rs.getBytes(1)).findOne());
    }

    // ---- test sessions --------------------------------------------------------------------------

    public void recordTestSession(TestSession s) {
        jdbi.useTransaction(h -> {
            ensureVersion(h, s.version(), s.pipeline());
            h.createUpdate("""
                            INSERT INTO test_sessions (id, version, pipeline, who, reason, started_at, ended_at, passed)
                            VALUES (:id, :version, :pipeline, :who, :reason, :started, :ended, :passed)""")
                    .bind("id", s.id()).bind("version", s.version()).bind("pipeline", s.pipeline()).bind("who", s.who())
                    .bind("reason", s.reason()).bind("started", s.startedAt().toString()).bind("ended", s.endedAt().toString())
                    .bind("passed", s.passed() ? 1 : 0).execute();
            for (TestOutcome o : s.outcomes()) {
                h.createUpdate("""
                                INSERT INTO test_results (session_id, test, passed, duration_ms, run_state, problems)
                                VALUES (:session, :test, :passed, :ms, :state, :problems)""")
                        .bind("session", s.id()).bind("test", o.test()).bind("passed", o.passed() ? 1 : 0)
                        .bind("ms", o.durationMillis()).bind("state", o.runState().orElse(null))
                        .bind("problems", Rows.Json.MAPPER.writeValueAsString(o.problems())).execute();
            }
            if (s.passed()) {
                h.createUpdate("UPDATE versions SET green_at = COALESCE(green_at, :at) WHERE version = :v")
                        .bind("at", s.endedAt().toString()).bind("v", s.version()).execute();
            }
        });
    }

    /** The session that made this version green, if one did. */
    public Optional<TestSession> greenSession(String version) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT id FROM test_sessions WHERE version = :v AND passed = 1 ORDER BY ended_at LIMIT 1")
                .bind("v", version).mapTo(String.class).findOne().map(id -> session(h, id)));
    }

    private static Optional<TestSession> latestSession(Handle h, String version) {
        Optional<String> green = h.createQuery("SELECT id FROM test_sessions WHERE version = :v AND passed = 1 ORDER BY ended_at LIMIT 1")
                .bind("v", version).mapTo(String.class).findOne();
        Optional<String> id = green.or(() -> h.createQuery("SELECT id FROM test_sessions WHERE version = :v ORDER BY ended_at DESC LIMIT 1")
                .bind("v", version).mapTo(String.class).findOne());
        return id.map(i -> session(h, i));
    }

    private static TestSession session(Handle h, String id) {
        List<TestOutcome> outcomes = h.createQuery("SELECT * FROM test_results WHERE session_id = :id ORDER BY rowid")
                .bind("id", id)
                .map((rs, ctx) -> new TestOutcome(rs.getString("test"), rs.getInt("passed") != 0, rs.getLong("duration_ms"),
                        Optional.ofNullable(rs.getString("run_state")),
                        List.of(Rows.Json.MAPPER.readValue(rs.getString("problems"), String[].class))))
                .list();
        return h.createQuery("SELECT * FROM test_sessions WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> new TestSession(rs.getString("id"), rs.getString("version"), rs.getString("pipeline"),
                        rs.getString("who"), rs.getString("reason"), Instant.parse(rs.getString("started_at")),
                        Instant.parse(rs.getString("ended_at")), rs.getInt("passed") != 0, outcomes))
                .one();
    }

    // ---- versions and activation ----------------------------------------------------------------

    private static void ensureVersion(Handle h, String version, String pipeline) {
        h.createUpdate("INSERT INTO versions (version, pipeline) VALUES (:v, :p) ON CONFLICT (version) DO NOTHING")
                .bind("v", version).bind("p", pipeline).execute();
    }

    /** Records where the version's files are kept (once: versions are immutable). */
    public void storeVersion(String version, String pipeline, String storedPath) {
        jdbi.useTransaction(h -> {
            ensureVersion(h, version, pipeline);
            h.createUpdate("UPDATE versions SET stored_path = :path, stored_at = :at WHERE version = :v AND stored_path IS NULL")
                    .bind("path", storedPath).bind("at", clock.instant().toString()).bind("v", version).execute();
        });
    }

    public Optional<String> activeVersion(String pipeline) {
        return jdbi.withHandle(h -> h.createQuery("SELECT active_version FROM pipelines WHERE id = :p")
                .bind("p", pipeline).mapTo(String.class).findOne());
    }

    /** Every pipeline with an active version, and that version. */
    public Map<String, String> activeVersions() {
        return jdbi.withHandle(h -> {
            Map<String, String> all = new java.util.TreeMap<>();
            h.createQuery("SELECT id, active_version FROM pipelines").map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> all.put(e.getKey(), e.getValue()));
            return all;
        });
    }

    /**
     * Makes {@code version} the active one of {@code pipeline}, if the active version is still
     * {@code expected} (empty: none yet); false when another writer changed it meanwhile.
     */
    public boolean activate(String pipeline, String version, Optional<String> expected, String who, String how) {
        return jdbi.inTransaction(h -> {
            Optional<String> current = h.createQuery("SELECT active_version FROM pipelines WHERE id = :p")
                    .bind("p", pipeline).mapTo(String.class).findOne();
            if (!current.equals(expected)) {
                return false;
            }
            String at = clock.instant().toString();
            if (current.isEmpty()) {
                h.createUpdate("INSERT INTO pipelines (id, active_version, activated_at) VALUES (:p, :v, :at)")
                        .bind("p", pipeline).bind("v", version).bind("at", at).execute();
            } else {
                h.createUpdate("""
                                UPDATE pipelines SET active_version = :v, activated_at = :at, row_version = row_version + 1
                                WHERE id = :p AND active_version = :expected""")
                        .bind("p", pipeline).bind("v", version).bind("at", at).bind("expected", current.get()).execute();
            }
            h.createUpdate("INSERT INTO activations (pipeline, version, previous, at, who, how) VALUES (:p, :v, :prev, :at, :who, :how)")
                    .bind("p", pipeline).bind("v", version).bind("prev", current.orElse(null)).bind("at", at)
                    .bind("who", who).bind("how", how).execute();
            return true;
        });
    }

    /** When each version of the pipeline was last activated. */
    private static Map<String, Instant> activatedAt(Handle h, String pipeline) {
        Map<String, Instant> at = new java.util.HashMap<>();
        h.createQuery("SELECT version, MAX(at) FROM activations WHERE pipeline = :p GROUP BY version").bind("p", pipeline)
                .map((rs, ctx) -> Map.entry(rs.getString(1), Instant.parse(rs.getString(2))))
                .forEach(e -> at.put(e.getKey(), e.getValue()));
        return at;
    }

    /** The pipeline's versions that were tested or stored, newest first. */
    public List<VersionRecord> versions(String pipeline) {
        return jdbi.withHandle(h -> {
            Optional<String> active = h.createQuery("SELECT active_version FROM pipelines WHERE id = :p")
                    .bind("p", pipeline).mapTo(String.class).findOne();
            Map<String, Instant> activated = activatedAt(h, pipeline);
            List<VersionRecord> result = new ArrayList<>();
            h.createQuery("""
                            SELECT v.*, (SELECT MAX(ended_at) FROM test_sessions s WHERE s.version = v.version) AS tested
                            FROM versions v WHERE pipeline = :p""")
                    .bind("p", pipeline)
                    .map((rs, ctx) -> new Object[] {rs.getString("version"), rs.getString("stored_path"), rs.getString("stored_at"),
                            rs.getString("green_at"), rs.getString("tested")})
                    .forEach(r -> result.add(new VersionRecord((String) r[0], pipeline, Optional.ofNullable((String) r[1]),
                            Optional.ofNullable((String) r[2]).map(Instant::parse), Optional.ofNullable((String) r[3]).map(Instant::parse),
                            active.equals(Optional.of((String) r[0])), latestSession(h, (String) r[0]))));
            result.sort(java.util.Comparator.comparing((VersionRecord v) -> activated.getOrDefault(v.version(),
                    v.storedAt().or(() -> v.tests().map(TestSession::endedAt)).orElse(Instant.EPOCH))).reversed());
            return result;
        });
    }

    public Optional<Instant> lastActivation(String pipeline, String version) {
        return jdbi.withHandle(h -> Optional.ofNullable(activatedAt(h, pipeline).get(version)));
    }

    // ---- audit ---------------------------------------------------------------------------------

    public void audit(String who, String action, String target, String outcome, String detail) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO audit (at, who, action, target, outcome, detail) VALUES (:at, :who, :action, :target, :outcome, :detail)""")
                .bind("at", clock.instant().toString()).bind("who", who).bind("action", action).bind("target", target)
                .bind("outcome", outcome).bind("detail", detail).execute());
    }

    /** Audit entries since {@code since}, oldest first. */
    public List<AuditEntry> audit(Optional<Instant> since, int limit) {
        return jdbi.withHandle(h -> {
            var q = h.createQuery("SELECT * FROM (SELECT * FROM audit WHERE at >= :since ORDER BY id DESC LIMIT :limit) newest ORDER BY id")
                    .bind("since", since.orElse(Instant.EPOCH).toString()).bind("limit", limit);
            return q.map((rs, ctx) -> new AuditEntry(rs.getLong("id"), Instant.parse(rs.getString("at")), rs.getString("who"),
                    rs.getString("action"), rs.getString("target"), rs.getString("outcome"),
                    Optional.ofNullable(rs.getString("detail")))).list();
        });
    }

    // ---- playbook gaps -------------------------------------------------------------------------

    public void recordGap(PlaybookGap g) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO playbook_gaps (pipeline, version, source, run_id, task, kind, attempt, exit_code, entry, excerpt, seen_at)
                        VALUES (:pipeline, :version, :source, :run, :task, :kind, :attempt, :exit, :entry, :excerpt, :at)""")
                .bind("pipeline", g.pipeline()).bind("version", g.version()).bind("source", g.source()).bind("run", g.runId())
                .bind("task", g.task().orElse(null)).bind("kind", g.kind()).bind("attempt", g.attempt())
                .bind("exit", g.exitCode().orElse(null)).bind("entry", g.entry().orElse(null)).bind("excerpt", g.excerpt().replace("\0", ""))
                .bind("at", g.seenAt().toString()).execute());
    }

    public List<PlaybookGap> gaps(String pipeline) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM playbook_gaps WHERE pipeline = :p ORDER BY id")
                .bind("p", pipeline)
                .map((rs, ctx) -> {
                    int exit = rs.getInt("exit_code");
                    Optional<Integer> exitCode = rs.wasNull() ? Optional.empty() : Optional.of(exit);
                    return new PlaybookGap(rs.getString("pipeline"), rs.getString("version"), rs.getString("source"),
                            rs.getString("run_id"), Optional.ofNullable(rs.getString("task")), rs.getString("kind"),
                            rs.getInt("attempt"), exitCode, Optional.ofNullable(rs.getString("entry")), rs.getString("excerpt"),
                            Instant.parse(rs.getString("seen_at")));
                }).list());
    }

    /** Pipelines the home knows: deployed ones and any with runs or tests. */
    public boolean knows(String pipeline) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT EXISTS (SELECT 1 FROM versions WHERE pipeline = :p) OR EXISTS (SELECT 1 FROM runs WHERE pipeline = :p)""")
                .bind("p", pipeline).mapTo(Boolean.class).one());
    }
}
