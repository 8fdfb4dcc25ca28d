#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, fetches and converts
# the models and fetches ONNX Runtime on first run, and starts the server on the
# embedded default (SQLite + files under the data directory).
#   FACEPASS_LISTEN=127.0.0.1:8080 FACEPASS_DATA_DIR=./data scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/fetch-models.sh
bash scripts/fetch-onnxruntime.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target facepass
# Auth is on: the first start writes an admin key into the data directory.
data_dir="${FACEPASS_DATA_DIR:-./data}"
listen="${FACEPASS_LISTEN:-127.0.0.1:8080}"
if [[ ! -e "$data_dir/facepass.db" ]]; then
  echo "First run: every request needs an API key. The server writes an admin key to $data_dir/admin.key (0600):"
  echo "  curl -H \"Authorization: Bearer \$(cat $data_dir/admin.key)\" http://$listen/api/version/v1"
  echo "Keep it in a password manager; more keys: build/tools/facepass/facepass keys --help (README, Access control)."
fi
exec build/tools/facepass/facepass serve \
  --listen "$listen" \
  --data-dir "$data_dir" \
  --models-dir "${FACEPASS_MODELS_DIR:-./models}" "$@"
