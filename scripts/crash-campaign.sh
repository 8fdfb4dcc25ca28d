#!/usr/bin/env bash
# kill -9 campaign (issue 13, docs/reliability.md): the real server on one data
# directory under mixed load from several clients, SIGKILLed N times; after each
# restart every acknowledged write must be there and `facepass check` must pass.
#   scripts/crash-campaign.sh --kills 100 [--clients 4] [--seed S] [--keep]
# Builds what it needs first (BUILD_DIR, default build; NO_BUILD=1 skips that). Photos: FACEPASS_SHARED_DIR/faces.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build}"
[[ -n "${NO_BUILD:-}" ]] || cmake --build "$build" --target facepass facepass-crash-campaign -j "$(nproc)" >/dev/null
exec "$build/tools/crash/facepass-crash-campaign" \
  --server-bin "$build/tools/facepass/facepass" \
  --models-dir "${FACEPASS_MODELS_DIR:-models}" \
  --faces-dir "${FACEPASS_SHARED_DIR:-../shared}/faces" "$@"
