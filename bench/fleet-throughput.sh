#!/usr/bin/env bash
# Throughput of no-op tasks: one server, then two servers sharing one PostgreSQL, on the same work.
# Each server gets --cpus $CPUS (default 2): a task takes one CPU, so a server runs that many tasks
# at once, as a machine of that size would. RUNS runs of TASKS independent `true` tasks are created
# through the first server's API at once; the time from the first creation to the last run's
# success gives tasks per second. Warm-up runs first, on every server. Prints both and the ratio.
# With PIN=1 each server (and the tasks it starts, which inherit it) is pinned to a core of its own
# (taskset): server i to core i-1, so that each server is the machine of one core it would be in a
# real fleet, and one server does not use the cores the second would bring. PostgreSQL floats.
# Usage: PG=postgresql://USER:PASSWORD@HOST:PORT bench/fleet-throughput.sh [RUNS] [TASKS]
#        (default 40 runs x 10 tasks; psql and curl are needed; SLUICE=path/to/bin/sluice for another build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sluice=${SLUICE:-$here/../bin/sluice}
pg=${PG:?set PG=postgresql://USER:PASSWORD@HOST:PORT, a role that may create databases}
runs=${1:-40}
tasks=${2:-10}
cpus=${CPUS:-2}
work=$(mktemp -d)
pids=()
dbs=()

cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for d in "${dbs[@]}"; do psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# postgresql://USER:PASSWORD@HOST:PORT -> the JDBC URL of database $1
jdbc() {
  local rest=${pg#postgresql://} creds host user pass
  creds=${rest%@*}; host=${rest#*@}; user=${creds%%:*}; pass=${creds#*:}
  echo "jdbc:postgresql://$host/$1?user=$user&password=$pass"
}

mkdir "$work/p"
{
  echo "id: bench_fleet"
  echo "max_active_runs: 1000"
  echo "tasks:"
  for i in $(seq 1 "$tasks"); do echo "  - {id: t$i, run: \"true\"}"; done
  echo "tests:"
  echo "  - {name: all_succeed, expect: {state: succeeded}}"
} > "$work/p/pipeline.yaml"
printf '%s\n' '# bench_fleet' '' '## A task failed' 'match: task=* kind=failed' '' '### Diagnose' \
  '1. `sluice why RUN`.' '' '### Fix' '1. The tasks run `true`; the machine is broken.' '' \
  '## A task timed out' 'match: task=* kind=timed_out' '' '### Diagnose' '1. `sluice status --run RUN`.' '' \
  '### Fix' '1. Run again on a quiet machine.' > "$work/p/PLAYBOOK.md"

succeeded() {
  psql -At "$pg/$1" -c "SELECT COUNT(*) FROM runs WHERE pipeline = 'bench_fleet' AND kind = 'manual' AND state = 'SUCCEEDED'"
}

# create N runs through the API of the server at $url, all at once
create_runs() {
  local n=$1 c=()
  for _ in $(seq "$n"); do
    curl -sf -X POST -H "Authorization: Bearer $token" -d '{}' "$url/api/v1/pipelines/bench_fleet/runs" > /dev/null &
    c+=($!)
  done
  wait "${c[@]}" # not the servers, which run in the background too
}

wait_for() {
  local db=$1 want=$2
  until [ "$(succeeded "$db")" -ge "$want" ]; do sleep 0.05; done
}

# measure SERVERS: prints tasks per second
measure() {
  local n=$1 db="bench_fleet_$$_$1" first="" i home started ended
  psql -q "$pg/postgres" -c "CREATE DATABASE $db" > /dev/null
  dbs+=("$db")
  for i in $(seq "$n"); do
    home="$work/home-$n-$i"
    pin=()
    [ "${PIN:-0}" = 1 ] && pin=(taskset -c $(( (i - 1) % $(nproc) )))
    "${pin[@]}" "$sluice" server --home "$home" --port 0 --cpus "$cpus" --db "$(jdbc "$db")" > "$work/server-$n-$i.log" 2>&1 &
    pids+=($!)
    until [ -f "$home/server.json" ]; do sleep 0.1; done
    [ -z "$first" ] && first=$home
  done
  url=$(sed -n 's/.*"url": "\([^"]*\)".*/\1/p' "$first/server.json")
  token=$(sed -n 's/^token=//p' "$first/credentials")
  "$sluice" deploy --home "$first" "$work/p" > /dev/null
  # warm-up: enough runs that every server runs some, and the JIT has compiled the per-task code
  create_runs 20
  wait_for "$db" 20
  started=$(date +%s%N)
  create_runs "$runs"
  wait_for "$db" $((runs + 20))
  ended=$(date +%s%N)
  echo "$runs $tasks $started $ended" | awk '{ printf "%.1f", $1 * $2 / (($4 - $3) / 1e9) }'
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $runs runs x $tasks no-op tasks, --cpus $cpus per server, pinned: ${PIN:-0}"
one=$(measure 1)
echo "one server:   $one tasks/s"
two=$(measure 2)
echo "two servers:  $two tasks/s"
echo "$one $two" | awk '{ printf "ratio two/one: %.2f\n", $2 / $1 }'
