# Shared by scripts/run and scripts/test: install missing Debian packages and the virtualenv.

ensure_system_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  if ((${#missing[@]})); then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing Debian packages: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_venv() {  # ensure_venv "" | "[dev]": the program (and the test tools) at the locked versions
  local extras="$1"
  local lock=requirements.lock
  [ "$extras" = "[dev]" ] && lock=requirements-dev.lock
  local stamp=".venv/.installed${extras}"
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  # Reinstall only when the project's requirements or the lock changed.
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    # Every dependency at the version and hash the lock names (scripts/lock makes it).
    .venv/bin/python -m pip install -q --require-hashes -r "$lock"
    .venv/bin/python -m pip install -q --no-deps -e .
    touch "$stamp"
  fi
}
