#!/bin/sh
# Copies the orders export of $SLUICE_LOGICAL_DATE into out/orders.csv (exit 3 when it is not there yet).
set -eu

day=${SLUICE_LOGICAL_DATE:?SLUICE_LOGICAL_DATE is not set}
name="orders_${day}.csv"
bundled=data/orders

if [ -n "${ORDERS_DIR:-}" ]; then
  # An explicit source (production, tests): a missing file means the export is late.
  dir=$ORDERS_DIR
  if [ ! -f "$dir/$name" ]; then
    echo "source $name not ready in $dir" >&2
    exit 3
  fi
  src="$dir/$name"
elif [ -f "$bundled/$name" ]; then
  src="$bundled/$name"
elif [ -f "$bundled/sample.csv" ]; then
  # A demo run with no ORDERS_DIR: use the sample so that `sluice run` works out of the box.
  echo "no orders file for $day; using the bundled sample $bundled/sample.csv (set ORDERS_DIR to read real exports)"
  src="$bundled/sample.csv"
else
  echo "source $name not ready in $bundled" >&2
  exit 3
fi

mkdir -p out
tmp=$(mktemp)
cp "$src" "$tmp"
mv "$tmp" out/orders.csv
printf '%s\n' "$src" > out/source.txt
rows=$(awk 'END { print (NR > 0 ? NR - 1 : 0) }' out/orders.csv)
echo "extracted $rows orders from $src"
