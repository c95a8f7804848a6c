#!/usr/bin/env bash
# Rehearse an install as a technician would, on a bare Debian 12 root, with no internet.
#
#   sudo systemd/rehearse.sh            # the whole rehearsal (~2 min warm; needs the internet)
#   systemd/rehearse.sh --short         # units only: verified offline, command lines shown (CI)
#
# The whole rehearsal builds a bare bookworm root with debootstrap (minbase; the tarball is
# kept in the cache folder between runs), builds the offline bundle (wheels for aarch64 and
# x86_64 plus this machine's Debian packages), then, with the network cut off (a network
# namespace with only loopback), runs the installer from the bundle inside the root (systemd
# is not running there, so it enables the units for the next boot), starts the core as the
# service user, checks /api/v1/health, runs `xephang doctor`, verifies every unit with
# `systemd-analyze verify --root`, shows each unit's command line and measures the footprint.
# Its mounts live in a private mount namespace and the root is removed on exit, failed or not.
#
# Environment: XEPHANG_REHEARSAL_CACHE (default /var/cache/xephang-rehearsal),
# XEPHANG_REHEARSAL_MIRROR (default http://deb.debian.org/debian), KEEP_ROOT=1 keeps the root.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${XEPHANG_REHEARSAL_CACHE:-/var/cache/xephang-rehearsal}"
MIRROR="${XEPHANG_REHEARSAL_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
ENABLE=(display@wall keypad@2)
UNITS=(xephang.service xephang-announcer.service xephang-kiosk.service
       xephang-display@wall.service xephang-display@3.service xephang-keypad@2.service
       xephang-ratingpad@3.service xephang-screen@wall.service xephang-screen@counter-3.service
       xephang-screen@kiosk.service xephang-screen@rate-2.service)
SHORT=0
WORK=""

say() { printf '== %s\n' "$*"; }
die() { printf 'rehearse.sh: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
  --short) SHORT=1 ;;
  "") ;;
  -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option $1 (see --help)" ;;
esac

cleanup() {
  local status=$?
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    # Mounts were made in a private namespace; unmount anything that leaked all the same.
    local mount
    while read -r mount; do umount -l "$mount" 2>/dev/null || true; done \
      < <(awk -v root="$WORK" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    if [ "${KEEP_ROOT:-0}" = 1 ]; then say "root kept in $WORK"; else rm -rf "$WORK"; fi
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

render() {  # render ROOT: each unit's command line after systemd's expansion
  python3 "$SCRIPT_DIR/render_units.py" --root "$1" "${UNITS[@]}"
}

verify() {  # verify ROOT: systemd-analyze on every unit, offline, inside ROOT
  local out
  out="$(cd "$1" && systemd-analyze verify --root="$1" --man=no "${UNITS[@]}" 2>&1)" || {
    printf '%s\n' "$out"; die "systemd-analyze verify failed"; }
  if grep -i xephang <<<"$out"; then die "systemd-analyze verify complained"; fi
  echo "verify: ok (${#UNITS[@]} units)"
}

# --- the short form: the installer's files in a scratch root, verified -------------------------

if ((SHORT)); then
  command -v systemd-analyze >/dev/null || die "systemd-analyze is needed (package systemd)"
  WORK="$(mktemp -d)"
  root="$WORK/root"
  enable=()
  for unit in "${UNITS[@]}"; do enable+=(--enable "$unit"); done
  env -u XEPHANG_CONFIG -u XEPHANG_DATA_DIR bash "$SCRIPT_DIR/install.sh" --destdir "$root" \
    --no-venv "${enable[@]}" </dev/null >"$WORK/install.log"
  # What a real root has besides our files: systemd's own units, and the program.
  mkdir -p "$root/lib/systemd" "$root/opt/xephang/venv/bin"
  cp -a /lib/systemd/system "$root/lib/systemd/"
  printf '#!/bin/sh\nexit 0\n' > "$root/opt/xephang/venv/bin/xephang"
  chmod 0755 "$root/opt/xephang/venv/bin/xephang"
  render "$root"
  verify "$root"
  exit 0
fi

# --- the whole rehearsal -----------------------------------------------------------------------

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot, namespaces)"
for tool in debootstrap unshare chroot systemd-analyze apt-ftparchive ip python3; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt install debootstrap apt-utils iproute2 systemd)"
done
started=$(date +%s)
arch="$(dpkg --print-architecture)"
mkdir -p "$CACHE"
WORK="$(mktemp -d /var/tmp/xephang-rehearsal.XXXXXX)"
root="$WORK/root"
bundle="$WORK/bundle"

tarball="$CACHE/$SUITE-minbase-$arch.tgz"
if [ ! -s "$tarball" ]; then
  say "debootstrap: fetching $SUITE minbase ($arch) into $tarball"
  debootstrap --variant=minbase --arch="$arch" --make-tarball="$tarball" "$SUITE" "$WORK/fetch" "$MIRROR"
  rm -rf "$WORK/fetch"
fi
say "debootstrap: a bare $SUITE root from $tarball"
debootstrap --variant=minbase --arch="$arch" --unpack-tarball="$tarball" "$SUITE" "$root" "$MIRROR" \
  >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; die "debootstrap failed"; }
bare_kb="$(du -sxk "$root" | cut -f1)"
chroot "$root" dpkg-query -W -f='${Installed-Size}\t${Package}\n' | sort -k2 > "$WORK/bare-packages.txt"

say "bundle: wheels for aarch64 and x86_64, Debian packages for $arch"
python3 "$SCRIPT_DIR/bundle.py" build --out "$bundle" --debs "$arch" --apt-cache "$CACHE/debs" --tar \
  >"$WORK/bundle.log" 2>&1 || { tail -30 "$WORK/bundle.log"; die "the bundle was not made"; }
cat "$bundle/BUNDLE.txt"
bundle_mb="$(du -sm "$bundle.tar.gz" | cut -f1)"
cp "$bundle.tar.gz" "$root/root/"

# Everything below runs with no network but loopback, in its own mount and PID namespaces:
# its mounts and processes end with it.
say "offline: the installer, the core, doctor (network cut off)"
cat > "$WORK/inside.sh" <<INSIDE
set -euo pipefail
ip link set lo up
if python3 -c 'import socket; socket.create_connection(("deb.debian.org", 80), 3)' 2>/dev/null; then
  echo "the network is not cut off"; exit 1
fi
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
cd /
tar -xzf "$root/root/bundle.tar.gz" -C "$root/root"
chroot "$root" /root/bundle/systemd/install.sh --from /root/bundle $(printf -- '--enable %s ' "${ENABLE[@]}") </dev/null
chroot "$root" dpkg-query -W -f='\${Installed-Size}\t\${Package}\n' | sort -k2 > "$WORK/packages.txt"
# The bundle itself (copied in for the rehearsal) is no part of the footprint.
du -sxk --exclude=bundle --exclude=bundle.tar.gz "$root" | cut -f1 > "$WORK/installed-kb"
chroot "$root" runuser -u xephang -- env XEPHANG_CONFIG=/etc/xephang/xephang.toml \
  XEPHANG_DATA_DIR=/var/lib/xephang /opt/xephang/venv/bin/xephang serve --host 127.0.0.1 --port 8000 \
  >"$WORK/serve.log" 2>&1 &
server=\$!
python3 - <<'PY'
import json, time, urllib.request
deadline = time.monotonic() + 120
while True:
    try:
        with urllib.request.urlopen("http://127.0.0.1:8000/api/v1/health", timeout=3) as answer:
            body = json.load(answer)
            print("health:", answer.status, json.dumps(body, ensure_ascii=False))
            assert answer.status == 200 and body["database"] == "ok", body
            break
    except OSError:
        if time.monotonic() > deadline:
            raise SystemExit("the core did not answer /api/v1/health within 120 s")
        time.sleep(0.5)
PY
set +e
chroot "$root" /usr/local/bin/xephang doctor
echo "doctor: exit \$?" > "$WORK/doctor-status"
set -e
kill "\$server"; wait "\$server" || true
INSIDE
unshare --net --mount --pid --fork --propagation private bash "$WORK/inside.sh" 2>&1 | tee "$WORK/inside.log"
[ "${PIPESTATUS[0]}" = 0 ] || { tail -20 "$WORK/serve.log" 2>/dev/null; die "the offline install failed"; }
grep -q "systemd is not running here" "$WORK/inside.log" || die "the installer did not see it was offline"
cat "$WORK/doctor-status"
grep -q "doctor: exit 0" "$WORK/doctor-status" || die "doctor found something broken"

say "units: verified in the root, and their command lines"
# Units not enabled here lack their token files: shown, not counted.
render "$root" 2>/dev/null || true
enabled=(xephang.service)
for unit in "${ENABLE[@]}"; do enabled+=("xephang-$unit.service"); done
python3 "$SCRIPT_DIR/render_units.py" --root "$root" "${enabled[@]}" >/dev/null \
  || die "an enabled unit misses a file it reads"
verify "$root"
[ -L "$root/etc/systemd/system/multi-user.target.wants/xephang.service" ] || die "the core is not enabled"

say "footprint"
installed_kb="$(cat "$WORK/installed-kb")"
venv_kb="$(du -sk "$root/opt/xephang/venv" | cut -f1)"
apt_cache_kb="$(du -sk "$root/var/cache/apt" | cut -f1)"
pip_left="$(find "$root/opt/xephang/venv" -maxdepth 4 -type d -name pip | wc -l)"
join -1 2 -2 2 -v 1 -o 1.1,1.2 "$WORK/packages.txt" "$WORK/bare-packages.txt" > "$WORK/added.txt"
added_kb="$(awk '{ s += $1 } END { print s }' "$WORK/added.txt")"
fonts="$(awk '$2 ~ /^fonts-/ { printf "%s (%d MiB) ", $2, $1 / 1024 }' "$WORK/added.txt")"
elapsed=$(( $(date +%s) - started ))
{
  echo "rehearsal: $(date -u '+%Y-%m-%d %H:%M UTC'), Debian $SUITE $arch minbase, ${elapsed} s, passed"
  echo "bare root: $((bare_kb / 1024)) MiB; after the install: $((installed_kb / 1024)) MiB (+$(((installed_kb - bare_kb) / 1024)) MiB)"
  echo "Debian packages added: $(wc -l < "$WORK/added.txt"), $((added_kb / 1024)) MiB installed size"
  echo "virtualenv: $((venv_kb / 1024)) MiB (pip in it: $pip_left); apt cache left: $((apt_cache_kb / 1024)) MiB"
  echo "fonts: ${fonts:-none}; bundle: $bundle_mb MB (.tar.gz)"
  echo "largest packages added (MiB):"
  sort -rn "$WORK/added.txt" | head -10 | awk '{ printf "  %-28s %5.1f\n", $2, $1 / 1024 }'
} | tee "$CACHE/last-result.txt"
