#!/usr/bin/env bash
# Face add through HTTP, one client: every photo of ../shared/faces (faces.csv) posted
# ROUNDS times to a real server in a temp data dir; prints the latency distribution
# (curl's time_total: request sent -> reply read, so curl's own start-up is excluded).
# Usage: scripts/bench/face_add.sh [BUILD_DIR] [ROUNDS] [extra serve flags...]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
ROUNDS=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
BIN=$BUILD/tools/facepass/facepass
FACES=${FACEPASS_SHARED_DIR:-../shared}/faces
[[ -x $BIN ]] || { echo "build $BIN first (cmake --build --preset default)"; exit 1; }
[[ -f $FACES/faces.csv ]] || { echo "needs $FACES/faces.csv"; exit 1; }

DATA=$(mktemp -d "${TMPDIR:-/tmp}/facepass-bench-XXXXXX")
PORT=$(( 20000 + RANDOM % 20000 ))
URL=http://127.0.0.1:$PORT
"$BIN" serve --listen 127.0.0.1:$PORT --data-dir "$DATA" --models-dir models --pool-size 1 --auth off "$@" >"$DATA.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA" "$DATA.log"' EXIT
for _ in $(seq 100); do curl -sf $URL/api/version/v1 >/dev/null && break; sleep 0.2; done

mapfile -t PHOTOS < <(tail -n +2 "$FACES/faces.csv" | cut -d, -f1)
curl -s -o /dev/null -F image=@"$FACES/${PHOTOS[0]}" $URL/api/face/v1/add  # warm-up
TIMES=$(mktemp)
for _ in $(seq "$ROUNDS"); do
  for p in "${PHOTOS[@]}"; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -F image=@"$FACES/$p" $URL/api/face/v1/add >>"$TIMES"
  done
done
# 400 is a photo the enrol gates refuse (it ran the pipeline too); anything else (auth,
# flags, 5xx) would make the table lie: say so and fail.
echo "answers: $(cut -d' ' -f1 "$TIMES" | sort | uniq -c | awk '{printf "%s%s x %s", sep, $2, $1; sep=", "}')"
BAD=$(awk '$1 != 200 && $1 != 400' "$TIMES" | wc -l)
if (( BAD > 0 )); then echo "face_add.sh: $BAD requests were neither 200 nor 400 (see $DATA.log)"; exit 1; fi
cut -d' ' -f2 "$TIMES" > "$TIMES.t" && mv "$TIMES.t" "$TIMES"
sort -n "$TIMES" | awk '{ v[NR] = $1 * 1000 } END {
  printf "| requests | p10 ms | p50 ms | p90 ms | max ms |\n|---|---|---|---|---|\n";
  printf "| %d | %.1f | %.1f | %.1f | %.1f |\n", NR, v[int(NR*0.1)+1], v[int(NR*0.5)+1], v[int(NR*0.9)+1], v[NR] }'
rm -f "$TIMES"
