#!/bin/sh
# Writes out/full.txt: the file systems at or above the threshold, as "mount N%".
set -eu
threshold="${SLUICE_PARAM_THRESHOLD:-90}"
case "$threshold" in
    ''|*[!0-9]*) echo "threshold '$threshold' is not a whole number" >&2; exit 2 ;;
esac
awk -F, -v t="$threshold" '$2 + 0 >= t + 0 { print $1 " " $2 "%" }' out/usage.csv > out/full.txt
if [ -s out/full.txt ]; then
    echo "WARNING: file systems at or above ${threshold}%:"
    cat out/full.txt
else
    echo "all file systems below ${threshold}%"
fi
