#!/bin/sh
# Runs COMMAND... --database "$FACEPASS_TEST_PG_URI", the PostgreSQL cluster
# that scripts/test.sh starts. Without it, or without HAProxy, the test skips
# (exit 77), except under CI=true, where a missing dependency fails the run
# (as tests/support/skip_or_fail.h does for the gtest suites).
missing=""
[ -n "${FACEPASS_TEST_PG_URI:-}" ] || missing="FACEPASS_TEST_PG_URI is not set: no PostgreSQL cluster (scripts/test.sh starts one)"
[ -n "$missing" ] || [ -x /usr/sbin/haproxy ] || missing="haproxy is not installed (scripts/install-deps.sh)"
if [ -n "$missing" ]; then
  if [ "${CI:-}" = true ]; then
    echo "FAIL: $missing (CI=true: a missing dependency fails)"
    exit 1
  fi
  echo "SKIP: $missing"
  exit 77
fi
exec "$@" --database "$FACEPASS_TEST_PG_URI"
