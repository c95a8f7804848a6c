"""systemd/install.sh in a throwaway root (--destdir): files, permissions, idempotence, removal."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest

from queue_core.service import auth
from queue_core.config import load_settings
from queue_core.storage import Store
from tests.appliance.scripts import load_script

SYSTEMD = Path(__file__).resolve().parents[2] / "systemd"
INSTALLER = SYSTEMD / "install.sh"
UNIT_DIR = "etc/systemd/system"


def install(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XEPHANG_")}
    answer = subprocess.run(["bash", str(INSTALLER), "--destdir", str(root), "--no-venv", *args],
                            capture_output=True, text=True, timeout=120, env=env, check=False,
                            stdin=subprocess.DEVNULL)
    if check:
        assert answer.returncode == 0, answer.stdout + answer.stderr
    return answer


def snapshot(root: Path) -> dict[str, tuple[str, str]]:
    """Every path under `root` with its mode and content (or link target)."""
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            what = "-> " + os.readlink(path)
        elif path.is_dir():
            what = "dir"
        else:
            what = hashlib.sha256(path.read_bytes()).hexdigest()
        found[str(path.relative_to(root))] = (oct(stat.S_IMODE(info.st_mode)), what)
    return found


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


SHELL_SCRIPTS = [INSTALLER, SYSTEMD / "rehearse.sh", SYSTEMD.parent / "scripts/run",
                 SYSTEMD.parent / "scripts/test", SYSTEMD.parent / "scripts/lock"]


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.name)
def test_installer_is_valid_bash(script: Path) -> None:
    assert os.access(script, os.X_OK), f"{script.name} must be executable"
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed; bash -n passed")
    subprocess.run([shellcheck, "-x", "-S", "warning", str(script)], check=True, timeout=60,
                   cwd=SYSTEMD.parent)


def test_core_box_files_and_permissions(tmp_path: Path) -> None:
    root = tmp_path / "root"
    answer = install(root)
    assert "would run: useradd --system" in answer.stdout
    units = root / UNIT_DIR
    for unit in SYSTEMD.glob("*.service"):
        installed = units / unit.name
        assert installed.read_bytes() == unit.read_bytes()
        assert mode(installed) == 0o644
    # Only the core is enabled on a plain core box.
    wants = root / UNIT_DIR / "multi-user.target.wants"
    assert sorted(p.name for p in wants.iterdir()) == ["xephang.service"]
    assert os.readlink(wants / "xephang.service") == "/etc/systemd/system/xephang.service"
    config = root / "etc/xephang"
    assert mode(config) == 0o750
    for name in ("xephang.toml", "xephang.env", "install.conf"):
        assert mode(config / name) == 0o640, name
    data = root / "var/lib/xephang"
    assert mode(data) == 0o750 and mode(data / "backups") == 0o750
    # The configuration written is the default center, and it loads.
    settings = load_settings(config / "xephang.toml", env={})
    assert len(settings.counters) == 5 and settings.server.data_dir == "/var/lib/xephang"
    assert settings.hardware.printer == "fake", "emulated until a real printer is named"
    assert mode(root / "etc/pam.d/xephang-screen") == 0o644
    # `sudo xephang doctor` runs the installed program on this box's configuration and data.
    command = root / "usr/local/bin/xephang"
    assert mode(command) == 0o755
    wrapper = command.read_text()
    assert "XEPHANG_CONFIG:=/etc/xephang/xephang.toml" in wrapper
    assert "XEPHANG_DATA_DIR:=/var/lib/xephang" in wrapper
    assert "exec /opt/xephang/venv/bin/xephang" in wrapper
    subprocess.run(["sh", "-n", str(command)], check=True, timeout=30)
    # Nothing outside the root: no apt, no systemctl.
    assert "apt-get" not in answer.stdout


def test_running_again_changes_nothing_and_keeps_edits(tmp_path: Path) -> None:
    root = tmp_path / "root"
    install(root, "--enable", "screen@wall", "--enable", "keypad@2")
    toml = root / "etc/xephang/xephang.toml"
    toml.write_text(toml.read_text() + "\n# edited on site\n")
    (root / "var/lib/xephang/xephang.sqlite3").write_bytes(b"data of the center")
    before = snapshot(root)
    install(root)  # no options: the earlier choices are remembered
    assert snapshot(root) == before
    assert "# edited on site" in toml.read_text()


def test_device_units_get_tokens_from_the_core(tmp_path: Path) -> None:
    root = tmp_path / "root"
    xephang = f"{sys.executable} -m queue_core.cli"
    install(root, "--xephang", xephang, "--enable", "keypad@2", "--enable", "screen@kiosk")
    env = root / "etc/xephang/keypad-2.env"
    assert mode(env) == 0o640
    token = dict(line.split("=", 1) for line in env.read_text().splitlines()
                 if line and not line.startswith("#"))["XEPHANG_KEYPAD_TOKEN"]
    store = Store.in_data_dir(root / "var/lib/xephang")
    try:
        device = auth.token_principal(store, token)
    finally:
        store.close()
    assert device is not None and device.role == "keypad" and device.counter == 2
    assert (root / "etc/xephang/screen-kiosk.env").read_text().count("XEPHANG_SCREEN_TOKEN=xph_") == 1
    # multi-user.target: reached on a console-only box (Pi OS Lite) and on a desktop alike.
    wants = root / UNIT_DIR / "multi-user.target.wants"
    assert os.readlink(wants / "xephang-screen@kiosk.service") == \
        "/etc/systemd/system/xephang-screen@.service"
    assert not (root / UNIT_DIR / "graphical.target.wants").exists()
    # Without a terminal no admin is created, and no default password either.
    store = Store.in_data_dir(root / "var/lib/xephang")
    try:
        assert store.conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
    finally:
        store.close()
    before = env.read_text()
    install(root, "--xephang", xephang)
    assert env.read_text() == before, "a device keeps its token when the installer runs again"


def test_satellite_box(tmp_path: Path) -> None:
    root = tmp_path / "root"
    install(root, "--core", "http://192.0.2.10:8000", "--enable", "keypad@3")
    wants = root / UNIT_DIR / "multi-user.target.wants"
    assert sorted(p.name for p in wants.iterdir()) == ["xephang-keypad@3.service"]
    assert "XEPHANG_CORE_URL=http://192.0.2.10:8000" in (root / "etc/xephang/xephang.env").read_text()
    env = (root / "etc/xephang/keypad-3.env").read_text()
    assert "XEPHANG_KEYPAD_TOKEN=\n" in env and "xephang token create keypad-3" in env
    conf = (root / "etc/xephang/install.conf").read_text()
    assert 'XEPHANG_CORE_URL="http://192.0.2.10:8000"' in conf


def test_usb_printer_gets_a_udev_rule(tmp_path: Path) -> None:
    root = tmp_path / "root"
    config = root / "etc/xephang"
    config.mkdir(parents=True)
    (config / "xephang.toml").write_text(
        '[hardware]\nprinter = "usb"\nprinter_usb_vendor = 0x04b8\nprinter_usb_product = 0x0202\n')
    install(root)
    rule = (root / "etc/udev/rules.d/60-xephang.rules").read_text()
    assert 'ATTRS{idVendor}=="04b8"' in rule and 'ATTRS{idProduct}=="0202"' in rule
    assert 'GROUP="lp"' in rule


def test_uninstall_keeps_the_data(tmp_path: Path) -> None:
    root = tmp_path / "root"
    install(root, "--enable", "display@wall")
    (root / "opt/xephang/venv").mkdir()
    database = root / "var/lib/xephang/xephang.sqlite3"
    database.write_bytes(b"tickets")
    answer = install(root, "--uninstall")
    assert "kept" in answer.stdout
    assert not list((root / UNIT_DIR).glob("xephang*.service"))
    assert not list((root / UNIT_DIR).glob("*.wants/xephang*"))
    assert not (root / "opt/xephang").exists()
    assert not (root / "usr/local/bin/xephang").exists()
    assert not (root / "etc/pam.d/xephang-screen").exists()
    assert database.read_bytes() == b"tickets"
    assert (root / "etc/xephang/xephang.toml").exists()
    install(root, "--uninstall", "--purge")
    assert not (root / "var/lib/xephang").exists() and not (root / "etc/xephang").exists()


def test_unknown_unit_is_refused(tmp_path: Path) -> None:
    answer = install(tmp_path / "root", "--enable", "toaster", check=False)
    assert answer.returncode != 0 and "no such unit: toaster" in answer.stderr


def test_default_config_template_is_valid() -> None:
    raw = tomllib.loads((SYSTEMD / "xephang.toml").read_text(encoding="utf-8"))
    assert raw["backup"]["retention_months"] == 0
    load_settings(SYSTEMD / "xephang.toml", env={})


# --- what the box gets from Debian ----------------------------------------------------------------

def packages_for(*units: str) -> set[str]:
    args = [arg for unit in units for arg in ("--enable", unit)]
    answer = subprocess.run(["bash", str(INSTALLER), "--print-packages", *args],
                            capture_output=True, text=True, check=True, timeout=60)
    return set(answer.stdout.split())


def test_debian_packages_fit_what_the_box_runs() -> None:
    core = packages_for()
    # The native screen and the loudspeaker use Debian's pygame (its SDL has KMSDRM).
    assert {"python3-pygame", "python3-venv", "espeak-ng", "systemd"} <= core
    # The program brings its own fonts; pip is not kept on the box.
    assert not {"fonts-noto-core", "fonts-dejavu-core", "python3-pip"} & core
    screen = packages_for("screen@wall") - core
    assert screen == {"cage", "chromium", "fonts-dejavu-core", "libpam-systemd"}
    assert packages_for("display@3") == core


# --- enabling where systemd does not run ---------------------------------------------------------

def fake_systemctl(tmp_path: Path) -> tuple[Path, Path]:
    """A systemctl that only writes down how it was called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    (bin_dir / "systemctl").write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    (bin_dir / "systemctl").chmod(0o755)
    return bin_dir, log


def test_offline_enable_uses_systemctl_root_and_starts_nothing(tmp_path: Path) -> None:
    bin_dir, log = fake_systemctl(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XEPHANG_")}
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    root = tmp_path / "root"
    answer = subprocess.run(["bash", str(INSTALLER), "--destdir", str(root), "--no-venv",
                             "--offline-enable", "--enable", "display@3"],
                            capture_output=True, text=True, timeout=120, env=env, check=False,
                            stdin=subprocess.DEVNULL)
    assert answer.returncode == 0, answer.stderr
    calls = log.read_text().splitlines()
    assert calls == [f"--root={root} --quiet enable xephang.service xephang-display@3.service"]
    assert not any(word in " ".join(calls) for word in ("start", "daemon-reload", "restart"))


def test_the_last_words_say_what_starts_at_boot(tmp_path: Path) -> None:
    root = tmp_path / "root"
    answer = install(root, "--enable", "keypad@2", "--enable", "display@wall")
    tail = answer.stdout.split("will start at boot", 1)[1]
    for unit in ("xephang.service", "xephang-keypad@2.service", "xephang-display@wall.service"):
        assert f"{unit} (multi-user.target)" in tail
    assert answer.stdout.rstrip().endswith("sudo xephang doctor")


def test_with_no_systemctl_plain_links_are_made(tmp_path: Path) -> None:
    # Only the tools the installer needs, and no systemctl among them.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "sh", "sed", "awk", "tr", "install", "ln", "mkdir", "chmod", "mv", "cat",
                 "dirname", "basename", "head", "tail", "grep", "id", "getent", "python3",
                 "mktemp", "rm", "printf", "cut", "find", "env"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    root = tmp_path / "root"
    answer = subprocess.run([str(bin_dir / "bash"), str(INSTALLER), "--destdir", str(root),
                             "--no-venv", "--enable", "screen@wall"], capture_output=True,
                            text=True, timeout=120, env=env, check=False, stdin=subprocess.DEVNULL)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    wants = root / UNIT_DIR / "multi-user.target.wants"
    assert os.readlink(wants / "xephang-screen@wall.service") == \
        "/etc/systemd/system/xephang-screen@.service"


def test_destdir_is_a_test_mode_and_says_where_things_went(tmp_path: Path) -> None:
    root = tmp_path / "root"
    answer = install(root)
    assert "(test mode)" in answer.stdout
    # Messages name the files where they really are.
    assert f"{root}/etc/xephang/xephang.toml" in answer.stdout
    help_text = subprocess.run(["bash", str(INSTALLER), "--help"], capture_output=True,
                               text=True, check=True, timeout=30).stdout
    assert "test mode" in help_text and "not for copying to a box" in help_text


# --- the locked dependency set and the offline bundle --------------------------------------------

ROOT = SYSTEMD.parent


def _bundle_module() -> Any:
    return load_script("bundle")


@pytest.mark.parametrize("lock_name", ["requirements.lock", "requirements-dev.lock"])
def test_the_lock_pins_every_dependency_with_hashes(lock_name: str) -> None:
    from packaging.requirements import Requirement

    entries = _bundle_module().lock_entries((ROOT / lock_name).read_text())
    pinned = {name: version for name, version, _ in entries}
    for _, _, entry in entries:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    if lock_name == "requirements-dev.lock":
        wanted += project["optional-dependencies"]["dev"]
    for text in wanted:
        requirement = Requirement(text)
        name = requirement.name.lower().replace("_", "-")
        assert name in pinned, f"{name} is not in {lock_name}: run scripts/lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), \
            f"{lock_name} pins {name}=={pinned[name]}, pyproject asks {requirement.specifier}"


def test_both_locks_agree() -> None:
    bundle = _bundle_module()
    runtime = {n: v for n, v, _ in bundle.lock_entries((ROOT / "requirements.lock").read_text())}
    dev = {n: v for n, v, _ in bundle.lock_entries((ROOT / "requirements-dev.lock").read_text())}
    assert {n: dev.get(n) for n in runtime} == runtime, "scripts test what the box runs"


def test_the_box_installs_the_lock_without_pygame_pip_or_setuptools() -> None:
    bundle = _bundle_module()
    text = (ROOT / "requirements.lock").read_text()
    box = bundle.box_requirements(text)
    names = {n for n, _, _ in bundle.lock_entries(box)}
    everything = {n for n, _, _ in bundle.lock_entries(text)}
    assert names == everything - {"pygame", "pip", "setuptools"}
    assert "pygame" in everything, "pip's pygame stays for developers"
    assert box.count("--hash=sha256:") == sum(
        entry.count("--hash=sha256:") for n, _, entry in bundle.lock_entries(text)
        if n in names)


def make_wheel(folder: Path, name: str, version: str, body: str, script: str = "") -> Path:
    """A small real wheel, so the installer's offline path runs without any index."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {f"{name}_mod.py": body,
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    if script:
        files[f"{info}/entry_points.txt"] = f"[console_scripts]\nxephang = {script}\n"
    record = [f"{n},sha256={_b64(hashlib.sha256(t.encode()).digest())},{len(t.encode())}"
              for n, t in files.items()]
    files[f"{info}/RECORD"] = "\n".join(record + [f"{info}/RECORD,,"]) + "\n"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def fake_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    wheels = bundle / "wheels"
    dep = make_wheel(wheels, "xephang_probe_dep", "1.0", "VALUE = 42\n")
    own = make_wheel(wheels, "xephang", "0.1.0",
                     "import xephang_probe_dep_mod\n"
                     "def main():\n    print('xephang', xephang_probe_dep_mod.VALUE)\n",
                     script="xephang_mod:main")
    (bundle / "requirements.txt").write_text(
        f"xephang-probe-dep==1.0 --hash=sha256:{hashlib.sha256(dep.read_bytes()).hexdigest()}\n"
        f"xephang==0.1.0 --hash=sha256:{hashlib.sha256(own.read_bytes()).hexdigest()}\n")
    return bundle


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "tar.gz"])
def test_install_from_a_bundle_needs_no_index(tmp_path: Path, packed: bool) -> None:
    bundle = fake_bundle(tmp_path)
    source: Path = bundle
    if packed:
        source = tmp_path / "bundle.tar.gz"
        with tarfile.open(source, "w:gz") as archive:
            archive.add(bundle, arcname="xephang-bundle")
    root = tmp_path / "root"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XEPHANG_", "PIP_"))}
    # Any attempt to reach an index fails at once.
    env.update(PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_CONFIG_FILE=os.devnull)
    answer = subprocess.run(["bash", str(INSTALLER), "--destdir", str(root), "--from",
                             str(source)], capture_output=True, text=True, timeout=300, env=env,
                            check=False, stdin=subprocess.DEVNULL)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    venv = root / "opt/xephang/venv"
    ran = subprocess.run([str(venv / "bin/xephang")], capture_output=True, text=True,
                         check=True, timeout=30)
    assert ran.stdout.strip() == "xephang 42"
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert not (site / "pip").exists(), "pip is not kept in the runtime virtualenv"
    assert "include-system-site-packages = true" in (venv / "pyvenv.cfg").read_text()


def test_a_bundle_file_with_a_wrong_hash_is_refused(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path)
    dep = next((bundle / "wheels").glob("xephang_probe_dep-*.whl"))
    with zipfile.ZipFile(dep, "a") as archive:
        archive.writestr("extra.py", "TAMPERED = True\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XEPHANG_", "PIP_"))}
    env.update(PIP_CONFIG_FILE=os.devnull)
    answer = subprocess.run(["bash", str(INSTALLER), "--destdir", str(tmp_path / "root"),
                             "--from", str(bundle)], capture_output=True, text=True, timeout=300,
                            env=env, check=False, stdin=subprocess.DEVNULL)
    assert answer.returncode != 0 and "hash" in (answer.stdout + answer.stderr).lower()
