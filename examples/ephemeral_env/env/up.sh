#!/bin/sh
# Setup: creates this run's scratch "cluster" (a directory plus a heartbeat service) and publishes it via $SLUICE_ENV.
set -eu

: "${SLUICE_RUN_ID:?SLUICE_RUN_ID is not set}"
: "${SLUICE_ENV:?SLUICE_ENV is not set: up.sh runs as the pipeline setup}"

# One name per run, derived from the run id alone, so that down.sh finds it even when this
# script dies before it has written anything to $SLUICE_ENV.
root=${SCRATCH_ROOT:-/tmp}
scratch="$root/sluice-ephemeral-$(printf '%s' "$SLUICE_RUN_ID" | tr -c 'A-Za-z0-9_.-' '_')"

mkdir -p "$scratch/data"
echo "SCRATCH_DIR=$scratch" >> "$SLUICE_ENV"
echo "scratch dir $scratch"

# The "service": a heartbeat loop in the background, like a database a real setup would start.
nohup ./env/service.sh "$scratch" > "$scratch/service.log" 2>&1 &
pid=$!
echo "$pid" > "$scratch/service.pid"

# Wait until it is ready (first heartbeat), as you would poll a real service's health check.
tries=0
until [ -s "$scratch/heartbeat" ]; do
  tries=$((tries + 1))
  if ! kill -0 "$pid" 2>/dev/null || [ "$tries" -gt 50 ]; then
    echo "service pid $pid did not become ready; its log:" >&2
    cat "$scratch/service.log" >&2 || true
    exit 1
  fi
  sleep 0.1
done
if [ -n "${SIMULATE_SETUP_FAILURE:-}" ]; then
  # test hook: fail half-way, with the service running but SERVICE_PID not yet published
  echo "cannot register service pid $pid with the scratch cluster (SIMULATE_SETUP_FAILURE is set)" >&2
  exit 1
fi
echo "SERVICE_PID=$pid" >> "$SLUICE_ENV"
echo "service pid $pid is up"
