#!/bin/sh
# Writes the day's input as partition files into this run's scratch dir ($SCRATCH_DIR from setup).
set -eu
export LC_ALL=C

: "${SCRATCH_DIR:?SCRATCH_DIR is not set: did env/up.sh run?}"
day=${SLUICE_LOGICAL_DATE:?}
parts=${SLUICE_PARAM_PARTITIONS:-4}
case $parts in
  ''|*[!0-9]*|0) echo "param partitions must be a whole number from 1, found '$parts'" >&2; exit 2 ;;
esac

dir="$SCRATCH_DIR/data/date=$day"
rm -rf "$dir"          # a re-run (clear, retry) starts from nothing
mkdir -p "$dir"
echo "$SLUICE_RUN_ID" > "$SCRATCH_DIR/owner"
: > "$dir/MANIFEST"

seed=$(printf '%s\n' "$day" | awk -F- '{ print $3 + 0 }')
p=1
while [ "$p" -le "$parts" ]; do
  file=$(printf 'part-%04d.csv' "$p")
  echo "$file" >> "$dir/MANIFEST"
  if [ "${SIMULATE_LOST_PARTITION:-}" = "$p" ]; then
    echo "(test hook) not writing $file"
  else
    # 10 rows of key,value; the values depend on the date and the partition only
    awk -v p="$p" -v seed="$seed" 'BEGIN {
      for (i = 1; i <= 10; i++) printf "k%02d-%02d,%d\n", p, i, (p * 37 + i * 11 + seed) % 100
    }' > "$dir/$file"
  fi
  p=$((p + 1))
done
echo "loaded $parts partitions for $day into $dir"
