#!/bin/sh
# Sums amount by region into out/sales_by_region.csv (region,orders,amount), sorted by region.
set -eu
export LC_ALL=C

min=${SLUICE_PARAM_MIN_AMOUNT:-0}
if ! printf '%s\n' "$min" | grep -Eq '^-?[0-9]+(\.[0-9]+)?$'; then
  echo "param min_amount must be a number, found '$min'" >&2
  exit 2
fi

sums=$(mktemp)
awk -F, -v min="$min" -v note="$sums.note" '
  NR == 1 { next }
  {
    sub(/\r$/, "")
    if ($4 + 0 < min + 0) { skipped++; next }
    orders[$3]++
    amount[$3] += $4
  }
  END {
    for (r in orders) printf "%s,%d,%.2f\n", r, orders[r], amount[r]
    printf "left out %d order%s below min_amount %s\n", skipped, (skipped == 1 ? "" : "s"), min > note
  }
' out/orders.csv > "$sums"

tmp=$(mktemp)
echo "region,orders,amount" > "$tmp"
sort -t, -k1,1 "$sums" >> "$tmp"
mv "$tmp" out/sales_by_region.csv
cat "$sums.note"
rm -f "$sums" "$sums.note"
echo "wrote out/sales_by_region.csv: $(awk 'END { print NR - 1 }' out/sales_by_region.csv) regions"
