-- The deploy gate: versions with their test records, the active version of each pipeline,
-- the audit log (append-only, enforced below) and the failures no playbook entry covered.

CREATE TABLE versions (
    version     TEXT PRIMARY KEY,
    pipeline    TEXT NOT NULL,
    stored_path TEXT,
    stored_at   TEXT,
    green_at    TEXT
);
CREATE INDEX versions_by_pipeline ON versions (pipeline);

-- One row per `sluice test` or `sluice deploy` that ran a version's tests.
CREATE TABLE test_sessions (
    id         TEXT PRIMARY KEY,
    version    TEXT NOT NULL,
    pipeline   TEXT NOT NULL,
    who        TEXT NOT NULL,
    reason     TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at   TEXT NOT NULL,
    passed     INTEGER NOT NULL
);
CREATE INDEX test_sessions_by_version ON test_sessions (version, ended_at);

CREATE TABLE test_results (
    session_id  TEXT NOT NULL REFERENCES test_sessions (id),
    test        TEXT NOT NULL,
    passed      INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    run_state   TEXT,
    problems    TEXT NOT NULL,
    PRIMARY KEY (session_id, test)
);

CREATE TABLE pipelines (
    id             TEXT PRIMARY KEY,
    active_version TEXT NOT NULL REFERENCES versions (version),
    activated_at   TEXT NOT NULL,
    row_version    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE activations (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline TEXT NOT NULL,
    version  TEXT NOT NULL,
    previous TEXT,
    at       TEXT NOT NULL,
    who      TEXT NOT NULL,
    how      TEXT NOT NULL
);
CREATE INDEX activations_by_pipeline ON activations (pipeline, id);

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    who     TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail  TEXT
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE playbook_gaps (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline  TEXT NOT NULL,
    version   TEXT NOT NULL,
    source    TEXT NOT NULL,
    run_id    TEXT NOT NULL,
    task      TEXT,
    kind      TEXT NOT NULL,
    attempt   INTEGER NOT NULL,
    exit_code INTEGER,
    entry     TEXT,
    excerpt   TEXT NOT NULL,
    seen_at   TEXT NOT NULL
);
CREATE INDEX playbook_gaps_by_pipeline ON playbook_gaps (pipeline, id);
