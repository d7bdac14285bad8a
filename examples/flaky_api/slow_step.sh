#!/bin/sh
# Converts out/rates.csv to per-PLN rates in out/rates_per_pln.csv; with SLOW=1 it hangs like a throttled source.
set -eu
export LC_ALL=C

trap 'echo "slow_step: stopped by SIGTERM (timeout or cancel)" >&2; exit 143' TERM

if [ "${SLOW:-0}" = 1 ]; then
  echo "waiting for the source's rate limiter..."
  sleep 30
fi

tmp=$(mktemp)
awk -F, 'NR == 1 { print "date,currency,per_pln"; next } { printf "%s,%s,%.6f\n", $1, $2, 1 / $3 }' out/rates.csv > "$tmp"
mv "$tmp" out/rates_per_pln.csv
echo "converted $(awk 'END { print NR - 1 }' out/rates_per_pln.csv) rates"
