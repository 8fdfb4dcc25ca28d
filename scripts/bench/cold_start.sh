#!/usr/bin/env bash
# Node cold start with FACES faces in the database (issue 27 point 9,
# docs/performance.md "PostgreSQL and several nodes"): the time from exec of
# `facepass serve` to the first answered recognise on the bound group, and the
# node's RSS then, on SQLite and on PostgreSQL (same data, same box).
#
# The data: FACES random 704-D unit features bound to NGROUPS groups of equal
# size (cold_group_0, ...; recognise asks cold_group_0), inserted into
# an SQLite data directory through the store (tests/support/fill_group.h; their
# image rows name empty files), then copied into a fresh PostgreSQL database
# with `facepass migrate`. Each side is started REPS times, SQLite and
# PostgreSQL alternating; every PostgreSQL start gets a fresh --data-dir (a new
# node). Page caches are warm on both sides (the data was just written).
#
# Usage: scripts/bench/cold_start.sh [BUILD_DIR] [FACES] [REPS] [NGROUPS]
#   KEEP_DIR=/path reuses (or keeps) the filled SQLite directory across runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/pg_lib.sh
BUILD=${1:-build}
bench_paths "$BUILD"
FILL=$BUILD/tests/support/facepass-test-fill-group
bench_need "$BIN" "$FILL" "$IMG"
FACES=${2:-100000}
REPS=${3:-3}
NGROUPS=${4:-1}
PER_GROUP=$(( FACES / NGROUPS ))
DIM=704  # the default fused embedder's feature size: serve refuses another

bench_begin facepass-cold-bench

DATA=${KEEP_DIR:-$WORK/sqlite}
if [[ ! -f $DATA/facepass.db ]]; then
  start=$(date +%s.%N)
  for g in $(seq 0 $(( NGROUPS - 1 ))); do "$FILL" "$DATA" "cold_group_$g" "$PER_GROUP" "$DIM"; done
  echo "filled $FACES faces in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s"
fi
if [[ ! -d $DATA/images/filled ]]; then  # migrate copies each image row's file: the fill's are empty
  mkdir -p "$DATA/images/filled"
  (cd "$DATA/images/filled" && seq 0 $(( PER_GROUP - 1 )) | sed 's/$/.jpg/' | xargs touch)
fi

# One start: prints "seconds rss_mib cpu_seconds index_load_seconds". Polls
# recognise every 20 ms. CPU is the node's own (user + system), not
# PostgreSQL's; the index load is the node's own log line.
cold_start() {  # DATA_DIR [serve flags...]
  local dir=$1 port url t0 t1 code
  shift
  port=$(( 20000 + RANDOM % 20000 ))
  url=http://127.0.0.1:$port
  : >"$WORK/serve.log"
  t0=$(date +%s.%N)
  "$BIN" serve --listen 127.0.0.1:$port --data-dir "$dir" --models-dir models --auth off "$@" >"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
  while :; do
    code=$(curl -s -o "$WORK/answer.json" -w '%{http_code}' -F group_name=cold_group_0 \
           -F 'face_data={"faces":[{"track_id":1}]}' -F image_1=@"$IMG" "$url/api/service/recognize/v1" || true)
    [[ $code == 200 ]] && grep -q '"face_token":"' "$WORK/answer.json" && break
    kill -0 "$SERVE_PID" 2>/dev/null || { echo "serve exited; see its log:" >&2; tail -5 "$WORK/serve.log" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s.%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') $(rss_mib "$SERVE_PID") $(cpu_seconds "$SERVE_PID")" \
       "$(sed -n 's/.*index loaded.* \([0-9.]*\) s$/\1/p' "$WORK/serve.log" | tail -1)"
  kill "$SERVE_PID"
  wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=""
}

# The first start makes the installation secret that migrate copies.
echo "SQLite warm-up start: $(cold_start "$DATA")"
pg_bench_start
URI=$(pg_fresh_db)
start=$(date +%s.%N)
"$BIN" migrate --from "$DATA" --to "$URI" >"$WORK/migrate.log"
echo "migrated in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s;" \
     "PostgreSQL database $(pg_sql "SELECT pg_size_pretty(pg_database_size('${URI##*/}'))"), SQLite file $(du -h "$DATA/facepass.db" | cut -f1)"
# A node restart days after the migration, not during its write-back: the
# migration's (and its VACUUM's) dirty pages written out before the first start.
pg_sql "CHECKPOINT"
sync

echo "load average before: $(load_average)"
: >"$WORK/sqlite.txt"
: >"$WORK/pg.txt"
for rep in $(seq "$REPS"); do
  cold_start "$DATA" >>"$WORK/sqlite.txt"
  cold_start "$WORK/node$rep" --database "$URI" >>"$WORK/pg.txt"
done
echo "load average after: $(load_average)"
echo
echo "| backend | faces (groups) | exec -> first recognise, median (all, sorted) | node CPU by then, median | index load (node's log), median | RSS after, median |"
echo "|---|---|---|---|---|---|"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for side in sqlite pg; do
  name=SQLite
  [[ $side == pg ]] && name=PostgreSQL
  col() { cut -d' ' -f"$1" "$WORK/$side.txt"; }
  printf '| %s | %d (%d) | %.2f s (%s) | %.1f s | %.1f s | %d MiB |\n' "$name" "$FACES" "$NGROUPS" "$(col 1 | median)" \
    "$(col 1 | sort -n | paste -sd' ')" "$(col 3 | median)" "$(col 4 | median)" "$(col 2 | median)"
done
