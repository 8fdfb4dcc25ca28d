#!/usr/bin/env bash
# ctest debian_package: cpack -G DEB into a temp dir, checks the .deb's contents, control files and
# unit, then starts the extracted binary with `serve --config` and stops it with SIGTERM. With
# ORT_LIBRARY (the build's ONNX Runtime), the package must carry it and the binary must run on it.
#   packaging/test_package.sh BUILD_DIR SOURCE_DIR [ORT_LIBRARY]      (exit 77: skipped)
set -euo pipefail
BUILD=$(cd "$1" && pwd); SRC=$(cd "$2" && pwd); ORT=${3:-}
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -z ${FACEPASS_PACKAGE_SKIP:-} ]] || skip "$FACEPASS_PACKAGE_SKIP"
command -v dpkg-deb >/dev/null || skip "dpkg-deb not found (not a Debian system)"
command -v cpack >/dev/null || skip "cpack not found"
command -v curl >/dev/null || skip "curl not found"
[[ -f $SRC/models/models.json ]] || skip "no models (run scripts/fetch-models.sh)"

T=$(mktemp -d); PID=
cleanup() { [[ -n $PID ]] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# Only the server component: the models package is 40 MB of gzip that says nothing new here.
(cd "$T" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$T/out" -D CPACK_COMPONENTS_ALL=server >"$T/cpack.log" 2>&1) ||
  { cat "$T/cpack.log"; fail "cpack"; }
VER=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD/CPackConfig.cmake")
DEB="$T/out/facepass_${VER}_amd64.deb"
[[ -f $DEB ]] || { ls -R "$T/out"; fail "no $DEB"; }

dpkg-deb -c "$DEB" >"$T/contents"
files=(./usr/bin/facepass ./usr/bin/facepass-device ./usr/lib/systemd/system/facepass.service ./etc/facepass/facepass.conf)
[[ -n $ORT ]] && files+=("./usr/lib/facepass/$(basename "$ORT")")
for f in "${files[@]}"; do
  grep -q " $f\$" "$T/contents" || { cat "$T/contents"; fail "$f not in the package"; }
done
dpkg-deb -I "$DEB" >"$T/info"
for f in postinst prerm postrm conffiles; do grep -qw "$f" "$T/info" || fail "control file $f missing"; done
grep -q '^ Depends:.*libc6' "$T/info" || { cat "$T/info"; fail "no shlibdeps Depends"; }
[[ $(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles) == /etc/facepass/facepass.conf ]] || fail "conffiles"

dpkg-deb -x "$DEB" "$T/root"
UNIT="$T/root/usr/lib/systemd/system/facepass.service"
if command -v systemd-analyze >/dev/null; then
  # The unit names /usr/bin/facepass: check it with the extracted binary in that place.
  sed "s|/usr/bin/facepass|$T/root/usr/bin/facepass|" "$UNIT" >"$T/facepass.service"
  systemd-analyze verify "$T/facepass.service" >"$T/verify.log" 2>&1 || { cat "$T/verify.log"; fail "systemd-analyze verify"; }
  # verify warns (exit 0) on unknown keys: none allowed.
  ! grep -qi "unknown\|ignoring" "$T/verify.log" || { cat "$T/verify.log"; fail "unit warnings"; }
else
  echo "systemd-analyze not found: unit not verified"
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$T/data"
cat >"$T/facepass.conf" <<CONF
[serve]
listen = "127.0.0.1:$PORT"
data-dir = "$T/data"
models-dir = "$SRC/models"
CONF
# The environment must not name another ONNX Runtime: the packaged one is under test.
env -u FACEPASS_ONNXRUNTIME "$T/root/usr/bin/facepass" serve --config "$T/facepass.conf" >"$T/serve.log" 2>&1 &
PID=$!
# 200 without auth, 401 with API keys on (the default): either way the server is up.
code=000
for _ in $(seq 1 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/version/v1" || true)
  [[ $code == 200 || $code == 401 ]] && break
  kill -0 "$PID" 2>/dev/null || { cat "$T/serve.log"; fail "serve exited"; }
  sleep 0.1
done
[[ $code == 200 || $code == 401 ]] || { cat "$T/serve.log"; fail "no answer on port $PORT (last $code)"; }
if [[ -n $ORT ]]; then
  want="inference runtime: onnxruntime .* $T/root/usr/lib/facepass/$(basename "$ORT")"
  grep -q "$want" "$T/serve.log" || { cat "$T/serve.log"; fail "not running on the packaged ONNX Runtime"; }
fi
kill -TERM "$PID"
rc=0; wait "$PID" || rc=$?
PID=
[[ $rc == 0 ]] || { cat "$T/serve.log"; fail "serve exited $rc after SIGTERM"; }
echo "OK: $(basename "$DEB") (version answered $code, SIGTERM exit 0)"
