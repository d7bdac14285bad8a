#!/usr/bin/env bash
# The web UI's pipelines page for many pipelines: deploys PIPELINES pipelines (one task each) into a
# fresh home in one batch, writes RUNS finished runs per pipeline straight into its database (with
# their tasks; a mix of states), starts `sluice server`, logs in with the admin token like a
# browser does, and times GET / (the whole page, rendered on the server) over loopback: a few
# warm-up requests, then COUNT timed ones; prints the median, the 90th percentile and the page size.
# Usage: bench/ui-pipelines.sh [PIPELINES] [RUNS] [COUNT]   (default 1000, 30 and 20;
#        SLUICE=path/to/bin/sluice runs another build, default the one next to this script)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sluice=${SLUICE:-$here/../bin/sluice}
count=${1:-1000}
per=${2:-30}
requests=${3:-20}
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

for i in $(seq -w 1 "$count"); do
  dir="$work/pipelines/page_$i"
  mkdir -p "$dir"
  cat > "$dir/pipeline.yaml" <<EOF
id: page_$i
schedule: "@daily"
start_date: $(date -u -d tomorrow +%F)
tasks:
  - {id: load, run: "true"}
tests:
  - {name: loads, expect: {state: succeeded}}
EOF
  printf '%s\n' "# page_$i" '' '## Load failed' 'match: task=load kind=failed' '' '### Diagnose' '1. Read the log.' '' \
    '### Fix' '1. Run again.' '' '## Load timed out' 'match: task=load kind=timed_out' '' '### Diagnose' '1. Look.' '' \
    '### Fix' '1. Raise the timeout.' > "$dir/PLAYBOOK.md"
done
home="$work/home"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(ms)
"$sluice" deploy --home "$home" "$work"/pipelines/* > "$work/deploy.log" 2>&1 || { tail -n 5 "$work/deploy.log"; exit 1; }
echo "deployed $count pipelines in $(( $(ms) - t0 )) ms"

python3 - "$home/sluice.db" "$per" <<'PY'
import sqlite3, sys, datetime, random
db = sqlite3.connect(sys.argv[1])
per = int(sys.argv[2])
random.seed(7)
active = dict(db.execute("SELECT pipeline, version FROM activations a WHERE id = (SELECT MAX(id) FROM activations b WHERE b.pipeline = a.pipeline)"))
base = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
runs, tasks = [], []
for n, (pipeline, version) in enumerate(sorted(active.items())):
    for d in range(per):
        start = base + datetime.timedelta(days=d)
        end = start + datetime.timedelta(days=1)
        state = random.choices(["SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED"], [90, 6, 2, 2])[0]
        rid = f"b{n:05d}{d:04d}x"
        t = lambda x: x.strftime("%Y-%m-%dT%H:%M:%SZ")
        runs.append((rid, pipeline, version, "scheduled", start.strftime("%Y-%m-%d"), t(start), t(end), "{}", state,
                     None if state == "SUCCEEDED" else "load failed", "NONE", "NONE", t(end), t(end), t(end + datetime.timedelta(seconds=3))))
        tasks.append((rid, "load", 0, "SUCCEEDED" if state == "SUCCEEDED" else state, 1))
db.executemany("""INSERT INTO runs (id, pipeline, version, kind, logical_date, interval_start, interval_end, params, state, reason,
                  setup_state, teardown_state, created_at, started_at, ended_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", runs)
db.executemany("INSERT INTO tasks (run_id, task_id, position, state, attempts) VALUES (?,?,?,?,?)", tasks)
db.commit()
print(f"wrote {len(runs)} runs for {len(active)} pipelines")
PY

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$sluice" server --home "$home" --port "$port" > "$work/server.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do
  kill -0 "$pid" || { cat "$work/server.log"; exit 1; }
  sleep 0.05
done
token=$(sed -n 's/^token=//p' "$home/credentials")
curl -sf -c "$work/cookies" -o /dev/null --data-urlencode "token=$token" "http://127.0.0.1:$port/login"
page() { curl -sf -b "$work/cookies" -o "$work/page.html" -w '%{time_total}\n' "http://127.0.0.1:$port/"; }
for _ in 1 2 3 4 5; do page > /dev/null; done
grep -q 'page_0001' "$work/page.html" || { echo "the page does not list the pipelines"; exit 1; }
times=$(for _ in $(seq "$requests"); do page; done | sort -n)
squares=$(grep -o 'class="sq ' "$work/page.html" | wc -l)
echo "$times" | awk -v n="$requests" -v size="$(wc -c < "$work/page.html")" -v sq="$squares" '
  { t[NR] = $1 * 1000 }
  END { printf "GET / (%d pipelines, %d run squares, %d KiB): median %.1f ms, p90 %.1f ms over %d requests\n",
        n ? 0 : 0, sq, size / 1024, t[int((NR + 1) / 2)], t[int(NR * 0.9 + 0.5)], NR }' | sed "s/(0 pipelines/($count pipelines/"
