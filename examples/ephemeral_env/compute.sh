#!/bin/sh
# Reads the partitions from $SCRATCH_DIR and writes their totals to out/result.txt in the workspace.
set -eu
export LC_ALL=C

: "${SCRATCH_DIR:?SCRATCH_DIR is not set: did env/up.sh run?}"
day=${SLUICE_LOGICAL_DATE:?}
dir="$SCRATCH_DIR/data/date=$day"

owner=$(cat "$SCRATCH_DIR/owner" 2>/dev/null || echo nobody)
if [ "$owner" != "$SLUICE_RUN_ID" ]; then
  echo "scratch dir $SCRATCH_DIR belongs to run $owner, not to this run $SLUICE_RUN_ID" >&2
  exit 5
fi

n=0
while read -r file; do
  n=$((n + 1))
  if [ ! -f "$dir/$file" ]; then
    echo "partition $n ($file) is in the manifest but missing from $dir" >&2
    exit 5
  fi
done < "$dir/MANIFEST"

mkdir -p out
tmp=$(mktemp)
{
  echo "date=$day"
  echo "partitions=$n"
  while read -r file; do cat "$dir/$file"; done < "$dir/MANIFEST" |
    awk -F, '{ rows++; sum += $2 } END { printf "rows=%d\nsum=%d\n", rows, sum }'
} > "$tmp"
mv "$tmp" out/result.txt
cat out/result.txt
