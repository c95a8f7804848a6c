"""The systemd units: each starts a real entry point, hardened the same way, and verifies."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from queue_core.cli import main
from queue_core.ops.watchdog import watchdog_interval

SYSTEMD = Path(__file__).resolve().parents[2] / "systemd"
UNITS = sorted(SYSTEMD.glob("*.service"))
VENV_XEPHANG = "/opt/xephang/venv/bin/xephang"
DATA_DIR = "/var/lib/xephang"
# Binaries a unit may start besides xephang, each with the Debian package the installer adds.
OTHER_BINARIES: dict[str, str] = {}
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "User": "xephang",
    "Group": "xephang",
    "Restart": "always",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectControlGroups": "yes",
    "RestrictSUIDSGID": "yes",
}


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Read a unit file as {section: [(key, value), ...]}, keeping repeated keys."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            assert current not in sections, f"{path.name}:{number}: section [{current}] twice"
            sections[current] = []
            continue
        assert current is not None, f"{path.name}:{number}: a setting outside any section"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}:{number}: not KEY=VALUE: {raw!r}"
        assert not raw.endswith("\\"), f"{path.name}:{number}: no line continuations"
        sections[current].append((key.strip(), value.strip()))
    return sections


def values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def one(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> str:
    found = values(unit, section, key)
    assert len(found) == 1, f"{key} appears {len(found)} times in [{section}]"
    return found[0]


def test_the_units_are_all_there() -> None:
    names = {path.name for path in UNITS}
    assert names == {
        "xephang.service", "xephang-announcer.service", "xephang-kiosk.service",
        "xephang-keypad@.service", "xephang-ratingpad@.service", "xephang-display@.service",
        "xephang-screen@.service",
    }


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_is_hardened(path: Path) -> None:
    unit = parse_unit(path)
    assert {"Unit", "Service", "Install"} <= set(unit)
    for key, expected in HARDENING.items():
        assert one(unit, "Service", key) == expected, f"{path.name}: {key}"
    # Writes go to the data dir and nowhere else.
    assert values(unit, "Service", "ReadWritePaths") == [DATA_DIR]
    assert values(unit, "Service", "WorkingDirectory") == [DATA_DIR]
    for name in values(unit, "Service", "EnvironmentFile"):
        assert name.lstrip("-").startswith("/etc/xephang/"), name
    assert values(unit, "Install", "WantedBy")
    assert one(unit, "Unit", "StartLimitIntervalSec") == "0", "must never stop restarting"


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_device_access_is_through_groups(path: Path) -> None:
    unit = parse_unit(path)
    installer = (SYSTEMD / "install.sh").read_text(encoding="utf-8")
    created = set(re.search(r'^GROUPS_WANTED="([^"]+)"', installer, re.MULTILINE).group(1).split())
    for line in values(unit, "Service", "SupplementaryGroups"):
        assert set(line.split()) <= created, f"{path.name}: a group the installer never makes"
    if values(unit, "Service", "DevicePolicy"):
        assert values(unit, "Service", "DevicePolicy") == ["closed"]


def _xephang_argv(path: Path) -> list[str]:
    unit = parse_unit(path)
    argv = shlex.split(one(unit, "Service", "ExecStart"))
    binary = argv[0]
    if binary in OTHER_BINARIES:
        installer = (SYSTEMD / "install.sh").read_text(encoding="utf-8")
        assert OTHER_BINARIES[binary] in installer, f"the installer never installs {binary}"
        assert "--" in argv, "the wrapped command follows --"
        argv = argv[argv.index("--") + 1:]
    assert argv[0] == VENV_XEPHANG, f"{path.name} starts {argv[0]}"
    return argv[1:]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_exec_start_names_a_real_command(path: Path) -> None:
    args = _xephang_argv(path)
    name = args[0]
    context = click.Context(main)
    assert name in main.list_commands(context), f"xephang has no command {name!r}"
    command = main.get_command(context, name)
    assert command is not None
    known = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for arg in args[1:]:
        if arg.startswith("--"):
            assert arg in known, f"xephang {name} has no option {arg}"


def test_the_core_is_watched() -> None:
    unit = parse_unit(SYSTEMD / "xephang.service")
    assert one(unit, "Service", "Type") == "notify"
    assert one(unit, "Service", "NotifyAccess") == "all"
    seconds = int(one(unit, "Service", "WatchdogSec").rstrip("s"))
    beat = watchdog_interval({"WATCHDOG_USEC": str(seconds * 1_000_000)})
    assert beat is not None and beat * 3 <= seconds, "room for a late beat before a restart"
    assert _xephang_argv(SYSTEMD / "xephang.service") == ["serve"]


def test_browser_screens_run_in_cage_with_a_seat_session() -> None:
    unit = parse_unit(SYSTEMD / "xephang-screen@.service")
    assert _xephang_argv(SYSTEMD / "xephang-screen@.service") == [
        "browser", "%i", "--compositor", "cage"]
    assert one(unit, "Service", "PAMName") == "xephang-screen"
    assert one(unit, "Service", "RuntimeDirectory") == "xephang-screen-%i"
    pam = (SYSTEMD / "xephang-screen.pam").read_text(encoding="utf-8")
    assert "pam_systemd.so" in pam and "auth" not in pam.split("#")[-1]
    installer = (SYSTEMD / "install.sh").read_text(encoding="utf-8")
    assert "cage $(chromium_package)" in installer and "xephang-screen.pam" in installer


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here; the checks above still ran")
    # The programs exist only on an installed box: stand-ins let verify check the rest.
    stub = tmp_path / "bin" / "xephang"
    stub.parent.mkdir()
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)
    names = []
    for path in UNITS:
        text = path.read_text(encoding="utf-8").replace(VENV_XEPHANG, str(stub))
        for binary in OTHER_BINARIES:
            text = text.replace(binary, str(stub))
        name = path.name.replace("@.service", "@3.service")
        (tmp_path / name).write_text(text, encoding="utf-8")
        if name != path.name:
            (tmp_path / path.name).write_text(text, encoding="utf-8")
        names.append(name)
    answer = subprocess.run([analyze, "verify", *names], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, check=False)
    complaints = [line for line in (answer.stdout + answer.stderr).splitlines()
                  if "xephang" in line]
    assert answer.returncode == 0 and not complaints, "\n".join(complaints) or answer.stderr
