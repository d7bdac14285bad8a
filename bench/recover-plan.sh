#!/usr/bin/env bash
# Recovery planning over many failed runs: deploys PIPELINES daily pipelines in chains of 10 (each
# depends on the one before it) into a fresh home, writes RUNS failed runs per pipeline (distinct
# days) and one waiting downstream run per chain straight into its database, starts `sluice
# server`, and times `POST /api/v1/recover/plans` (plan all, saved, answered with every step) over
# loopback: one warm-up, then COUNT timed calls; then the whole `sluice recover plan --json`, JVM
# start included. The issue's target: under a second for 10,000 failed runs across 200 pipelines.
# Usage: bench/recover-plan.sh [PIPELINES] [RUNS] [COUNT]   (default 200, 50 and 5;
#        SLUICE=path/to/bin/sluice runs another build, default the one next to this script)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sluice=${SLUICE:-$here/../bin/sluice}
count=${1:-200}
per=${2:-50}
calls=${3:-5}
work=$(mktemp -d)
pid=""
stop_server() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
ms() { echo $(($(date +%s%N) / 1000000)); }

for i in $(seq 1 "$count"); do
  id=$(printf 'plan_%04d' "$i")
  dir="$work/pipelines/$id"
  mkdir -p "$dir"
  depends=""
  if [ $(( (i - 1) % 10 )) -ne 0 ]; then
    depends="depends_on: [{pipeline: $(printf 'plan_%04d' $((i - 1)))}]"
  fi
  cat > "$dir/pipeline.yaml" <<EOF
id: $id
schedule: "@daily"
start_date: $(date -u -d tomorrow +%F)
$depends
tasks:
  - {id: load, run: "true"}
tests:
  - {name: loads, expect: {state: succeeded}}
EOF
  printf '%s\n' "# $id" '' '## Load failed' 'match: task=load kind=failed' '' '### Diagnose' '1. Read the log.' '' \
    '### Fix' '1. Run again.' '' '## Load timed out' 'match: task=load kind=timed_out' '' '### Diagnose' '1. Look.' '' \
    '### Fix' '1. Raise the timeout.' '' '## Waiting too long' 'match: kind=stuck' '' '### Diagnose' '1. The upstream.' '' \
    '### Fix' '1. Repair the upstream.' > "$dir/PLAYBOOK.md"
done
home="$work/home"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(ms)
"$sluice" deploy --home "$home" "$work"/pipelines/* > "$work/deploy.log" 2>&1 || { tail -n 5 "$work/deploy.log"; exit 1; }
echo "deployed $count pipelines in $(( $(ms) - t0 )) ms"

python3 - "$home/sluice.db" "$per" <<'PY'
import sqlite3, sys, datetime
db = sqlite3.connect(sys.argv[1])
per = int(sys.argv[2])
active = dict(db.execute("SELECT pipeline, version FROM activations a WHERE id = (SELECT MAX(id) FROM activations b WHERE b.pipeline = a.pipeline)"))
base = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
t = lambda x: x.strftime("%Y-%m-%dT%H:%M:%SZ")
runs, tasks = [], []
for n, (pipeline, version) in enumerate(sorted(active.items())):
    for d in range(per + 1):
        start = base + datetime.timedelta(days=d)
        end = start + datetime.timedelta(days=1)
        rid = f"r{n:05d}{d:04d}x"
        # PER failed days each; on one more day the chain's 9th pipeline fails too, and the 10th waits for it
        state, reason = ("FAILED", "load failed") if d < per or n % 10 == 8 else ("WAITING", "upstream")
        if d == per and (n % 10) not in (8, 9):
            continue
        runs.append((rid, pipeline, version, "scheduled", start.strftime("%Y-%m-%d"), t(start), t(end), "{}", state, reason,
                     "NONE", "NONE", t(end), t(end) if state == "FAILED" else None, t(end) if state == "FAILED" else None))
        tasks.append((rid, "load", 0, "FAILED" if state == "FAILED" else "PENDING", 1 if state == "FAILED" else 0))
db.executemany("""INSERT INTO runs (id, pipeline, version, kind, logical_date, interval_start, interval_end, params, state, reason,
                  setup_state, teardown_state, created_at, started_at, ended_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", runs)
db.executemany("INSERT INTO tasks (run_id, task_id, position, state, attempts) VALUES (?,?,?,?,?)", tasks)
db.commit()
print(f"wrote {sum(1 for r in runs if r[8] == 'FAILED')} failed and {sum(1 for r in runs if r[8] == 'WAITING')} waiting runs")
PY

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$sluice" server --home "$home" --port "$port" > "$work/server.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do
  kill -0 "$pid" || { cat "$work/server.log"; exit 1; }
  sleep 0.05
done
token=$(sed -n 's/^token=//p' "$home/credentials")
plan() {
  curl -sf -o "$work/plan.json" -w '%{time_total}\n' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"pipelines": [], "include_downstream": false}' "http://127.0.0.1:$port/api/v1/recover/plans"
}
plan > /dev/null
python3 - "$work/plan.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
steps = p["steps"]
pos = {s["run"]: i for i, s in enumerate(steps)}
# every upstream step comes before the steps of the pipelines below it for the same day
by = {(s["pipeline"], s["logical_date"]): i for i, s in enumerate(steps)}
bad = sum(1 for (pl, d), i in by.items() if int(pl[-4:]) % 10 != 1 and by.get((f"plan_{int(pl[-4:]) - 1:04d}", d), -1) > i)
print(f"plan: {len(steps)} steps, {len(p['resumes'])} runs resume by themselves, {bad} steps out of dependency order")
PY
times=$(for _ in $(seq "$calls"); do plan; done | sort -n)
echo "$times" | awk '{ t[NR] = $1 * 1000 } END { printf "POST /api/v1/recover/plans (plan, save, answer): median %.0f ms, max %.0f ms over %d calls\n", t[int((NR + 1) / 2)], t[NR], NR }'
cli=$(for _ in $(seq "$calls"); do
  t0=$(date +%s%N); "$sluice" --home "$home" recover plan --json > /dev/null; echo $(( ($(date +%s%N) - t0) / 1000000 ))
done | sort -n)
echo "$cli" | awk '{ t[NR] = $1 } END { printf "sluice recover plan --json (JVM start included): median %d ms, max %d ms over %d runs\n", t[int((NR + 1) / 2)], t[NR], NR }'
