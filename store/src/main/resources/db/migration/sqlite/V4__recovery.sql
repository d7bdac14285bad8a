-- Recovery (SPEC §6): a cleared run goes again on the same version. Its round counts how many
-- times it started (setup and teardown attempts are numbered by round, so their logs are kept);
-- a task's attempt_base is the attempts it had used when it was cleared, so that its declared
-- retries count afresh while its attempt numbers (and logs) keep growing.

ALTER TABLE runs ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tasks ADD COLUMN attempt_base INTEGER NOT NULL DEFAULT 0;

-- Recovery plans: made by `recover plan`, carried out by `recover apply`. Each step names its run
-- and the run's row_version when the plan was made: apply refuses when any of them changed.
CREATE TABLE recovery_plans (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    scope      TEXT NOT NULL,
    resumes    TEXT NOT NULL,
    applied_at TEXT,
    applied_by TEXT
);

CREATE TABLE recovery_steps (
    plan_id      TEXT NOT NULL REFERENCES recovery_plans (id),
    position     INTEGER NOT NULL,
    run_id       TEXT NOT NULL,
    pipeline     TEXT NOT NULL,
    logical_date TEXT NOT NULL,
    action       TEXT NOT NULL,
    why          TEXT NOT NULL,
    row_version  INTEGER NOT NULL,
    cleared_at   TEXT,
    note         TEXT,
    PRIMARY KEY (plan_id, position)
);

-- Fix scripts run by `sluice action`: one row each, written before the script starts.
CREATE TABLE action_runs (
    id          TEXT PRIMARY KEY,
    pipeline    TEXT NOT NULL,
    version     TEXT NOT NULL,
    action      TEXT NOT NULL,
    logical_date TEXT NOT NULL,
    who         TEXT NOT NULL,
    log_path    TEXT NOT NULL,
    workspace   TEXT NOT NULL,
    pid         INTEGER,
    pid_start   TEXT,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    exit_code   INTEGER
);
