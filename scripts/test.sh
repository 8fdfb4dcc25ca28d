#!/usr/bin/env bash
# The README's test command: installs what is missing, fetches and converts the
# models, builds everything and runs the whole suite. Safe to run again.
#   PRESET=asan scripts/test.sh   runs the suite under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${PRESET:-default}

bash scripts/install-deps.sh
bash scripts/fetch-models.sh
bash scripts/fetch-onnxruntime.sh
cmake --preset "$PRESET" >/dev/null
cmake --build --preset "$PRESET" -j "$(nproc)"
ctest --preset "$PRESET" -j "$(nproc)" --timeout 900 "$@"
