#!/bin/sh
# The scratch "service": appends a heartbeat line every second while its scratch directory exists.
set -eu

dir=$1
max=${SERVICE_MAX_SECONDS:-3600}   # never outlive a forgotten teardown by more than an hour
n=0
while [ -d "$dir" ] && [ "$n" -lt "$max" ]; do
  n=$((n + 1))
  echo "beat $n $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$dir/heartbeat" 2>/dev/null || exit 0
  sleep 1
done
