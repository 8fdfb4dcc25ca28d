# Sourced by the PostgreSQL benches (cluster.sh, cold_start.sh): a scratch
# directory and a server child cleaned up at exit, one throwaway PostgreSQL 15
# cluster for the whole run (scripts/pg-throwaway.sh), a fresh database per
# measurement, and the server's process facts.

bench_paths() {  # BUILD_DIR: BIN (the server) and IMG (the photo the requests send)
  BIN=$1/tools/facepass/facepass
  IMG=${FACEPASS_SHARED_DIR:-../shared}/faces/obama/1.jpg
}

bench_need() {  # FILE...: exits when one is missing
  for f in "$@"; do
    [[ -e $f ]] || { echo "needs $f (build: cmake --build --preset default; photos: ../shared)"; exit 1; }
  done
}

WORK=""
SERVE_PID=""  # a `facepass serve` child the script started, killed at exit
bench_begin() {  # PREFIX: WORK, a new directory removed at exit with the cluster and SERVE_PID
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1-XXXXXX")
  trap bench_end EXIT
}
bench_end() {  # under set -e: every step may fail without skipping the next
  if [[ -n $SERVE_PID ]]; then
    kill "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
  fi
  pg_bench_stop
  rm -rf "$WORK"
}

PG_BENCH_DIR=""
PG_BENCH_ADMIN=""  # URI of the cluster's maintenance database

pg_bench_start() {
  local vars
  vars=$(bash scripts/pg-throwaway.sh start)
  PG_BENCH_DIR=$(sed -n 's/^FACEPASS_PG_DIR=//p' <<<"$vars")
  PG_BENCH_ADMIN=$(sed -n 's/^FACEPASS_TEST_PG_URI=//p' <<<"$vars")
  [[ -n $PG_BENCH_DIR && -n $PG_BENCH_ADMIN ]] || { echo "pg-throwaway did not start" >&2; return 1; }
}

pg_bench_stop() {
  [[ -z $PG_BENCH_DIR ]] || bash scripts/pg-throwaway.sh stop "$PG_BENCH_DIR" || true
  PG_BENCH_DIR=""
}

pg_sql() {  # SQL... : run on the maintenance database, unaligned output
  local args=()
  for s in "$@"; do args+=(-c "$s"); done
  psql "$PG_BENCH_ADMIN" -qAtX -v ON_ERROR_STOP=1 "${args[@]}"
}

pg_fresh_db() {  # prints the URI of a new, empty database
  local name="bench_$(date +%s%N)_$RANDOM"
  pg_sql "CREATE DATABASE $name" >/dev/null
  echo "${PG_BENCH_ADMIN%/*}/$name"
}

load_average() { cut -d' ' -f1-3 /proc/loadavg; }
rss_mib() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
cpu_seconds() {  # PID: user + system seconds so far (fields 14 and 15 of stat, after the command's parentheses)
  sed 's/.*) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($12 + $13) / hz }'
}
