#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ with clang (ASan + UBSan) in their own
# build directory, generates the seed corpora, runs every harness and prints a
# table: harness, execs, execs/s, corpus size, crashes.
#   scripts/fuzz.sh [SECONDS_EACH]   a campaign, 60 s per harness by default; the
#                                    corpora grow in $FUZZ_BUILD_DIR/corpus
#   scripts/fuzz.sh --smoke          CI (ctest fuzz_smoke): every harness over its
#                                    seeds for 2 s; exits 77 (skip) without clang
# FUZZ_BUILD_DIR (default build-fuzz), FACEPASS_SHARED_DIR (dev photos' parent).
# Crash, leak, timeout and OOM inputs land in $FUZZ_BUILD_DIR/artifacts/<harness>/.
# Exit status: 0 when no harness found anything.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SMOKE=0
SECONDS_EACH=60
case "${1:-}" in
  --smoke) SMOKE=1; SECONDS_EACH=2 ;;
  "") ;;
  *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS_EACH | --smoke]" >&2; exit 2 ;;
  *) SECONDS_EACH=$1 ;;
esac
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)
SHARED=${FACEPASS_SHARED_DIR:-$ROOT/../shared}

skip() {  # no toolchain: a skip for ctest, an error for a campaign
  echo "fuzz: SKIPPED: $*" >&2
  if ((SMOKE)); then exit 77; fi
  exit 1
}

CXX=$(command -v clang++ || command -v clang++-14 || true)
CC=$(command -v clang || command -v clang-14 || true)
[[ -n "$CXX" && -n "$CC" ]] || skip "clang not found (scripts/install-deps.sh installs clang-14)"
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/p.cc"
"$CXX" -fsanitize=fuzzer,address,undefined "$probe/p.cc" -o "$probe/p" 2>"$probe/err" ||
  skip "$CXX cannot link libFuzzer (libclang-rt-14-dev missing?): $(head -c 300 "$probe/err")"

JOBS=${FUZZ_JOBS:-$(nproc)}
cmake -S . -B "$BUILD" -G Ninja -DFACEPASS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_COMPILER="$CC" >"$BUILD/configure.log" ||
  { cat "$BUILD/configure.log"; exit 1; }
cmake --build "$BUILD" --target fuzzers -j "$JOBS"

rm -rf "$BUILD/seeds"
"$BUILD/fuzz/make_seeds" "$BUILD/seeds" "$SHARED/faces"

# harness max_len dictionary
HARNESSES=(
  "multipart_fuzz 16384 multipart.dict"
  "urlencoded_fuzz 4096 urlencoded.dict"
  "json_body_fuzz 8192 json_body.dict"
  "image_fuzz 65536 image.dict"
  "token_fuzz 64 -"
  "sync_decode_fuzz 8192 sync.dict"
  "device_apply_fuzz 8192 sync.dict"
  "http_head_fuzz 8192 http_head.dict"
)

rows=()
total_execs=0
total_crashes=0
for spec in "${HARNESSES[@]}"; do
  read -r name max_len dict <<<"$spec"
  corpus=$BUILD/corpus/$name
  ((SMOKE)) && corpus=$BUILD/smoke-corpus/$name && rm -rf "$corpus"
  artifacts=$BUILD/artifacts/$name
  mkdir -p "$corpus" "$artifacts"
  before=$(find "$artifacts" -type f | wc -l)
  args=(-max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2560 -max_len="$max_len"
        -print_final_stats=1 -artifact_prefix="$artifacts/")
  [[ "$dict" != - ]] && args+=(-dict="$ROOT/fuzz/$dict")
  log=$BUILD/$name.log
  echo "fuzz: $name for ${SECONDS_EACH}s" >&2
  rc=0
  "$BUILD/fuzz/$name" "${args[@]}" "$corpus" "$BUILD/seeds/$name" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  size=$(find "$corpus" -type f | wc -l)
  crashes=$(($(find "$artifacts" -type f | wc -l) - before))
  if ((rc != 0 && crashes == 0)); then crashes=1; fi
  if ((crashes > 0)); then
    echo "fuzz: $name FAILED (exit $rc), log $log, inputs in $artifacts:" >&2
    grep -m5 -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" >&2 || tail -20 "$log" >&2
  fi
  rows+=("$name ${execs:-0} ${rate:-0} $size $crashes")
  total_execs=$((total_execs + ${execs:-0}))
  total_crashes=$((total_crashes + crashes))
done

printf '\n| %-18s | %12s | %9s | %11s | %7s |\n' harness execs execs/s corpus crashes
printf '|%s|%s|%s|%s|%s|\n' "--------------------" "--------------" "-----------" "-------------" "---------"
for r in "${rows[@]}"; do
  read -r name execs rate size crashes <<<"$r"
  printf '| %-18s | %12s | %9s | %11s | %7s |\n' "$name" "$execs" "$rate" "$size" "$crashes"
done
printf '| %-18s | %12s | %9s | %11s | %7s |\n' total "$total_execs" "" "" "$total_crashes"
((total_crashes == 0))
