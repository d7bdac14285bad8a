#!/bin/sh
# Checks out/orders.csv: the expected header, four fields a row, a region, and a numeric amount (exit 4 on bad rows).
set -eu
export LC_ALL=C

file=out/orders.csv
expected='order_id,ordered_at,region,amount'

if [ ! -f "$file" ]; then
  echo "$file is missing: did extract run in this workspace?" >&2
  exit 4
fi

header=$(head -n 1 "$file" | tr -d '\r')
if [ "$header" != "$expected" ]; then
  echo "bad header: expected '$expected', found '$header'" >&2
  exit 4
fi

# Row numbers are line numbers of the file: the header is line 1. At most 20 bad rows are listed.
awk -F, '
  NR == 1 { next }
  {
    sub(/\r$/, "")
    why = ""
    if (NF != 4) why = "expected 4 fields, found " NF
    else if ($1 == "") why = "order_id is empty"
    else if ($3 == "") why = "region is empty"
    else if ($4 !~ /^-?[0-9]+(\.[0-9]+)?$/) why = "amount \"" $4 "\" is not a number"
    if (why != "") {
      bad++
      if (bad <= 20) printf "bad row %d: %s: %s\n", NR, why, $0 > "/dev/stderr"
    }
    rows++
  }
  END {
    if (bad > 0) {
      printf "%d of %d rows are bad; nothing was aggregated\n", bad, rows > "/dev/stderr"
      exit 4
    }
    printf "%d rows ok\n", rows
  }
' "$file"
