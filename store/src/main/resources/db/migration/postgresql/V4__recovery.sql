-- Recovery (SPEC §6): a cleared run goes again on the same version. Its round counts how many
-- times it started (setup and teardown attempts are numbered by round, so their logs are kept);
-- a task's attempt_base is the attempts it had used when it was cleared, so that its declared
-- retries count afresh while its attempt numbers (and logs) keep growing.

ALTER TABLE runs ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tasks ADD COLUMN attempt_base INTEGER NOT NULL DEFAULT 0;

-- Recovery plans: made by `recover plan`, carried out by `recover apply`. Each step names its run
-- and the run's row_version when the plan was made: apply refuses when any of them changed.
CREATE TABLE recovery_plans (
    id         TEXT COLLATE "C" PRIMARY KEY,
    created_at TEXT COLLATE "C" NOT NULL,
    created_by TEXT COLLATE "C" NOT NULL,
    scope      TEXT COLLATE "C" NOT NULL,
    resumes    TEXT COLLATE "C" NOT NULL,
    applied_at TEXT COLLATE "C",
    applied_by TEXT COLLATE "C"
);

CREATE TABLE recovery_steps (
    plan_id      TEXT COLLATE "C" NOT NULL REFERENCES recovery_plans (id),
    position     INTEGER NOT NULL,
    run_id       TEXT COLLATE "C" NOT NULL,
    pipeline     TEXT COLLATE "C" NOT NULL,
    logical_date TEXT COLLATE "C" NOT NULL,
    action       TEXT COLLATE "C" NOT NULL,
    why          TEXT COLLATE "C" NOT NULL,
    row_version  INTEGER NOT NULL,
    cleared_at   TEXT COLLATE "C",
    note         TEXT COLLATE "C",
    PRIMARY KEY (plan_id, position)
);

-- Fix scripts run by `sluice action`: one row each, written before the script starts.
CREATE TABLE action_runs (
    id          TEXT COLLATE "C" PRIMARY KEY,
    pipeline    TEXT COLLATE "C" NOT NULL,
    version     TEXT COLLATE "C" NOT NULL,
    action      TEXT COLLATE "C" NOT NULL,
    logical_date TEXT COLLATE "C" NOT NULL,
    who         TEXT COLLATE "C" NOT NULL,
    log_path    TEXT COLLATE "C" NOT NULL,
    workspace   TEXT COLLATE "C" NOT NULL,
    pid         INTEGER,
    pid_start   TEXT COLLATE "C",
    started_at  TEXT COLLATE "C" NOT NULL,
    ended_at    TEXT COLLATE "C",
    exit_code   INTEGER
);
