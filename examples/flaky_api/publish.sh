#!/bin/sh
# "Publishes" the converted rates: writes out/published.txt, the marker downstream consumers wait for.
set -eu

n=$(awk 'END { print NR - 1 }' out/rates_per_pln.csv)
tmp=$(mktemp)
echo "published $n rates for ${SLUICE_LOGICAL_DATE:?} (run ${SLUICE_RUN_ID:-manual})" > "$tmp"
mv "$tmp" out/published.txt
cat out/published.txt
