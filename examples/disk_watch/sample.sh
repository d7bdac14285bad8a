#!/bin/sh
# Writes out/usage.csv: mount,percent_used. DF_FIXTURE replaces `df` in tests.
set -eu
mkdir -p out
if [ -n "${DF_FIXTURE:-}" ]; then
    cat "$DF_FIXTURE" > out/df.txt
else
    df -P > out/df.txt
fi
awk 'NR > 1 && $5 ~ /^[0-9]+%$/ { sub(/%/, "", $5); print $6 "," $5; n++ }
     END { if (n == 0) exit 3 }' out/df.txt > out/usage.csv || {
    echo "df output not understood: no line with a use% column" >&2
    head -3 out/df.txt >&2
    exit 3
}
echo "sampled $(wc -l < out/usage.csv) file systems at $SLUICE_LOGICAL_DATE"
