#!/bin/sh
# Teardown: stops the heartbeat service and removes the scratch dir; safe to run twice or after a half-done setup.
set -eu

root=${SCRATCH_ROOT:-/tmp}
scratch=${SCRATCH_DIR:-}
if [ -z "$scratch" ] && [ -n "${SLUICE_RUN_ID:-}" ]; then
  # setup may have died before it wrote SCRATCH_DIR; the name is derived from the run id alone
  scratch="$root/sluice-ephemeral-$(printf '%s' "$SLUICE_RUN_ID" | tr -c 'A-Za-z0-9_.-' '_')"
fi

pid=${SERVICE_PID:-}
if [ -z "$pid" ] && [ -n "$scratch" ] && [ -f "$scratch/service.pid" ]; then
  pid=$(cat "$scratch/service.pid")
fi

# Only signal the pid if it is still our heartbeat service (after a reboot the number may be reused).
ours() {
  kill -0 "$1" 2>/dev/null || return 1
  [ -d /proc/self ] || return 0   # no /proc to check with: trust the pid file
  # a zombie or a process that just ended has no command line: not a service any more
  tr '\000' ' ' 2>/dev/null < "/proc/$1/cmdline" | grep -q 'env/service\.sh'
}

if [ -n "$pid" ] && ours "$pid"; then
  kill "$pid" 2>/dev/null || true
  i=0
  while ours "$pid" && [ "$i" -lt 50 ]; do
    i=$((i + 1))
    sleep 0.1
  done
  if ours "$pid"; then
    kill -9 "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  if ours "$pid"; then
    echo "could not stop service pid $pid" >&2
    exit 1
  fi
  echo "stopped service pid $pid"
else
  echo "no service running"
fi

case $scratch in
  '')
    echo "no scratch dir to remove" ;;
  "$root"/sluice-ephemeral-*)
    if [ -e "$scratch" ]; then
      # a process of the service that was still finishing a write can refill the directory while
      # rm walks it: try a few times before calling it a failure
      i=0
      while [ -e "$scratch" ] && [ "$i" -lt 10 ]; do
        i=$((i + 1))
        rm -rf "$scratch" 2>/dev/null || sleep 0.2
      done
      if [ -e "$scratch" ]; then
        echo "could not remove scratch dir $scratch; what is left:" >&2
        ls -la "$scratch" >&2 || true
        exit 1
      fi
      echo "removed scratch dir $scratch"
    else
      echo "scratch dir $scratch already gone"
    fi ;;
  *)
    echo "refusing to remove $scratch: not a scratch dir of this pipeline (expected $root/sluice-ephemeral-*)" >&2
    exit 1 ;;
esac
