#!/usr/bin/env bash
# Fetches ONNX Runtime for the inference seam (src/vision/onnx_runtime.cc): the
# Linux x64 library and Microsoft's C API header, from npm packages pinned with
# their sha512, cached in .cache/npm and extracted to ./onnxruntime (gitignored,
# never committed). The binary dlopens the library at start and runs on OpenCV's
# DNN module when it is absent.
#
#   scripts/fetch-onnxruntime.sh      # no-op when up to date
#
# Inputs (pinned):  onnxruntime-node@1.16.3       bin/napi-v3/linux/x64/libonnxruntime.so.1.16.3
#                   com.github.asus4.onnxruntime@0.4.9  onnxruntime_c_api.h of 1.29.0, LICENSE
#                   (both Microsoft's ONNX Runtime, MIT)
# Why 1.16.3's library under 1.29's header: docs/performance.md (Runtime). The code
# asks the library for C API 16 only, so every entry it calls exists in 1.16.
# Outputs:          onnxruntime/lib/libonnxruntime.so.1.16.3, onnxruntime/include/*.h,
#                   onnxruntime/LICENSE, onnxruntime/VERSION
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NPM_DIR="$ROOT/.cache/npm"
OUT="$ROOT/onnxruntime"

LIB_PKG=onnxruntime-node
LIB_VER=1.16.3
LIB_SHA512='sha512-6T2pjwg5ik74VnI1IXFzxvPAm2UCo+vNNsDGbMP+A2q6GZPMYai2pMA17g3YMUvgOZLwsjWBUwNIlP4QaVRFlA=='
LIB_FILE=package/bin/napi-v3/linux/x64/libonnxruntime.so.1.16.3
HDR_PKG=com.github.asus4.onnxruntime
HDR_VER=0.4.9
HDR_SHA512='sha512-BkzxduSZ9IkeDP6Q8lz2TFU2ie7hSSvS7ZIfzMooExoq0CNzJnuuGaUJ7IsojBgqO4ouD1jXah8OYyJbCN29Fg=='
HDR_DIR='package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64_x86_64-simulator/onnxruntime.framework/Headers'
HDR_FILES=(onnxruntime_c_api.h onnxruntime_error_code.h onnxruntime_ep_c_api.h onnxruntime_session_options_config_keys.h)

say() { echo "fetch-onnxruntime: $*" >&2; }
fail() { echo "fetch-onnxruntime: error: $*" >&2; exit 1; }

command -v npm >/dev/null || fail "npm not found (run scripts/install-deps.sh)"
mkdir -p "$NPM_DIR"
exec 8>"$NPM_DIR/fetch-onnxruntime.lock"
flock 8

KEY="$LIB_PKG@$LIB_VER $LIB_SHA512 $LIB_FILE | $HDR_PKG@$HDR_VER $HDR_SHA512 ${HDR_FILES[*]}"
if [[ -f "$OUT/.key" && "$(cat "$OUT/.key")" == "$KEY" && -s "$OUT/lib/$(basename "$LIB_FILE")" ]]; then
  say "up to date in $OUT"
  exit 0
fi

# npm's integrity string ("sha512-" + base64 of the digest) of a file.
sri_sha512() { printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

# packed NAME VERSION SHA512: prints the path of the verified tarball in the cache,
# running `npm pack` when it is missing or does not match.
packed() {
  local tgz
  tgz="$NPM_DIR/$(echo "${1#@}" | tr '/' '-')-$2.tgz"
  if [[ -f "$tgz" && "$(sri_sha512 "$tgz")" == "$3" ]]; then
    echo "$tgz"
    return
  fi
  say "npm pack $1@$2"
  local tmp
  tmp="$(mktemp -d "$NPM_DIR/.ort.XXXXXX")"
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null) || { rm -rf "$tmp"; fail "npm pack $1@$2 failed"; }
  local got
  got="$(sri_sha512 "$tmp/$(basename "$tgz")")"
  [[ "$got" == "$3" ]] || { rm -rf "$tmp"; fail "$1@$2: sha512 mismatch: got $got, want $3"; }
  mv "$tmp/$(basename "$tgz")" "$tgz"
  rm -rf "$tmp"
  echo "$tgz"
}

lib_tgz="$(packed "$LIB_PKG" "$LIB_VER" "$LIB_SHA512")"
hdr_tgz="$(packed "$HDR_PKG" "$HDR_VER" "$HDR_SHA512")"

stage="$(mktemp -d "$ROOT/.onnxruntime.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
tar --no-same-owner -xzf "$lib_tgz" -C "$stage" "$LIB_FILE"
hdr_paths=()
for h in "${HDR_FILES[@]}"; do hdr_paths+=("$HDR_DIR/$h"); done
mkdir -p "$stage/hdr"
# The library's package has no licence file: the header package carries Microsoft's MIT text.
tar --no-same-owner -xzf "$hdr_tgz" -C "$stage/hdr" "${hdr_paths[@]}" package/LICENSE
mkdir -p "$stage/out/lib" "$stage/out/include"
mv "$stage/$LIB_FILE" "$stage/out/lib/"
mv "$stage/hdr/package/LICENSE" "$stage/out/LICENSE"
for h in "${HDR_FILES[@]}"; do mv "$stage/hdr/$HDR_DIR/$h" "$stage/out/include/"; done
echo "$LIB_VER" >"$stage/out/VERSION"
echo "$KEY" >"$stage/out/.key"
rm -rf "$OUT"
mv "$stage/out" "$OUT"
say "ONNX Runtime $LIB_VER in $OUT"
