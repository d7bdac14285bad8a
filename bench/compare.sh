#!/bin/sh
# Times `sluice run` (JVM start included, durable state in a SQLite home) against `make -j2`
# on the same DAGs, alternating the two, and prints the median wall time of each and their ratio.
# Usage: bench/compare.sh [ROUNDS]   (default 7). Needs a built Sluice (./mvnw -q package -DskipTests).
# The home is kept in bench/out/home (or $SLUICE_BENCH_HOME) from one invocation to the next:
# deleting its tens of thousands of files would slow the creation of files on ext4 for minutes
# (it then scans past recently deleted inodes), which the next measurement would be charged with.
# Delete it when you are done.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
rounds=${1:-7}
out="$here/out"
"$here/gen.sh" "$out" >/dev/null
home=${SLUICE_BENCH_HOME:-$out/home}
mkdir -p "$home"
times=$(mktemp -d)
trap 'rm -rf "$times"' EXIT

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# one warm-up of each, so the class-data archive and page cache are in place for both
"$repo/bin/sluice" --home "$home" run "$out/chain" >/dev/null
make -s -j2 -C "$out/chain" >/dev/null

printf '%-8s %12s %12s %8s\n' workload "sluice ms" "make ms" ratio
for w in wide chain diamond; do
  : > "$times/$w.sluice"
  : > "$times/$w.make"
  r=0
  while [ $r -lt "$rounds" ]; do
    t0=$(now); make -s -j2 -C "$out/$w" >/dev/null; t1=$(now)
    echo $(( (t1 - t0) / 1000000 )) >> "$times/$w.make"
    t0=$(now); "$repo/bin/sluice" --home "$home" run "$out/$w" >/dev/null; t1=$(now)
    echo $(( (t1 - t0) / 1000000 )) >> "$times/$w.sluice"
    r=$((r + 1))
  done
  s=$(median < "$times/$w.sluice")
  m=$(median < "$times/$w.make")
  printf '%-8s %12s %12s %8.2f\n' "$w" "$s" "$m" "$(echo "$s $m" | awk '{print $1 / $2}')"
done
