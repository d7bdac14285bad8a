#!/usr/bin/env bash
# Scheduling latency on the server, with durable state: from a task's end to its dependant's start.
# Deploys a chain of 50 `true` tasks, starts `sluice server`, triggers runs through the API one
# after another (40 warm-up runs first), and prints for every edge of the chain:
#   db gap       attempts.ended_at of the upstream -> attempts.started_at of the downstream, both
#                written by the run's driver (ns digits): the commit of the end to the commit of the
#                start, so it leaves out noticing the exit before and forking the process after
#   process gap  (with perf) the upstream process's exit -> the launcher's fork of the downstream,
#                from kernel tracepoints, on as many extra runs
# and, as a cross-check, the run's duration divided by its tasks.
# Usage: bench/sched-latency.sh [RUNS]   (default 10; PERF=0 skips the perf runs;
#        SLUICE=path/to/bin/sluice runs another build, default the one next to this script)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sluice=${SLUICE:-$here/../bin/sluice}
runs=${1:-10}
tasks=50
work=$(mktemp -d)
pid=""
perf_pid=""
# SIGTERM, and SIGKILL if the server has not stopped within 30 s (a stalled one does not)
stop_server() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && echo "the server ignored SIGTERM for 30 s; SIGKILL" >&2 && kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

# the chain: t0 <- t1 <- ... <- t49, one test, a playbook that covers every task
mkdir "$work/chain"
{
  echo "id: bench_latency"
  echo "tasks:"
  echo '  - {id: t0, run: "true"}'
  for i in $(seq 1 $((tasks - 1))); do echo "  - {id: t$i, run: \"true\", needs: [t$((i - 1))]}"; done
  echo "tests:"
  echo "  - {name: chain_succeeds, expect: {state: succeeded}}"
} > "$work/chain/pipeline.yaml"
printf '%s\n' '# bench_latency' '' '## A task failed' 'match: task=* kind=failed' '' '### Diagnose' \
  '1. `sluice why RUN`.' '' '### Fix' '1. The tasks run `true`; the machine is broken.' '' \
  '## A task timed out' 'match: task=* kind=timed_out' '' '### Diagnose' '1. `sluice status --run RUN`.' '' \
  '### Fix' '1. Run again on a quiet machine.' > "$work/chain/PLAYBOOK.md"
home="$work/home"
"$sluice" deploy --home "$home" "$work/chain" >/dev/null

"$sluice" server --home "$home" --port 0 > "$work/server.log" 2>&1 &
pid=$!
until [ -f "$home/server.json" ]; do kill -0 "$pid" || { cat "$work/server.log"; exit 1; }; sleep 0.1; done
url=$(sed -n 's/.*"url": "\([^"]*\)".*/\1/p' "$home/server.json")
token=$(sed -n 's/^token=//p' "$home/credentials")

# run_once: triggers a run and waits until it has ended; prints its id
run_once() {
  local id state
  id=$(curl -sf -X POST -H "Authorization: Bearer $token" -d '{}' "$url/api/v1/pipelines/bench_latency/runs" \
    | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
  sleep 0.3
  while :; do
    state=$(curl -sf -H "Authorization: Bearer $token" "$url/api/v1/runs/$id" | grep -o '"state":"[a-z_]*"' | head -n 1)
    case $state in
      *queued* | *running* | *waiting*) sleep 0.2 ;;
      *succeeded*) echo "$id"; return ;;
      *) echo "run $id ended $state" >&2; exit 1 ;;
    esac
  done
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# warm-up: the JIT compiles a method after about 1,500 calls, and the per-task code runs once per task,
# so the first runs are partly interpreted; 40 runs (2,000 tasks) bring it to the steady state of a server
for _ in $(seq 40); do run_once > /dev/null; done
: > "$work/measured"
for _ in $(seq "$runs"); do run_once >> "$work/measured"; done

# the same again under perf, for the process-level gap
if [ "${PERF:-1}" != 0 ] && perf record -q -o /dev/null -e sched:sched_process_exit -a -- true 2>/dev/null; then
  launcher=$(pgrep -P "$pid" perl)
  perf record -q -e sched:sched_process_fork,sched:sched_process_exit -a -o "$work/perf.data" > /dev/null 2>&1 &
  perf_pid=$!
  sleep 2   # perf is busy setting up for a moment
  : > "$work/traced"
  for _ in $(seq "$runs"); do run_once >> "$work/traced"; done
  kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=""
  perf script -i "$work/perf.data" -F pid,time,event,trace 2> /dev/null > "$work/perf.txt"
else
  echo "no perf runs (PERF=0, or perf cannot record here): process gap not measured"
  : > "$work/traced"; launcher=0
fi

python3 - "$home/sluice.db" "$work/measured" "$work/traced" "$tasks" "$work/perf.txt" "$launcher" <<'PY'
import math, re, sqlite3, statistics, sys
from datetime import datetime
db = sqlite3.connect(sys.argv[1])
measured, traced = open(sys.argv[2]).read().split(), open(sys.argv[3]).read().split()
tasks, perf_txt, launcher = int(sys.argv[4]), sys.argv[5], sys.argv[6]

def ts(text):  # Instant.toString: 2026-11-28T15:14:26.953122234Z
    whole, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole + "+00:00").timestamp() + int(frac.ljust(9, "0")) / 1e9

def stats(label, ms):
    p90 = sorted(ms)[math.ceil(0.9 * len(ms)) - 1]
    print(f"{label:<46} median {statistics.median(ms):6.3f} ms   p90 {p90:6.3f} ms   ({len(ms)} edges)")

def per_task(runs):
    out = []
    for run in runs:
        s, e = db.execute("SELECT started_at, ended_at FROM runs WHERE id = ?", (run,)).fetchone()
        out.append((ts(e) - ts(s)) * 1e3 / tasks)
    return f"median {statistics.median(out):6.3f} ms   (runs: " + " ".join(f"{x:.2f}" for x in out) + ")"

gaps = []
for run in measured:
    att = {t: (ts(s), ts(e)) for t, s, e in db.execute(
        "SELECT task_id, started_at, ended_at FROM attempts WHERE run_id = ? AND attempt = 1", (run,))}
    gaps += [(att[f"t{i}"][0] - att[f"t{i - 1}"][1]) * 1e3 for i in range(1, tasks)]
print(f"{len(measured)} runs of a {tasks}-task chain of `true`, after 40 warm-up runs")
stats("db gap (upstream ended_at -> started_at)", gaps)
print(f"{'wall time per task (run duration / tasks)':<46} {per_task(measured)}")

if traced:
    forks, exits = [], {}
    for line in open(perf_txt):
        m = re.match(r"\s*(\d+)\s+([\d.]+): sched:(\w+): (.*)", line)
        if m and m[3] == "sched_process_fork" and m[1] == launcher:
            forks.append((float(m[2]), int(re.search(r"child_pid=(\d+)", m[4])[1])))
        elif m and m[3] == "sched_process_exit":
            exits[int(m[1])] = float(m[2])
    gaps = []
    for r in range(0, len(forks) - tasks + 1, tasks):  # the launcher forks only the tasks, run after run
        chain = forks[r:r + tasks]
        gaps += [(chain[i][0] - exits[chain[i - 1][1]]) * 1e3 for i in range(1, tasks) if chain[i - 1][1] in exits]
    print(f"{len(traced)} more runs under perf:")
    stats("process gap (exit -> launcher forks the next)", gaps)
    print(f"{'wall time per task under perf':<46} {per_task(traced)}")
PY
