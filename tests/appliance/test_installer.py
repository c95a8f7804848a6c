"""systemd/install.sh in a throwaway root (--destdir): files, permissions, idempotence, removal."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from queue_core.service import auth
from queue_core.config import load_settings
from queue_core.storage import Store

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


def test_installer_is_valid_bash() -> None:
    assert os.access(INSTALLER, os.X_OK), "install.sh must be executable"
    subprocess.run(["bash", "-n", str(INSTALLER)], check=True, timeout=30)
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed; bash -n passed")
    subprocess.run([shellcheck, "-S", "warning", str(INSTALLER)], check=True, timeout=60)


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
    graphical = root / UNIT_DIR / "graphical.target.wants"
    assert os.readlink(graphical / "xephang-screen@kiosk.service") == \
        "/etc/systemd/system/xephang-screen@.service"
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
