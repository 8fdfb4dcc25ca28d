#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, fetches and converts
# the models on first run and starts the server on the embedded default
# (SQLite + files under the data directory).
#   FACEPASS_LISTEN=127.0.0.1:8080 FACEPASS_DATA_DIR=./data scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/fetch-models.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target facepass
exec build/tools/facepass/facepass serve \
  --listen "${FACEPASS_LISTEN:-127.0.0.1:8080}" \
  --data-dir "${FACEPASS_DATA_DIR:-./data}" \
  --models-dir "${FACEPASS_MODELS_DIR:-./models}" "$@"
