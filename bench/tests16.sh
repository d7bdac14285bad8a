#!/bin/sh
# Times `sluice test` on a pipeline with 16 tests that each sleep 1 s, against the ideal wall time
# for this machine (16 / cores seconds), and prints the ratio.
# Usage: bench/tests16.sh   (needs a built Sluice)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
dir="$here/out/tests16"
rm -rf "$dir"
mkdir -p "$dir"
{
  echo "id: bench_tests16"
  echo "tasks:"
  echo "  - {id: nap, run: \"sleep 1\"}"
  echo "tests:"
  i=1
  while [ $i -le 16 ]; do
    echo "  - {name: nap_$i, expect: {state: succeeded}}"
    i=$((i + 1))
  done
} > "$dir/pipeline.yaml"
cat > "$dir/PLAYBOOK.md" <<'PB'
# bench_tests16

## The nap failed
match: task=nap kind=failed

### Diagnose
1. `sluice logs RUN nap`.

### Fix
1. Nothing to fix: it only sleeps.

## The nap timed out
match: task=nap kind=timed_out

### Diagnose
1. `sluice status --run RUN`.

### Fix
1. Run again on a quiet machine.
PB
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
cores=$(nproc)
"$repo/bin/sluice" --home "$home" test "$dir" >/dev/null   # warm-up
times=""
for round in 1 2 3; do
  t0=$(date +%s%N)
  "$repo/bin/sluice" --home "$home" test "$dir" >/dev/null
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  echo "round $round: $ms ms"
  times="$times $ms"
done
median=$(echo $times | tr ' ' '\n' | sort -n | sed -n 2p)
ideal=$(( 16000 / cores ))
echo "16 tests of 1 s on $cores cores: median $median ms, ideal $ideal ms, ratio $(echo "$median $ideal" | awk '{printf "%.2f", $1 / $2}')"
