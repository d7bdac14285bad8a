-- The server: API tokens, the secret store, alert deliveries, stuck alerts sent, and the
-- guarantee that a scheduled interval gets one run however often the scheduler looks.

CREATE TABLE tokens (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE alert_deliveries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id     TEXT NOT NULL,
    task       TEXT,
    kind       TEXT NOT NULL,
    sink       TEXT NOT NULL,
    state      TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX alert_deliveries_by_run ON alert_deliveries (run_id);

-- A stuck alert is sent once per waiting run or task.
CREATE TABLE stuck_alerts (
    run_id  TEXT NOT NULL,
    task_id TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (run_id, task_id)
);

CREATE UNIQUE INDEX runs_one_per_interval ON runs (pipeline, interval_start) WHERE kind IN ('scheduled', 'backfill');
