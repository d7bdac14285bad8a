#!/bin/sh
# Generates the benchmark workloads as Sluice pipelines and as Makefiles, side by side:
#   wide    1,000 independent no-op tasks
#   chain   200 tasks in a line
#   diamond 1 -> 500 -> 1
# Usage: bench/gen.sh [OUT_DIR]   (default bench/out)
set -eu
out=${1:-$(dirname "$0")/out}

playbook() {
  cat > "$1/PLAYBOOK.md" <<'PB'
# benchmark

## A task failed
match: task=* kind=failed

### Diagnose
1. `sluice why RUN`.

### Fix
1. The tasks run `true`; a failure means the machine is broken.

## A task timed out
match: task=* kind=timed_out

### Diagnose
1. `sluice status --run RUN`.

### Fix
1. Run again on a quiet machine.
PB
}

# gen NAME: reads "task need..." lines on stdin and writes both forms
gen() {
  dir="$out/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  {
    echo "id: bench_$1"
    echo "tasks:"
  } > "$dir/pipeline.yaml"
  {
    echo ".PHONY: all"
    echo "all: $2"
  } > "$dir/Makefile"
  while read -r task needs; do
    if [ -n "$needs" ]; then
      list=$(echo "$needs" | sed 's/ /, /g')
      echo "  - {id: $task, run: \"true\", needs: [$list]}" >> "$dir/pipeline.yaml"
    else
      echo "  - {id: $task, run: \"true\"}" >> "$dir/pipeline.yaml"
    fi
    printf '.PHONY: %s\n%s: %s\n\ttrue\n' "$task" "$task" "$needs" >> "$dir/Makefile"
  done
  playbook "$dir"
}

i=0; while [ $i -lt 1000 ]; do echo "t$i"; i=$((i + 1)); done \
  | gen wide "$(i=0; while [ $i -lt 1000 ]; do printf 't%d ' $i; i=$((i + 1)); done)"

{ echo "t0"; i=1; while [ $i -lt 200 ]; do echo "t$i t$((i - 1))"; i=$((i + 1)); done; } | gen chain t199

{
  echo "top"
  i=0; while [ $i -lt 500 ]; do echo "m$i top"; i=$((i + 1)); done
  echo "bottom $(i=0; while [ $i -lt 500 ]; do printf 'm%d ' $i; i=$((i + 1)); done)"
} | sed 's/ *$//' | gen diamond bottom

echo "generated wide, chain and diamond in $out"
