#!/bin/sh
# Writes out/report.txt, a human summary of out/sales_by_region.csv.
set -eu
export LC_ALL=C

currency=${SLUICE_PARAM_CURRENCY:-PLN}
source=$(cat out/source.txt 2>/dev/null || echo unknown)

tmp=$(mktemp)
awk -F, -v day="${SLUICE_LOGICAL_DATE:-?}" -v cur="$currency" -v src="$source" '
  NR == 1 { next }
  {
    regions++
    orders += $2
    total += $3
    line[regions] = sprintf("  %-12s %5d order%s %12.2f %s", $1, $2, ($2 == 1 ? " " : "s"), $3, cur)
  }
  END {
    printf "Daily sales for %s\n", day
    printf "%d regions, %d orders, total %.2f %s\n", regions, orders, total, cur
    for (i = 1; i <= regions; i++) print line[i]
    if (src ~ /sample\.csv$/) print "NOTE: built from the bundled sample data, not a real export"
    printf "source: %s\n", src
  }
' out/sales_by_region.csv > "$tmp"
mv "$tmp" out/report.txt
cat out/report.txt
