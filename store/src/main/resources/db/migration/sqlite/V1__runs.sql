-- Runs, their tasks and attempts, and one transition table per entity (SPEC §4).
-- Times are ISO-8601 UTC text, which sorts in time order. Every mutable row has row_version:
-- updates name the state they expect, so a lost race fails loudly instead of overwriting.

CREATE TABLE definitions (
    version       TEXT PRIMARY KEY,
    pipeline      TEXT NOT NULL,
    pipeline_yaml TEXT NOT NULL,
    playbook_md   TEXT,
    stored_at     TEXT NOT NULL
);

CREATE TABLE runs (
    id               TEXT PRIMARY KEY,
    pipeline         TEXT NOT NULL,
    version          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    source_path      TEXT,
    logical_date     TEXT NOT NULL,
    interval_start   TEXT NOT NULL,
    interval_end     TEXT NOT NULL,
    params           TEXT NOT NULL,
    state            TEXT NOT NULL,
    reason           TEXT,
    setup_state      TEXT NOT NULL,
    teardown_state   TEXT NOT NULL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    timed_out        INTEGER NOT NULL DEFAULT 0,
    workspace        TEXT,
    driver_pid       INTEGER,
    driver_start     TEXT,
    created_at       TEXT NOT NULL,
    started_at       TEXT,
    ended_at         TEXT,
    row_version      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_pipeline ON runs (pipeline, created_at);
CREATE INDEX runs_by_created ON runs (created_at);

CREATE TABLE run_transitions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id     TEXT NOT NULL REFERENCES runs (id),
    at         TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    event      TEXT NOT NULL,
    cause      TEXT
);
CREATE INDEX run_transitions_by_run ON run_transitions (run_id, id);

CREATE TABLE tasks (
    run_id      TEXT NOT NULL REFERENCES runs (id),
    task_id     TEXT NOT NULL,
    position    INTEGER NOT NULL,
    state       TEXT NOT NULL,
    wait_reason TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    exit_code   INTEGER,
    cause       TEXT,
    row_version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, task_id)
);

CREATE TABLE task_transitions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id     TEXT NOT NULL,
    task_id    TEXT NOT NULL,
    attempt    INTEGER NOT NULL,
    at         TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    event      TEXT NOT NULL,
    cause      TEXT,
    FOREIGN KEY (run_id, task_id) REFERENCES tasks (run_id, task_id)
);
CREATE INDEX task_transitions_by_run ON task_transitions (run_id, id);

-- One row per process Sluice starts for a run: task attempts, and setup/teardown under the
-- reserved names _setup and _teardown. pid and pid_start identify the process after a crash.
CREATE TABLE attempts (
    run_id         TEXT NOT NULL REFERENCES runs (id),
    task_id        TEXT NOT NULL,
    attempt        INTEGER NOT NULL,
    log_path       TEXT NOT NULL,
    exit_path      TEXT NOT NULL,
    pid            INTEGER,
    pid_start      TEXT,
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    exit_code      INTEGER,
    outcome        TEXT,
    playbook_entry TEXT,
    PRIMARY KEY (run_id, task_id, attempt)
);
