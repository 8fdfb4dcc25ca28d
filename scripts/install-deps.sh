#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the model converter need.
# Safe to run again: does nothing when everything is already there.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libopencv-dnn-dev libopencv-calib3d-dev
  librestinio-dev libasio-dev libfmt-dev
  libsqlitecpp-dev libsqlite3-dev sqlite3
  nlohmann-json3-dev libspdlog-dev libssl-dev libcli11-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libhwy-dev libfaiss-dev
  python3-onnx python3-numpy
  nodejs npm
  libcurl4-openssl-dev wrk curl openssl
  libarchive-dev
  postgresql libpq-dev libpqxx-dev haproxy
  zlib1g-dev clang-14 clang-tools-14 libclang-rt-14-dev
  chromium chromium-driver python3-selenium
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from elsewhere than Debian (e.g. a preinstalled toolchain).
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
