#!/usr/bin/env bash
# kill -9 campaign (issue 13, docs/reliability.md): the real server on one data
# directory under mixed load from several clients, SIGKILLed N times; after each
# restart every acknowledged write must be there and `facepass check` must pass.
#   scripts/crash-campaign.sh --kills 100 [--clients 4] [--seed S] [--keep]
# Against a cluster (issue 27): N nodes on one PostgreSQL database (a fresh
# schema of it) behind HAProxy, one node killed at random per round:
#   scripts/crash-campaign.sh --database URI --kills 30 [--nodes 2] [--after-kill-ms 1000]
#   scripts/crash-campaign.sh --cluster --kills 30 [--nodes 2]
# --cluster starts a throwaway PostgreSQL (scripts/pg-throwaway.sh) for the run
# and removes it on exit, also on failure or Ctrl-C.
# Builds what it needs first (BUILD_DIR, default build; NO_BUILD=1 skips that). Photos: FACEPASS_SHARED_DIR/faces.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build}"
cluster=0
args=()
for a in "$@"; do
  if [[ "$a" == --cluster ]]; then cluster=1; else args+=("$a"); fi
done
[[ -n "${NO_BUILD:-}" ]] || cmake --build "$build" --target facepass facepass-crash-campaign -j "$(nproc)" >/dev/null
campaign=("$build/tools/crash/facepass-crash-campaign"
  --server-bin "$build/tools/facepass/facepass"
  --models-dir "${FACEPASS_MODELS_DIR:-models}"
  --faces-dir "${FACEPASS_SHARED_DIR:-../shared}/faces")
if (( ! cluster )); then
  exec "${campaign[@]}" "${args[@]}"
fi
pg_env=$(bash scripts/pg-throwaway.sh start)
eval "$pg_env"
trap 'bash scripts/pg-throwaway.sh stop "$FACEPASS_PG_DIR"' EXIT
trap 'exit 130' INT TERM
"${campaign[@]}" --database "$FACEPASS_TEST_PG_URI" "${args[@]}"
