#!/usr/bin/env bash
# The README's test command: installs what is missing, fetches and converts the
# models, builds everything and runs the whole suite. Safe to run again.
#   PRESET=asan scripts/test.sh   runs the suite under ASan+UBSan.
# A throwaway PostgreSQL cluster (scripts/pg-throwaway.sh) runs for the
# suite's PostgreSQL tests (FACEPASS_TEST_PG_URI) and is removed on exit,
# also on failure. Under CI=true a cluster that does not start fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${PRESET:-default}

bash scripts/install-deps.sh
bash scripts/fetch-models.sh
bash scripts/fetch-onnxruntime.sh
cmake --preset "$PRESET" >/dev/null
cmake --build --preset "$PRESET" -j "$(nproc)"

if pg_env=$(bash scripts/pg-throwaway.sh start); then
  eval "$pg_env"
  export FACEPASS_TEST_PG_URI
  trap 'bash scripts/pg-throwaway.sh stop "$FACEPASS_PG_DIR"' EXIT
elif [[ "${CI:-}" == true ]]; then
  echo "test.sh: no PostgreSQL cluster for the tests (CI=true)" >&2
  exit 1
else
  echo "test.sh: no PostgreSQL cluster: the PostgreSQL tests skip" >&2
fi
ctest --preset "$PRESET" -j "$(nproc)" --timeout 900 "$@"
