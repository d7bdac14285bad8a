#!/bin/sh
# Checks that this run's scratch service (SERVICE_PID from setup) is alive and writing heartbeats.
set -eu

: "${SERVICE_PID:?SERVICE_PID is not set: did env/up.sh run?}"
: "${SCRATCH_DIR:?SCRATCH_DIR is not set: did env/up.sh run?}"

if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
  echo "service pid $SERVICE_PID is not running" >&2
  exit 6
fi
before=$(wc -l < "$SCRATCH_DIR/heartbeat")
sleep 2
after=$(wc -l < "$SCRATCH_DIR/heartbeat")
if [ "$after" -le "$before" ]; then
  echo "service pid $SERVICE_PID is alive but wrote no heartbeat in 2s" >&2
  exit 6
fi
echo "service pid $SERVICE_PID is alive: $after heartbeats so far"
