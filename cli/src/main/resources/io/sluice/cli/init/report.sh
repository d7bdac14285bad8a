#!/bin/sh
# Turns the extracted rows into a one-line report.
set -eu
rows=$(tail -n +2 out/data.csv | wc -l | tr -d ' ')
greeting=$(tail -n 1 out/data.csv | cut -d, -f2)
printf 'report for %s: %s rows, %s\n' "$SLUICE_LOGICAL_DATE" "$rows" "$greeting" > out/report.txt
cat out/report.txt
