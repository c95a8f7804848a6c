#!/usr/bin/env bash
# Install (or update, or remove) xephang on Raspberry Pi OS / Debian 12 (bookworm).
#
#   sudo systemd/install.sh                          # the core box: core + what install.conf names
#   sudo systemd/install.sh --enable screen@wall     # plus a browser wall screen on HDMI
#   sudo systemd/install.sh --core http://192.168.1.10:8000 --enable keypad@2   # a satellite box
#   sudo systemd/install.sh --uninstall              # remove the program, keep data and config
#   sudo systemd/install.sh --uninstall --purge      # remove everything, data included
#   sudo BUNDLE/systemd/install.sh --from BUNDLE     # no internet: from an offline bundle
#
# Safe to run again: it never overwrites the configuration, the data or a device's token.
# Where systemd is not running (a chroot, an SD-card image being prepared) the units are
# enabled for the next boot and not started (--offline-enable, chosen by itself there).
# --destdir DIR is a test mode: the files a box would get, written under DIR for a look.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE="$(cd "$SCRIPT_DIR/.." && pwd)"

USER_NAME=xephang
GROUPS_WANTED="audio lp dialout gpio video render input"
PREFIX=/opt/xephang
CONFIG_DIR=/etc/xephang
DATA_DIR=/var/lib/xephang
UNIT_DIR=/etc/systemd/system
UDEV_RULE=/etc/udev/rules.d/60-xephang.rules
COMMAND=/usr/local/bin/xephang
PAM_FILE=/etc/pam.d/xephang-screen
# Debian's python3-pygame, not pip's: its SDL draws on a bare console (KMSDRM) and the
# virtualenv sees it (system site packages). The program brings its own fonts.
APT_PACKAGES="python3 python3-venv python3-pygame espeak-ng alsa-utils libusb-1.0-0 sqlite3 ca-certificates systemd"
# A browser screen: the compositor, the browser, a fallback font, and the logind session.
SCREEN_PACKAGES="cage fonts-dejavu-core libpam-systemd"

DESTDIR="${DESTDIR:-}"
CORE_URL=""
ENABLE=()
DO_APT=1
DO_VENV=1
UNINSTALL=0
PURGE=0
XEPHANG_CMD=""
BUNDLE=""
OFFLINE_ENABLE=""
PRINT_PACKAGES=0
SCRATCH=""

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'EOF'

Options:
  --core URL       this box is a satellite of the core at URL (the core is not enabled here)
  --enable UNIT    also enable UNIT (repeatable): announcer, kiosk, keypad@N, ratingpad@N,
                   display@wall, display@N, screen@wall, screen@counter-N, screen@kiosk
  --from BUNDLE    install from an offline bundle (folder or .tar.gz, systemd/bundle.py):
                   no internet needed
  --offline-enable enable the units for the next boot without starting them (a chroot or
                   an SD-card image; chosen by itself where systemd is not running)
  --destdir DIR    test mode: write the files under DIR as if it were / (no apt, no users,
                   no systemctl). The result is for looking at, not for copying to a box:
                   a program installed there runs only from DIR.
  --print-packages print the Debian packages the chosen units need, and stop
  --no-apt         do not install Debian packages
  --no-venv        do not (re)build the virtualenv in /opt/xephang/venv
  --xephang CMD    run this command as `xephang` (default: the virtualenv's)
  --uninstall      remove the program and units; keep /var/lib/xephang and /etc/xephang
  --purge          with --uninstall: also delete the data, the configuration and the user
EOF
}

while (($#)); do
  case "$1" in
    --core) CORE_URL="${2:?--core needs a URL}"; shift 2 ;;
    --enable) ENABLE+=("${2:?--enable needs a unit}"); shift 2 ;;
    --destdir) DESTDIR="${2:?--destdir needs a folder}"; shift 2 ;;
    --from) BUNDLE="${2:?--from needs a bundle folder or .tar.gz}"; shift 2 ;;
    --offline-enable) OFFLINE_ENABLE=1; shift ;;
    --print-packages) PRINT_PACKAGES=1; shift ;;
    --no-apt) DO_APT=0; shift ;;
    --no-venv) DO_VENV=0; shift ;;
    --xephang) XEPHANG_CMD="${2:?--xephang needs a command}"; shift 2 ;;
    --uninstall) UNINSTALL=1; shift ;;
    --purge) PURGE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

if ((PRINT_PACKAGES)); then
  TEST_ROOT=0
elif [ -n "$DESTDIR" ]; then
  mkdir -p "$DESTDIR"
  DESTDIR="$(cd "$DESTDIR" && pwd)"
  DO_APT=0
  TEST_ROOT=1
else
  TEST_ROOT=0
  [ "$(id -u)" = 0 ] || die "run as root: sudo $0 $*"
fi
R="$DESTDIR"
trap '[ -z "$SCRATCH" ] || rm -rf "$SCRATCH"' EXIT

# A path as it is on this machine (under DESTDIR in the test mode), for messages.
shown() { printf '%s%s' "$R" "$1"; }

# Units are started only where systemd runs: not in a chroot, nor on an image being made.
if [ -z "$OFFLINE_ENABLE" ]; then
  if ((TEST_ROOT)) || [ -d /run/systemd/system ]; then OFFLINE_ENABLE=0; else OFFLINE_ENABLE=1; fi
fi

# In a --destdir install nothing outside DESTDIR changes: say what would have been done.
system() {
  if ((TEST_ROOT)); then say "(destdir) would run: $*"; else "$@"; fi
}

own() {  # own OWNER:GROUP PATH...
  local owner="$1"; shift
  if ((TEST_ROOT)); then return 0; fi
  chown "$owner" "$@"
}

unit_name() {  # keypad@2 -> xephang-keypad@2.service; core -> xephang.service
  case "$1" in
    core|xephang|xephang.service) echo xephang.service ;;
    xephang-*.service) echo "$1" ;;
    xephang-*) echo "$1.service" ;;
    *) echo "xephang-$1.service" ;;
  esac
}

unit_file() {  # the file a unit comes from (the template for an instance)
  local unit="$1"
  case "$unit" in
    *@*.service) echo "${unit%%@*}@.service" ;;
    *) echo "$unit" ;;
  esac
}

wanted_by() {
  sed -n 's/^WantedBy=//p' "$SCRIPT_DIR/$(unit_file "$1")" | head -n1
}

# --- removal -----------------------------------------------------------------------------------

uninstall() {
  say "Gỡ xephang (removing xephang); data in $(shown "$DATA_DIR") is kept unless --purge."
  local units=()
  for file in "$R$UNIT_DIR"/xephang*.service; do
    [ -e "$file" ] || continue
    units+=("$(basename "$file")")
  done
  for link in "$R$UNIT_DIR"/*.wants/xephang*.service; do
    [ -e "$link" ] || [ -L "$link" ] || continue
    local name; name="$(basename "$link")"
    if ((TEST_ROOT)) || ((OFFLINE_ENABLE)); then rm -f "$link"; else systemctl disable --now "$name" || true; fi
  done
  for unit in "${units[@]}"; do
    ((TEST_ROOT)) || ((OFFLINE_ENABLE)) || systemctl disable --now "$unit" 2>/dev/null || true
    rm -f "$R$UNIT_DIR/$unit"
  done
  rm -f "$R$UDEV_RULE" "$R$COMMAND" "$R$PAM_FILE"
  rm -rf "$R$PREFIX"
  ((TEST_ROOT)) || ((OFFLINE_ENABLE)) || systemctl daemon-reload
  if ((PURGE)); then
    rm -rf "$R$DATA_DIR" "$R$CONFIG_DIR"
    if ! ((TEST_ROOT)) && getent passwd "$USER_NAME" >/dev/null; then
      userdel "$USER_NAME" || true
    fi
    say "Đã xóa cả dữ liệu và cấu hình (data and configuration deleted)."
  else
    say "Dữ liệu giữ lại ở (data kept in) $(shown "$DATA_DIR"), cấu hình ở (config in) $(shown "$CONFIG_DIR")."
  fi
}

if ((UNINSTALL)); then
  uninstall
  exit 0
fi

# --- packages, user, folders -------------------------------------------------------------------

wanted_packages() {  # the Debian packages the chosen units need
  local packages="$APT_PACKAGES" unit
  for unit in "${UNITS[@]}"; do
    case "$unit" in
      xephang-screen@*) packages="$packages $SCREEN_PACKAGES ${CHROMIUM:-chromium}" ;;
    esac
  done
  printf '%s\n' "$packages" | tr ' ' '\n' | awk 'NF && !seen[$0]++' | tr '\n' ' ' | sed 's/ $//'
}

missing_packages() {  # those of "$@" that dpkg does not have installed
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || printf '%s ' "$package"
  done
}

install_packages() {
  local packages missing gpio_missing package
  packages="$(wanted_packages)"
  # shellcheck disable=SC2086
  missing="$(missing_packages $packages)"
  # shellcheck disable=SC2086
  gpio_missing="$(missing_packages $GPIO_PACKAGES)"
  if [ -z "$missing$gpio_missing" ]; then
    say "Gói Debian đã đủ (Debian packages already installed)."
    return 0
  fi
  say "Cài gói Debian (installing Debian packages): $missing$gpio_missing"
  local apt=(apt-get -qq -y --no-install-recommends)
  if [ -n "$BUNDLE" ]; then
    local arch debs
    arch="$(dpkg --print-architecture)"
    debs="$BUNDLE/debs/$arch"
    if [ -n "$missing" ] && [ ! -e "$debs/Packages" ]; then
      die "the bundle has no Debian packages for $arch, and these are missing: $missing
(make the bundle with: python3 systemd/bundle.py build --debs $arch ..., or install them first)"
    fi
    # The bundle's packages as the only apt source: nothing is fetched from the network.
    install -d "$SCRATCH/apt/lists/partial"
    echo "deb [trusted=yes] file:$debs ./" > "$SCRATCH/apt/sources.list"
    apt+=(-o "Dir::Etc::SourceList=$SCRATCH/apt/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
          -o "Dir::State::Lists=$SCRATCH/apt/lists")
  fi
  "${apt[@]}" update
  if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install $missing
  fi
  # lgpio drives a Pi's pins for gpiozero where the platform has it (Raspberry Pi OS's own
  # repository); where no source has it, warn_gpio says what can be done instead.
  for package in $gpio_missing; do
    if "${apt[@]}" show "$package" >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "$package"
    fi
  done
  # The downloaded .deb files would stay on the card for nothing.
  apt-get clean
}

chromium_package() {
  # Raspberry Pi OS has called it chromium-browser; Debian calls it chromium.
  if apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    echo chromium
  elif apt-cache policy chromium-browser 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    echo chromium-browser
  else
    echo chromium
  fi
}

gpio_platform() {  # GPIO_KIND, GPIO_PACKAGES, GPIO_SUMMARY, GPIO_FIX for this box
  local probe="$SCRIPT_DIR/../hardware/platform.py" answer
  GPIO_KIND="" GPIO_PACKAGES="" GPIO_SUMMARY="" GPIO_FIX=""
  [ -e "$probe" ] && command -v python3 >/dev/null || return 0
  answer="$(python3 -I "$probe" --root "${R:-/}")" || return 0
  GPIO_KIND="$(sed -n 's/^GPIO_KIND=//p' <<<"$answer")"
  GPIO_PACKAGES="$(sed -n 's/^GPIO_PACKAGES=//p' <<<"$answer")"
  GPIO_SUMMARY="$(sed -n 's/^GPIO_SUMMARY=//p' <<<"$answer")"
  GPIO_FIX="$(sed -n 's/^GPIO_FIX=//p' <<<"$answer")"
}

ensure_user() {
  local group
  for group in $GROUPS_WANTED; do
    getent group "$group" >/dev/null || system groupadd --system "$group"
  done
  if ! getent passwd "$USER_NAME" >/dev/null; then
    system useradd --system --home-dir "$DATA_DIR" --no-create-home \
      --shell /usr/sbin/nologin --user-group "$USER_NAME"
  fi
  system usermod -a -G "${GROUPS_WANTED// /,}" "$USER_NAME"
}

make_folders() {
  install -d -m 0755 "$R$PREFIX" "$R$UNIT_DIR"
  install -d -m 0750 "$R$CONFIG_DIR" "$R$DATA_DIR" "$R$DATA_DIR/backups"
  own "root:$USER_NAME" "$R$CONFIG_DIR"
  own "$USER_NAME:$USER_NAME" "$R$DATA_DIR" "$R$DATA_DIR/backups"
}

write_config() {
  if [ ! -e "$R$CONFIG_DIR/xephang.toml" ]; then
    install -m 0640 "$SCRIPT_DIR/xephang.toml" "$R$CONFIG_DIR/xephang.toml"
    own "root:$USER_NAME" "$R$CONFIG_DIR/xephang.toml"
    say "Cấu hình mặc định (default configuration): $(shown "$CONFIG_DIR/xephang.toml")"
  fi
  if [ ! -e "$R$CONFIG_DIR/xephang.env" ]; then
    {
      echo "# Settings every xephang service on this box reads (KEY=value, one a line)."
      if [ -n "$CORE_URL" ]; then echo "XEPHANG_CORE_URL=$CORE_URL"; fi
    } > "$R$CONFIG_DIR/xephang.env"
    chmod 0640 "$R$CONFIG_DIR/xephang.env"
    own "root:$USER_NAME" "$R$CONFIG_DIR/xephang.env"
  elif [ -n "$CORE_URL" ]; then
    if grep -q '^XEPHANG_CORE_URL=' "$R$CONFIG_DIR/xephang.env"; then
      sed -i "s#^XEPHANG_CORE_URL=.*#XEPHANG_CORE_URL=$CORE_URL#" "$R$CONFIG_DIR/xephang.env"
    else
      echo "XEPHANG_CORE_URL=$CORE_URL" >> "$R$CONFIG_DIR/xephang.env"
    fi
  fi
}

remember_choices() {
  {
    echo "# What systemd/install.sh set up on this box; edit and run the installer again."
    echo "XEPHANG_CORE_URL=\"$CORE_URL\""
    echo "XEPHANG_UNITS=\"${UNITS[*]}\""
  } > "$R$CONFIG_DIR/install.conf.new"
  chmod 0640 "$R$CONFIG_DIR/install.conf.new"
  own "root:$USER_NAME" "$R$CONFIG_DIR/install.conf.new"
  mv -f "$R$CONFIG_DIR/install.conf.new" "$R$CONFIG_DIR/install.conf"
}

build_venv() {
  local venv="$R$PREFIX/venv"
  say "Cài chương trình vào (installing the program into) $(shown "$PREFIX/venv")"
  if ((TEST_ROOT)); then
    say "(destdir) test mode: $(shown "$PREFIX/venv") runs only from there; it cannot be moved to a box."
  fi
  if [ ! -x "$venv/bin/python" ]; then
    # System site packages: Debian's pygame (and lgpio on Raspberry Pi OS) come from there.
    python3 -m venv --system-site-packages "$venv"
  fi
  # pip is used for the install only: the program does not need it, so it is not kept.
  "$venv/bin/python" -m pip --version >/dev/null 2>&1 \
    || "$venv/bin/python" -m ensurepip --default-pip >/dev/null
  local pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check
             --no-warn-script-location --no-deps --require-hashes)
  if [ -n "$BUNDLE" ]; then
    # Every file checked against the bundle's hashes; nothing from the network.
    grep -v '^xephang==' "$BUNDLE/requirements.txt" > "$SCRATCH/requirements.txt"
    grep '^xephang==' "$BUNDLE/requirements.txt" > "$SCRATCH/program.txt"
    "${pip[@]}" --no-index --find-links "$BUNDLE/wheels" -r "$SCRATCH/requirements.txt"
    "${pip[@]}" --no-index --find-links "$BUNDLE/wheels" --force-reinstall -r "$SCRATCH/program.txt"
  else
    # The locked versions and hashes (requirements.lock), less what the box gets elsewhere.
    python3 "$SCRIPT_DIR/bundle.py" box-requirements "$SOURCE/requirements.lock" \
      > "$SCRATCH/requirements.txt"
    "${pip[@]}" -r "$SCRATCH/requirements.txt"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
      --force-reinstall "$SOURCE"
  fi
  "$venv/bin/python" -m pip uninstall -q -y pip setuptools >/dev/null 2>&1 || true
}

install_command() {
  # `sudo xephang doctor` and friends, on this box's configuration and data.
  install -d -m 0755 "$R/usr/local/bin"
  cat > "$R$COMMAND.new" <<WRAPPER
#!/bin/sh
# xephang with this box's configuration (written by systemd/install.sh).
: "\${XEPHANG_CONFIG:=$CONFIG_DIR/xephang.toml}"
: "\${XEPHANG_DATA_DIR:=$DATA_DIR}"
export XEPHANG_CONFIG XEPHANG_DATA_DIR
if [ -z "\${XEPHANG_CORE_URL:-}" ] && [ -r "$CONFIG_DIR/xephang.env" ]; then
  XEPHANG_CORE_URL="\$(sed -n 's/^XEPHANG_CORE_URL=//p' "$CONFIG_DIR/xephang.env" | tail -n1)"
  [ -n "\$XEPHANG_CORE_URL" ] && export XEPHANG_CORE_URL
fi
exec $PREFIX/venv/bin/xephang "\$@"
WRAPPER
  chmod 0755 "$R$COMMAND.new"
  mv -f "$R$COMMAND.new" "$R$COMMAND"
}

install_units() {
  local file
  for file in "$SCRIPT_DIR"/xephang*.service; do
    install -m 0644 "$file" "$R$UNIT_DIR/$(basename "$file")"
  done
  # The browser screen's seat session (see xephang-screen@.service).
  install -d -m 0755 "$(dirname "$R$PAM_FILE")"
  install -m 0644 "$SCRIPT_DIR/xephang-screen.pam" "$R$PAM_FILE"
}

write_udev_rule() {
  # A USB printer named in the configuration becomes writable by the service's group.
  local ids
  ids="$(python3 - "$R$CONFIG_DIR/xephang.toml" <<'PY' || true
import sys, tomllib
hardware = tomllib.load(open(sys.argv[1], "rb")).get("hardware", {})
if hardware.get("printer") == "usb" and hardware.get("printer_usb_vendor"):
    print(f'{hardware["printer_usb_vendor"]:04x} {hardware.get("printer_usb_product", 0):04x}')
PY
)"
  if [ -n "$ids" ]; then
    read -r vendor product <<<"$ids"
    install -d -m 0755 "$(dirname "$R$UDEV_RULE")"
    printf 'SUBSYSTEM=="usb", ATTRS{idVendor}=="%s", ATTRS{idProduct}=="%s", MODE="0660", GROUP="lp"\n' \
      "$vendor" "$product" > "$R$UDEV_RULE"
    chmod 0644 "$R$UDEV_RULE"
    if ! ((OFFLINE_ENABLE)); then  # with no udev running, the rule applies at the next boot
      system udevadm control --reload-rules
      system udevadm trigger --subsystem-match=usb
    fi
  fi
}

xephang() {
  local cmd
  if [ -n "$XEPHANG_CMD" ]; then
    # shellcheck disable=SC2206
    cmd=($XEPHANG_CMD)
  else
    cmd=("$R$PREFIX/venv/bin/xephang")
  fi
  local env=(env "XEPHANG_CONFIG=$R$CONFIG_DIR/xephang.toml" "XEPHANG_DATA_DIR=$R$DATA_DIR")
  if ((TEST_ROOT)); then
    "${env[@]}" "${cmd[@]}" "$@"
  else
    runuser -u "$USER_NAME" -- "${env[@]}" "${cmd[@]}" "$@"
  fi
}

device_env() {  # write the token file a device unit reads, once
  local unit="$1" kind="" instance="" file="" variable="" role="" counter_option=()
  case "$unit" in
    xephang-keypad@*) kind=keypad; role=keypad; variable=XEPHANG_KEYPAD_TOKEN ;;
    xephang-ratingpad@*) kind=ratingpad; role=kiosk; variable=XEPHANG_RATINGPAD_TOKEN ;;
    xephang-announcer.service) kind=announcer; role=announcer; variable=XEPHANG_ANNOUNCER_TOKEN ;;
    xephang-kiosk.service) kind=kiosk; role=kiosk; variable=XEPHANG_KIOSK_TOKEN ;;
    *) return 0 ;;
  esac
  case "$unit" in
    *@*) instance="${unit#*@}"; instance="${instance%.service}"
         file="$R$CONFIG_DIR/$kind-$instance.env"
         if [ "$kind" = keypad ]; then counter_option=(--counter "$instance"); fi ;;
    *) file="$R$CONFIG_DIR/$kind.env" ;;
  esac
  [ -e "$file" ] && return 0
  local token=""
  if [ -z "$CORE_URL" ]; then
    # The core is on this box: make the device's token here.
    token="$(xephang token create "$kind${instance:+-$instance}" --role "$role" \
      "${counter_option[@]}" 2>/dev/null | tail -n1)" || token=""
  fi
  {
    echo "# $unit: its device token (keep secret)."
    if [ -z "$token" ]; then
      echo "# On the core box run: xephang token create $kind${instance:+-$instance} --role $role ${counter_option[*]}"
      echo "# and put the token after the = sign."
    fi
    echo "$variable=$token"
    if [ "$kind" = kiosk ]; then
      echo "# The buttons (FIELD[:PRIORITY]=BCM pin) and the LED pin:"
      echo "XEPHANG_KIOSK_ARGS=--button A=17 --button B=27 --led 5"
    fi
  } > "$file"
  chmod 0640 "$file"
  own "root:$USER_NAME" "$file"
  if [ -z "$token" ]; then say "Cần điền token (token needed) in $(shown "$CONFIG_DIR/$(basename "$file")")"; fi
}

screen_env() {  # a kiosk page on a browser screen keeps a kiosk token
  local unit="$1" instance
  case "$unit" in xephang-screen@kiosk.service) ;; *) return 0 ;; esac
  local file="$R$CONFIG_DIR/screen-kiosk.env"
  [ -e "$file" ] && return 0
  local token=""
  if [ -z "$CORE_URL" ]; then
    token="$(xephang token create kiosk-screen --role kiosk 2>/dev/null | tail -n1)" || token=""
  fi
  printf '# The kiosk page'"'"'s device token.\nXEPHANG_SCREEN_TOKEN=%s\n' "$token" > "$file"
  chmod 0640 "$file"
  own "root:$USER_NAME" "$file"
}

enable_units() {
  local unit target
  if ((OFFLINE_ENABLE)) || ((TEST_ROOT)); then
    # systemd is not running here: enable for the next boot, start nothing.
    if command -v systemctl >/dev/null; then
      systemctl --root="${R:-/}" --quiet enable "${UNITS[@]}"
      return 0
    fi
    # No systemctl either: the links `systemctl enable` makes, from the [Install] sections.
    for unit in "${UNITS[@]}"; do
      target="$(wanted_by "$unit")"
      install -d -m 0755 "$R$UNIT_DIR/$target.wants"
      ln -sfn "$UNIT_DIR/$(unit_file "$unit")" "$R$UNIT_DIR/$target.wants/$unit"
    done
    return 0
  fi
  systemctl daemon-reload
  systemctl enable --quiet "${UNITS[@]}"
  # A new program is started again; a running one picks up the update.
  systemctl restart "${UNITS[@]}"
}

at_boot() {  # "unit (target)" for each chosen unit enabled under this root
  local unit link
  for unit in "${UNITS[@]}"; do
    for link in "$R$UNIT_DIR"/*.wants/"$unit"; do
      [ -L "$link" ] || continue
      printf '  %s (%s)\n' "$unit" "$(basename "$(dirname "$link")" .wants)"
    done
  done
}

warn_desktop() {  # a desktop session would fight a screen unit for the display
  local unit
  for unit in "${UNITS[@]}"; do
    case "$unit" in xephang-screen@*|xephang-display@*) ;; *) continue ;; esac
    if [ -e "$R/etc/systemd/system/display-manager.service" ]; then
      say "Chú ý (note): máy này có màn hình desktop; để màn hình xephang chiếm HDMI, chạy:" \
          "sudo systemctl set-default multi-user.target (a desktop also uses the screen)."
    fi
    return 0
  done
}

warn_gpio() {  # buttons on a box whose platform cannot drive pins
  local unit
  for unit in "${UNITS[@]}"; do
    case "$unit" in xephang-keypad@*|xephang-ratingpad@*|xephang-kiosk.service) ;; *) continue ;; esac
    if [ -n "$GPIO_KIND" ] && [ -z "$GPIO_PACKAGES" ]; then
      say "GPIO: $GPIO_SUMMARY"
      say "  → $GPIO_FIX"
    fi
    return 0
  done
}

# --- the run -----------------------------------------------------------------------------------

remembered() {  # the value of KEY="..." in install.conf
  [ -e "$R$CONFIG_DIR/install.conf" ] || return 0
  sed -n "s/^$1=\"\(.*\)\"\$/\1/p" "$R$CONFIG_DIR/install.conf" | tail -n1
}

PREVIOUS_UNITS=""
if ! ((PRINT_PACKAGES)); then  # the builder of a bundle asks for no box's choices
  PREVIOUS_UNITS="$(remembered XEPHANG_UNITS)"
  CORE_URL="${CORE_URL:-$(remembered XEPHANG_CORE_URL)}"
fi

UNITS=()
if [ -z "$CORE_URL" ]; then UNITS+=(xephang.service); fi
for choice in $PREVIOUS_UNITS "${ENABLE[@]}"; do
  unit="$(unit_name "$choice")"
  [ "$unit" = xephang.service ] && [ -n "$CORE_URL" ] && continue
  [ -e "$SCRIPT_DIR/$(unit_file "$unit")" ] || die "no such unit: $choice"
  case " ${UNITS[*]} " in *" $unit "*) ;; *) UNITS+=("$unit") ;; esac
done

if ((PRINT_PACKAGES)); then
  gpio_platform
  wanted_packages
  echo
  exit 0
fi

if [ -n "$BUNDLE" ]; then
  [ -e "$BUNDLE" ] || die "no such bundle: $BUNDLE"
  SCRATCH="$(mktemp -d)"
  if [ -f "$BUNDLE" ]; then
    tar -xzf "$BUNDLE" -C "$SCRATCH"
    BUNDLE="$(find "$SCRATCH" -mindepth 2 -maxdepth 2 -name requirements.txt -printf '%h\n' | head -n1)"
  fi
  BUNDLE="$(cd "$BUNDLE" && pwd)"
  [ -e "$BUNDLE/requirements.txt" ] && [ -d "$BUNDLE/wheels" ] \
    || die "$BUNDLE is not an offline bundle (no requirements.txt and wheels/)"
else
  SCRATCH="$(mktemp -d)"
fi

say "xephang: ${UNITS[*]}${CORE_URL:+ (core: $CORE_URL)}${DESTDIR:+ into $DESTDIR (test mode)}"
if ((OFFLINE_ENABLE)) && ! ((TEST_ROOT)); then
  say "systemd không chạy ở đây (systemd is not running here: a chroot or an image):" \
      "các dịch vụ được bật cho lần khởi động sau, không khởi động bây giờ (enabled for the next boot, not started)."
fi
gpio_platform
if ((DO_APT)); then
  CHROMIUM="$(chromium_package)"
  install_packages
fi
ensure_user
make_folders
write_config
if ((DO_VENV)); then build_venv; fi
install_units
install_command
write_udev_rule
for unit in "${UNITS[@]}"; do
  device_env "$unit"
  screen_env "$unit"
done
remember_choices
if [ -z "$CORE_URL" ] && { ((DO_VENV)) || [ -n "$XEPHANG_CMD" ]; }; then
  # Creates the database, then the first admin when someone is at the keyboard.
  xephang first-admin
fi
enable_units
warn_desktop
warn_gpio
if ((OFFLINE_ENABLE)) || ((TEST_ROOT)); then
  say "Sẽ tự chạy khi máy khởi động (will start at boot):"
else
  say "Đang chạy và sẽ tự chạy khi khởi động (running, and started at every boot):"
fi
at_boot
say "Xong (done). Kiểm tra (check): sudo xephang doctor"
