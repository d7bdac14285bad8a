#!/usr/bin/env bash
# Idle CPU of the server with many schedules: deploys 1,000 pipelines with an @hourly schedule (one
# `true` task each) into a fresh home in one batch, starts `sluice server`, waits for its startup
# work to end, then measures the CPU time (utime + stime, /proc/PID/stat) of the server and its
# process launcher over a window that holds no hourly tick, as a percentage of one core.
# Each pipeline has catchup: false and start_date: tomorrow, so the server creates no run and this
# measures the schedules alone. START_DATE=YYYY-MM-DD (today, say) makes it create one run per
# pipeline at start, for the hour just ended; the window then starts after they have all ended.
# Also prints the batch deploy's wall time, the server's time to a healthy /healthz, and its RSS.
# Usage: bench/idle-cpu.sh [PIPELINES] [SECONDS]   (default 1000 and 60;
#        SLUICE=path/to/bin/sluice runs another build, default the one next to this script)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sluice=${SLUICE:-$here/../bin/sluice}
count=${1:-1000}
window=${2:-60}
work=$(mktemp -d)
pid=""
# SIGTERM, and SIGKILL if the server has not stopped within 30 s (a stalled one does not)
stop_server() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && echo "the server ignored SIGTERM for 30 s; SIGKILL" >&2 && kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
ms() { echo $(($(date +%s%N) / 1000000)); }

start_date=${START_DATE:-$(date -u -d tomorrow +%F)}
for i in $(seq -w 1 "$count"); do
  dir="$work/pipelines/idle_$i"
  mkdir -p "$dir"
  cat > "$dir/pipeline.yaml" <<EOF
id: idle_$i
schedule: "@hourly"
start_date: $start_date
catchup: false
tasks:
  - {id: tick, run: "true"}
tests:
  - {name: tick_succeeds, expect: {state: succeeded}}
EOF
  printf '%s\n' "# idle_$i" '' '## The tick failed' 'match: task=tick kind=failed' '' '### Diagnose' \
    '1. `sluice logs RUN tick`.' '' '### Fix' '1. It runs `true`; the machine is broken.' '' \
    '## The tick timed out' 'match: task=tick kind=timed_out' '' '### Diagnose' '1. `sluice status --run RUN`.' '' \
    '### Fix' '1. Run again on a quiet machine.' > "$dir/PLAYBOOK.md"
done
home="$work/home"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(ms)
refused=0
"$sluice" deploy --home "$home" "$work"/pipelines/* > "$work/deploy.log" 2>&1 || refused=$(grep -c ': refused;' "$work/deploy.log")
echo "batch deploy of $count pipelines (each with one test): $(( $(ms) - t0 )) ms, $refused refused"
if [ "$refused" != 0 ]; then
  grep -A1 '^FAIL' "$work/deploy.log"
  echo "deploying again (versions that passed are not tested again)"
  "$sluice" deploy --home "$home" "$work"/pipelines/* > "$work/deploy.log" 2>&1 || { grep -A1 '^FAIL' "$work/deploy.log"; exit 1; }
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$(ms)
"$sluice" server --home "$home" --port "$port" > "$work/server.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do
  kill -0 "$pid" || { cat "$work/server.log"; exit 1; }
  sleep 0.02
done
echo "server start to a healthy /healthz: $(( $(ms) - t0 )) ms"

token=$(sed -n 's/^token=//p' "$home/credentials")
status() { curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/status"; }
# startup work: the scheduler's first pass reads every pipeline's schedule
until status | grep -q '"last_tick_ms":[0-9.]*[1-9]'; do sleep 0.2; done
echo "first scheduler pass done $(( $(ms) - t0 )) ms after the start (the latest pass: $(status | grep -o '"last_tick_ms":[0-9.]*'))"
# runs() prints how many runs the home holds, how many of them have not ended, and how many failed
runs() {
  python3 - "$home/sluice.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
states = [s for (s,) in db.execute("SELECT state FROM runs")]
live = sum(s in ("QUEUED", "WAITING", "RUNNING") for s in states)
print(len(states), live, len(states) - live - states.count("SUCCEEDED"))
PY
}
# wait_runs: until every run has ended (10 minutes at most)
wait_runs() {
  local deadline=$(( $(ms) + 600000 ))
  until runs | grep -q '^[0-9]* 0 '; do
    [ "$(ms)" -lt "$deadline" ] || { echo "runs (all, not ended, failed) still not ended after 10 minutes: $(runs)"; return; }
    sleep 1
  done
}
wait_runs
read -r total _ failed < <(runs)
echo "startup runs: $total created and ended $(( $(ms) - t0 )) ms after the start, $failed of them not succeeded"
# the window must not hold the hourly tick: wait for it (and its runs) to pass if it would
if [ $(( 3600 - $(date +%s) % 3600 )) -lt $((window + 20)) ]; then
  echo "an hourly tick is due within the window; waiting for it to pass"
  sleep $(( 3600 - $(date +%s) % 3600 + 10 ))
  wait_runs
fi
sleep 10   # let the startup's threads and the JIT go quiet

launcher=$(pgrep -P "$pid" perl || true)
cpu() { for p in "$pid" $launcher; do sed 's/^.*) //' "/proc/$p/stat"; done | awk '{t += $12 + $13} END {print t}'; }
c0=$(cpu); t0=$(ms)
sleep "$window"
c1=$(cpu); t1=$(ms)
hz=$(getconf CLK_TCK)
awk -v c=$((c1 - c0)) -v hz="$hz" -v t=$((t1 - t0)) 'BEGIN {
  printf "idle CPU over %.1f s: %d ticks of 1/%d s = %.2f %% of one core (server and its launcher)\n", t / 1000, c, hz, 100 * c / hz / (t / 1000) }'
grep -E '^(VmRSS|VmHWM|Threads)' "/proc/$pid/status" | tr -s ' \t' ' ' | paste -sd ',' | sed 's/^/server: /'
echo "after the window: $(status | grep -o '"last_tick_ms":[0-9.]*'), runs in the home: $(runs | cut -d' ' -f1)"
if grep -qiE 'error|exception' "$work/server.log" "$home"/logs/*.log 2>/dev/null; then
  echo "the server logged errors:"; grep -hiE 'error|exception' "$work/server.log" "$home"/logs/*.log | head -n 5
fi
