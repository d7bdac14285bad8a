package io.sluice.server;

import io.sluice.store.AuditEntry;
import io.sluice.store.GateStore;
import io.sluice.store.TestSession;
import io.sluice.store.VersionRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The gate's records as data ({@code versions --json}, {@code audit --json}), shared by the CLI and the API. */
public final class GateJson {
    private GateJson() {
    }

    /** {@code {"versions": [...]}}, newest first; empty when the pipeline has none. */
    public static Map<String, Object> versions(GateStore gate, String pipeline) {
        List<VersionRecord> versions = gate.versions(pipeline);
        return Map.of("versions", versions.stream().map(v -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", v.version());
            m.put("active", v.active());
            m.put("deployed_at", gate.lastActivation(pipeline, v.version()).or(v::storedAt).map(Instant::toString).orElse(null));
            m.put("green", v.greenAt().isPresent());
            m.put("tested_at", v.tests().map(t -> t.endedAt().toString()).orElse(null));
            m.put("tested_by", v.tests().map(TestSession::who).orElse(null));
            m.put("tested_for", v.tests().map(TestSession::reason).orElse(null));
            m.put("tests", v.tests().map(t -> t.outcomes().stream().map(o -> {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", o.test());
                r.put("passed", o.passed());
                r.put("duration_ms", o.durationMillis());
                r.put("problems", o.problems());
                return r;
            }).toList()).orElse(List.of()));
            return m;
        }).toList());
    }

    /** {@code {"entries": [...]}}, oldest first. */
    public static Map<String, Object> audit(List<AuditEntry> entries) {
        return Map.of("entries", entries.stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("at", e.at().toString());
            m.put("who", e.who());
            m.put("action", e.action());
            m.put("target", e.target());
            m.put("outcome", e.outcome());
            m.put("detail", e.detail().orElse(null));
            return m;
        }).toList());
    }
}
