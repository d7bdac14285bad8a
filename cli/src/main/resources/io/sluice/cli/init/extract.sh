#!/bin/sh
# Writes one CSV row for the logical date; a real pipeline would fetch its source here.
set -eu
mkdir -p out
printf 'date,greeting\n%s,%s\n' "$SLUICE_LOGICAL_DATE" "$SLUICE_PARAM_GREETING" > out/data.csv
echo "extracted 1 row for $SLUICE_LOGICAL_DATE"
