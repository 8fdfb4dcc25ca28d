#!/usr/bin/env bash
# HTTP benchmark of the real server with wrk (Debian): group query, bind,
# bind/unbind (writes), face add and recognise, with N concurrent clients.
# Prints a markdown table. Usage: scripts/bench/http.sh [BUILD_DIR] [SECONDS] [extra serve flags...]
# BENCH_ROWS=light: only the rows without inference (group query, bind, bind/unbind).
# BENCH_ROWS=one-client: only face add and recognise with one client (issue 27's
# "+N ms over SQLite" targets; several rounds of scripts/bench/cluster.sh).
# (the server runs with --auth off: this measures the request path, not key checks)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
SECS=${2:-10}
shift $(( $# < 2 ? $# : 2 ))
BIN=$BUILD/tools/facepass/facepass
SHARED=${FACEPASS_SHARED_DIR:-../shared}
IMG=$SHARED/faces/obama/1.jpg
[[ -x $BIN ]] || { echo "build $BIN first (cmake --build --preset default)"; exit 1; }
[[ -f $IMG ]] || { echo "needs $IMG"; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: scripts/install-deps.sh"; exit 1; }

DATA=$(mktemp -d "${TMPDIR:-/tmp}/facepass-bench-XXXXXX")
PORT=$(( 20000 + RANDOM % 20000 ))
URL=http://127.0.0.1:$PORT
"$BIN" serve --listen 127.0.0.1:$PORT --data-dir "$DATA" --models-dir models --queue-limit 256 --auth off "$@" >"$DATA.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA" "$DATA.log"' EXIT
for _ in $(seq 100); do curl -sf $URL/api/version/v1 >/dev/null && break; sleep 0.2; done

curl -sf -H 'Content-Type: application/json' -d '{"group_name":"bench_group"}' $URL/api/group/v1/create >/dev/null
TOKEN=$(curl -sf -F image=@"$IMG" $URL/api/face/v1/add | sed -n 's/.*"face_token":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || { echo "enrol failed"; exit 1; }
# A group of 1,000 bindings would need 1,000 enrolments; the query cost is
# dominated by the request path, so one face is bound.
curl -sf -H 'Content-Type: application/json' -d "{\"group_name\":\"bench_group\",\"face_token\":\"$TOKEN\"}" $URL/api/group/v1/bind >/dev/null

run() {  # kind connections
  local out
  out=$(BENCH_KIND=$1 BENCH_GROUP=bench_group BENCH_TOKEN=$TOKEN BENCH_IMAGE=$IMG \
        wrk -t"$(( $2 < 2 ? $2 : 2 ))" -c"$2" -d"${SECS}s" --latency -s scripts/bench/http_request.lua $URL 2>&1)
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$rps" "$p50" "$p99" "${errs:-0}"
}

echo "| request | connections | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
if [[ ${BENCH_ROWS:-all} == one-client ]]; then
  run face_add 1
  run recognize 1
  exit 0
fi
run group_query 16
run bind 16
run bind_unbind 1
[[ ${BENCH_ROWS:-all} == light ]] && exit 0
for c in 1 2 4; do run face_add $c; done
for c in 1 2 4; do run recognize $c; done
