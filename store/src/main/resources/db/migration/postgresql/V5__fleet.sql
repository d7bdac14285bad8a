-- Several servers on one database (PostgreSQL; on SQLite there is one server per home, and these
-- tables hold just it). Each server beats in its row; another judges it dead when the beat stops
-- moving for the lease time by its own monotonic clock, so no two machines' clocks are compared.
CREATE TABLE servers (
    id         TEXT COLLATE "C" PRIMARY KEY,
    host       TEXT COLLATE "C" NOT NULL,
    pid        INTEGER NOT NULL,
    pid_start  TEXT COLLATE "C",
    home       TEXT COLLATE "C" NOT NULL,
    url        TEXT COLLATE "C",
    started_at TEXT COLLATE "C" NOT NULL,
    beat       BIGINT NOT NULL DEFAULT 0,
    stopped_at TEXT COLLATE "C"
);

-- A duty only one server does at a time (firing schedules, stuck alerts, applying plans), held by
-- a live server; a live server takes it over from a dead one.
CREATE TABLE leases (
    name   TEXT COLLATE "C" PRIMARY KEY,
    holder TEXT COLLATE "C" NOT NULL
);

-- The server that drives a run: set by a conditional update when it claims the run, moved by the
-- same kind of update to a live server when its owner dies. NULL: nobody drives it (yet).
ALTER TABLE runs ADD COLUMN owner TEXT COLLATE "C";
CREATE INDEX runs_by_owner ON runs (owner, state);

-- Deployed versions' files as a zip, so that a server whose home lacks a version (on another
-- machine) can unpack it. The same bytes hash to the version id.
CREATE TABLE version_bundles (
    version TEXT COLLATE "C" PRIMARY KEY,
    bundle  BYTEA NOT NULL
);
