#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and benches: initdb in a fresh
# temporary directory, a free port, loopback only, trust auth, its socket in
# that directory (run/). Safe to run again; nothing outside the directory changes.
#
#   eval "$(scripts/pg-throwaway.sh start)"   # sets FACEPASS_PG_DIR, FACEPASS_TEST_PG_URI
#   scripts/pg-throwaway.sh stop "$FACEPASS_PG_DIR"
#   scripts/pg-throwaway.sh pause|resume "$FACEPASS_PG_DIR"   # the server down / up again, same port
#
# As root the server runs as the `postgres` user (PostgreSQL refuses root);
# as another user, as that user. start prints nothing on stdout but the two
# assignments; diagnostics go to stderr, the server log to DIR/log.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MARK=.facepass-pg-throwaway

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  [[ -x "$PGBIN/initdb" ]] || { echo "pg-throwaway: no $PGBIN/initdb (scripts/install-deps.sh installs postgresql)" >&2; return 1; }
  local dir owner port
  dir=$(mktemp -d "${TMPDIR:-/tmp}/facepass-pg.XXXXXX")
  chmod 755 "$dir"  # the postgres user must get in
  touch "$dir/$MARK"
  owner=$(id -un)
  [[ $(id -u) -eq 0 ]] && owner=postgres
  install -d -o "$owner" -m 700 "$dir/data"
  install -d -o "$owner" -m 755 "$dir/run"  # the server's socket
  if ! as_owner "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    echo "pg-throwaway: initdb failed:" >&2; cat "$dir/initdb.log" >&2; rm -rf "$dir"; return 1
  fi
  touch "$dir/log" && chown "$owner" "$dir/log"
  for attempt in 1 2 3; do
    port=$(free_port)
    if as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
        -o "-p $port -k $dir/run -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null; then
      break
    fi
    port=""
  done
  if [[ -z "$port" ]]; then
    echo "pg-throwaway: the server did not start:" >&2; tail -20 "$dir/log" >&2; rm -rf "$dir"; return 1
  fi
  echo "$port" >"$dir/port"
  as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres facepass_test
  echo "FACEPASS_PG_DIR=$dir"
  echo "FACEPASS_TEST_PG_URI=postgresql://postgres@127.0.0.1:$port/facepass_test"
}

stop() {
  local dir=${1:-}
  # Only a directory this script made: never remove anything else.
  [[ -n "$dir" && -f "$dir/$MARK" ]] || { echo "pg-throwaway: $dir is not a throwaway cluster" >&2; return 1; }
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

# For fault tests: the server killed (as a crash would) and started again on its port, data kept.
pause() {
  local dir=${1:-}
  [[ -n "$dir" && -f "$dir/$MARK" ]] || { echo "pg-throwaway: $dir is not a throwaway cluster" >&2; return 1; }
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
}

resume() {
  local dir=${1:-}
  [[ -n "$dir" && -f "$dir/$MARK" ]] || { echo "pg-throwaway: $dir is not a throwaway cluster" >&2; return 1; }
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
    -o "-p $(cat "$dir/port") -k $dir/run -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  pause) pause "${2:-}" ;;
  resume) resume "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR | pause DIR | resume DIR" >&2; exit 2 ;;
esac
