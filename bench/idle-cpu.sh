#!/usr/bin/env bash
# Idle CPU of the server with many schedules: deploys 1,000 pipelines with an @hourly schedule (one
# `true` task each) into a fresh home in one batch, starts `sluice server`, waits for its startup
# work to end, then measures the CPU time (utime + stime, /proc/PID/stat) of the server and its
# process launcher over a window that holds no hourly tick, as a percentage of one core.
# Each pipeline has catchup: false and start_date: today, so the first start creates one run per
# pipeline, for the hour just ended (none between 00:00 and 01:00 UTC); they run before the window.
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
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
ms() { echo $(($(date +%s%N) / 1000000)); }

today=$(date -u +%F)
for i in $(seq -w 1 "$count"); do
  dir="$work/pipelines/idle_$i"
  mkdir -p "$dir"
  cat > "$dir/pipeline.yaml" <<EOF
id: idle_$i
schedule: "@hourly"
start_date: $today
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
"$sluice" deploy --home "$home" "$work"/pipelines/* > "$work/deploy.log"
echo "batch deploy of $count pipelines (each with one test): $(( $(ms) - t0 )) ms"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$(ms)
"$sluice" server --home "$home" --port "$port" > "$work/server.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do
  kill -0 "$pid" || { cat "$work/server.log"; exit 1; }
  sleep 0.02
done
echo "server start to a healthy /healthz: $(( $(ms) - t0 )) ms"

# settle: waits until the run count has stopped growing and every run has ended
settle() {
  local last=-1 now
  while :; do
    now=$(python3 - "$home/sluice.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
total, live = db.execute("SELECT COUNT(*), COALESCE(SUM(state IN ('QUEUED', 'WAITING', 'RUNNING')), 0) FROM runs").fetchone()
print(total if live == 0 else -1)
PY
)
    [ "$now" -ge 0 ] && [ "$now" = "$last" ] && { echo "$now"; return; }
    last=$now
    sleep 5
  done
}
t0=$(ms)
runs=$(settle)
echo "startup work: $runs runs created and ended; settled $(( $(ms) - t0 )) ms after healthy (includes the 5 s check that nothing grows)"
# the window must not hold the hourly tick: if it would, wait for the tick and its runs to pass
while [ $(( 3600 - $(date +%s) % 3600 )) -lt $((window + 15)) ]; do
  echo "an hourly tick is due within the window; waiting for it and its runs"
  sleep $(( 3600 - $(date +%s) % 3600 + 5 ))
  runs=$(settle)
done
sleep 10   # let the last runs' threads and the JIT go quiet

launcher=$(pgrep -P "$pid" perl || true)
cpu() { for p in "$pid" $launcher; do sed 's/^.*) //' "/proc/$p/stat"; done | awk '{t += $12 + $13} END {print t}'; }
c0=$(cpu); t0=$(ms)
sleep "$window"
c1=$(cpu); t1=$(ms)
hz=$(getconf CLK_TCK)
awk -v c=$((c1 - c0)) -v hz="$hz" -v t=$((t1 - t0)) 'BEGIN {
  printf "idle CPU over %.1f s: %d ticks of 1/%d s = %.2f %% of one core (server and its launcher)\n", t / 1000, c, hz, 100 * c / hz / (t / 1000) }'
grep -E '^(VmRSS|VmHWM|Threads)' "/proc/$pid/status" | tr -s ' \t' ' ' | paste -sd ',' | sed 's/^/server: /'
token=$(sed -n 's/^token=//p' "$home/credentials")
echo "scheduler: $(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/status" | grep -o '"last_tick_ms":[0-9.]*')"
if grep -qiE 'error|exception' "$work/server.log" "$home"/logs/*.log 2>/dev/null; then
  echo "the server logged errors:"; grep -hiE 'error|exception' "$work/server.log" "$home"/logs/*.log | head -n 5
fi
