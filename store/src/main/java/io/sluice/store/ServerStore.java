package io.sluice.store;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/** What only the server keeps: API tokens (hashed), the secret store, alert deliveries, stuck alerts sent. */
public final class ServerStore {
    private final Jdbi jdbi;
    private final Clock clock;

    public ServerStore(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
    }

    /** A token's name and role; the token itself is never stored, only its SHA-256. */
    public record Token(String name, String role) {
    }

    public boolean addToken(String name, String role, String hash, String createdBy) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO tokens (name, role, hash, created_at, created_by) VALUES (:n, :r, :h, :at, :by)
                        ON CONFLICT DO NOTHING""")
                .bind("n", name).bind("r", role).bind("h", hash).bind("at", clock.instant().toString()).bind("by", createdBy)
                .execute()) == 1;
    }

    public Optional<Token> tokenByHash(String hash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT name, role FROM tokens WHERE hash = :h").bind("h", hash)
                .map((rs, ctx) -> new Token(rs.getString(1), rs.getString(2))).findOne());
    }

    public List<Token> tokens() {
        return jdbi.withHandle(h -> h.createQuery("SELECT name, role FROM tokens ORDER BY name")
                .map((rs, ctx) -> new Token(rs.getString(1), rs.getString(2))).list());
    }

    public void setSecret(String name, String value, String by) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO secrets (name, value, updated_at, updated_by) VALUES (:n, :v, :at, :by)
                        ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by""")
                .bind("n", name).bind("v", value).bind("at", clock.instant().toString()).bind("by", by).execute());
    }

    public Map<String, String> secrets() {
        return jdbi.withHandle(h -> {
            Map<String, String> all = new TreeMap<>();
            h.createQuery("SELECT name, value FROM secrets").map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> all.put(e.getKey(), e.getValue()));
            return all;
        });
    }

    /** Secret names with when and by whom each was last set; never the values. */
    public List<Map<String, String>> secretNames() {
        return jdbi.withHandle(h -> h.createQuery("SELECT name, updated_at, updated_by FROM secrets ORDER BY name")
                .map((rs, ctx) -> {
                    // in this order when printed as JSON
                    Map<String, String> m = new java.util.LinkedHashMap<>();
                    m.put("name", rs.getString(1));
                    m.put("updated_at", rs.getString(2));
                    m.put("updated_by", rs.getString(3));
                    return m;
                }).list());
    }

    /** Records an alert to deliver; returns its id. */
    public long addDelivery(String runId, Optional<String> task, String kind, String sink, String payload) {
        String at = clock.instant().toString();
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO alert_deliveries (run_id, task, kind, sink, state, payload, created_at, updated_at)
                        VALUES (:r, :t, :k, :s, 'pending', :p, :at, :at)""")
                .bind("r", runId).bind("t", task.orElse(null)).bind("k", kind).bind("s", sink).bind("p", payload).bind("at", at)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    public void updateDelivery(long id, String state, int attempts, Optional<String> error) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE alert_deliveries SET state = :s, attempts = :a, last_error = :e, updated_at = :at WHERE id = :id")
                .bind("s", state).bind("a", attempts).bind("e", error.orElse(null)).bind("at", clock.instant().toString()).bind("id", id)
                .execute());
    }

    /** Deliveries, newest first: what was sent, what failed and why. */
    public List<Map<String, Object>> deliveries(int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_deliveries ORDER BY id DESC LIMIT :l").bind("l", limit)
                .map((rs, ctx) -> {
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    m.put("id", rs.getLong("id"));
                    m.put("run", rs.getString("run_id"));
                    m.put("task", rs.getString("task"));
                    m.put("kind", rs.getString("kind"));
                    m.put("sink", rs.getString("sink"));
                    m.put("state", rs.getString("state"));
                    m.put("attempts", rs.getInt("attempts"));
                    m.put("error", rs.getString("last_error"));
                    m.put("at", rs.getString("updated_at"));
                    return m;
                }).list());
    }

    /** Marks the stuck alert of a run (task "") or task as sent; false if it was sent before. */
    public boolean markStuck(String runId, String taskId) {
        return jdbi.withHandle(h -> h.createUpdate("INSERT INTO stuck_alerts (run_id, task_id, sent_at) VALUES (:r, :t, :at) ON CONFLICT DO NOTHING")
                .bind("r", runId).bind("t", taskId).bind("at", clock.instant().toString()).execute()) == 1;
    }

    /** Counts for /metrics, read in one go: runs and tasks by state, alert deliveries by state, playbook matches and gaps. */
    public Map<String, Map<String, Long>> counts() {
        return jdbi.withHandle(h -> {
            Map<String, Map<String, Long>> all = new TreeMap<>();
            for (String[] q : new String[][] {
                    {"runs", "SELECT state, COUNT(*) FROM runs WHERE kind <> 'test' GROUP BY state"},
                    {"tasks", "SELECT t.state, COUNT(*) FROM tasks t JOIN runs r ON r.id = t.run_id WHERE r.kind <> 'test' GROUP BY t.state"},
                    {"alerts", "SELECT state, COUNT(*) FROM alert_deliveries GROUP BY state"},
                    {"playbook", "SELECT 'matched', COUNT(*) FROM attempts WHERE playbook_entry IS NOT NULL"
                            + " UNION ALL SELECT 'gaps', COUNT(*) FROM playbook_gaps"}}) {
                Map<String, Long> m = new TreeMap<>();
                h.createQuery(q[1]).map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> m.put(e.getKey(), e.getValue()));
                all.put(q[0], m);
            }
            return all;
        });
    }
}
