#!/bin/sh
# A fix script (sluice action daily_sales check_export --date D): says whether the orders export
# of the date has arrived in $ORDERS_DIR, and how many rows it holds. Reads only; changes nothing.
set -eu

day=${SLUICE_LOGICAL_DATE:?SLUICE_LOGICAL_DATE is not set}
dir=${ORDERS_DIR:-data/orders}
file="$dir/orders_${day}.csv"
if [ ! -f "$file" ]; then
  echo "orders_${day}.csv has not arrived in $dir; newest files there:"
  ls -t "$dir" 2>/dev/null | head -n 5 | sed 's/^/  /'
  exit 1
fi
rows=$(($(wc -l < "$file") - 1))
echo "orders_${day}.csv is in $dir: $rows rows, $(wc -c < "$file") bytes"
echo "next: sluice recover plan --pipeline daily_sales, read it, sluice recover apply PLAN"
