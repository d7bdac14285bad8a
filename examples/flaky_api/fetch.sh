#!/bin/sh
# Fetches the day's exchange rates from a (simulated) flaky HTTP API into out/rates.csv.
set -eu
export LC_ALL=C

day=${SLUICE_LOGICAL_DATE:?}
attempt=${SLUICE_ATTEMPT:-1}
# SOURCE_MODE simulates the API: flaky (503 on the first attempt, the usual case),
# down (503 on every attempt), garbage (200 with a body that is not our CSV).
mode=${SOURCE_MODE:-flaky}

echo "GET https://rates.example.com/v1/daily?date=$day (attempt $attempt)"
case $mode in
  flaky|down)
    if [ "$mode" = down ] || [ "$attempt" -eq 1 ]; then
      echo "HTTP 503 from source: Service Unavailable (Retry-After: 1)" >&2
      exit 75   # EX_TEMPFAIL: worth a retry
    fi
    body=source/response.csv ;;
  garbage)
    body=$(mktemp)
    printf '<html><body>Scheduled maintenance</body></html>\n' > "$body" ;;
  *)
    echo "unknown SOURCE_MODE '$mode': use flaky, down or garbage" >&2
    exit 2 ;;
esac

echo "HTTP 200 from source"
if [ "$(head -n 1 "$body")" != "currency,rate" ]; then
  echo "response is not the rates CSV; first line: $(head -c 80 "$body")" >&2
  exit 65   # EX_DATAERR: retrying will not help
fi

mkdir -p out
tmp=$(mktemp)
awk -F, -v day="$day" 'NR == 1 { print "date,currency,rate"; next } { print day "," $1 "," $2 }' "$body" > "$tmp"
mv "$tmp" out/rates.csv
echo "fetched $(awk 'END { print NR - 1 }' out/rates.csv) rates"
