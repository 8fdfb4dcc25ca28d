#!/usr/bin/env bash
# PostgreSQL mode against SQLite on the same box (issue 27 point 9,
# docs/performance.md "PostgreSQL and several nodes"):
#  1. scripts/bench/http.sh's table on SQLite and on PostgreSQL (a fresh
#     database of a throwaway cluster), ROUNDS times, the order alternating
#     (SQLite first in odd rounds), merged into one table per round;
#  2. what one bind and one unbind cost on PostgreSQL: every statement the
#     server sends (log_statement = all), counted over BINDS of each, and the
#     statements of one bind, one recognise and one face add in order;
#  3. cross-node visibility of a bind (tools/bench/visibility_bench.cc, two
#     nodes on one database, VISIBILITY_BINDS binds, default 60).
# Usage: scripts/bench/cluster.sh [BUILD_DIR] [SECONDS] [ROUNDS] [BINDS]   (ROUNDS 0: parts 2 and 3 only)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/pg_lib.sh
BUILD=${1:-build}
bench_paths "$BUILD"
bench_need "$BIN" "$IMG"
SECS=${2:-10}
ROUNDS=${3:-1}
BINDS=${4:-20}

bench_begin facepass-cluster-bench
pg_bench_start

side() {  # sqlite|pg -> http.sh's rows, without its header
  if [[ $1 == sqlite ]]; then
    scripts/bench/http.sh "$BUILD" "$SECS"
  else
    scripts/bench/http.sh "$BUILD" "$SECS" --database "$(pg_fresh_db)"
  fi | tail -n +3
}

for round in $(seq "$ROUNDS"); do
  order=(sqlite pg)
  (( round % 2 == 0 )) && order=(pg sqlite)
  echo "round $round (${order[0]} first), load average before: $(load_average)"
  for backend in "${order[@]}"; do
    side "$backend" >"$WORK/$backend.md"
    echo "  $backend done, load average: $(load_average)"
  done
  echo
  echo "| request | connections | SQLite req/s | p50 | p99 | PostgreSQL req/s | p50 | p99 | non-2xx (SQLite / PG) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  paste -d'|' "$WORK/sqlite.md" "$WORK/pg.md" | awk -F'|' '{ for (i = 1; i <= NF; ++i) gsub(/^ +| +$/, "", $i)
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |\n", $2, $3, $4, $5, $6, $12, $13, $14, $7, $15 }'
  echo
done

# --- 2. Statements per bind and per unbind on PostgreSQL -------------------
URI=$(pg_fresh_db)
PORT=$(( 20000 + RANDOM % 20000 ))
URL=http://127.0.0.1:$PORT
"$BIN" serve --listen 127.0.0.1:$PORT --data-dir "$WORK/node" --models-dir models --auth off \
  --database "$URI" >"$WORK/node.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 150); do curl -sf $URL/api/version/v1 >/dev/null && break; sleep 0.2; done
curl -sf -H 'Content-Type: application/json' -d '{"group_name":"bench_group"}' $URL/api/group/v1/create >/dev/null
TOKEN=$(curl -sf -F image=@"$IMG" $URL/api/face/v1/add | sed -n 's/.*"face_token":"\([^"]*\)".*/\1/p')
[[ -n $TOKEN ]] || { echo "enrol failed"; exit 1; }
BODY="{\"group_name\":\"bench_group\",\"face_token\":\"$TOKEN\"}"

PGLOG=$PG_BENCH_DIR/log
pg_sql "ALTER SYSTEM SET log_statement = 'all'" "SELECT pg_reload_conf()" >/dev/null
sleep 1
statements() {  # PATH CURL_ARGS...: the server's statements for one request, one a line
  local before after path=$1
  shift
  before=$(stat -c %s "$PGLOG")
  curl -sf "$@" "$URL$path" >/dev/null
  after=$(stat -c %s "$PGLOG")
  tail -c +$(( before + 1 )) "$PGLOG" | head -c $(( after - before )) |
    sed -n 's/.*LOG:  \(statement\|execute [^:]*\): //p'
}
JSON=(-H 'Content-Type: application/json' -d "$BODY")
: >"$WORK/bind.sql"
: >"$WORK/unbind.sql"
for _ in $(seq "$BINDS"); do
  statements /api/group/v1/bind "${JSON[@]}" >>"$WORK/bind.sql"
  statements /api/group/v1/unbind "${JSON[@]}" >>"$WORK/unbind.sql"
done
statements /api/group/v1/bind "${JSON[@]}" >"$WORK/one_bind.sql"
statements /api/service/recognize/v1 -F group_name=bench_group -F 'face_data={"faces":[{"track_id":1}]}' \
  -F image_1=@"$IMG" >"$WORK/one_recognise.sql"
statements /api/face/v1/add -F image=@"$IMG" >"$WORK/one_face_add.sql"
pg_sql "ALTER SYSTEM RESET log_statement" "SELECT pg_reload_conf()" >/dev/null
for kind in bind unbind; do
  echo "$kind on PostgreSQL: $(awk -v n="$BINDS" 'END { printf "%.1f", NR / n }' "$WORK/$kind.sql") statements per request" \
       "(over $BINDS requests; the background follower's reads in the window included):"
  sed -E 's/\$[0-9]+/?/g; s/[0-9]{3,}/N/g' "$WORK/$kind.sql" | cut -c1-110 | sort | uniq -c | sort -rn |
    awk -v n="$BINDS" '{ c = $1; $1 = ""; printf "  %5.2f x %s\n", c / n, $0 }'
done
for kind in bind recognise face_add; do
  echo "one $kind, in the order PostgreSQL ran them:"
  cut -c1-130 "$WORK/one_$kind.sql" | nl -w4 -s'  '
done
kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true
SERVE_PID=""

# --- 3. Cross-node visibility -----------------------------------------------
VIS=$BUILD/tools/bench/facepass-visibility-bench
if [[ -x $VIS ]]; then
  echo
  echo "cross-node visibility, load average before: $(load_average)"
  "$VIS" --server-bin "$BIN" --models-dir models --database "$(pg_fresh_db)" --photo "$IMG" \
    --binds "${VISIBILITY_BINDS:-60}" --work-dir "$WORK"
else
  echo "no $VIS: cmake --build --preset default --target facepass-visibility-bench"
fi
echo "load average at the end: $(load_average)"
