"""The systemd units: each starts a real entry point, hardened the same way, and verifies."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from queue_core.cli import main
from queue_core.ops.watchdog import watchdog_interval
from tests.appliance.scripts import load_script

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
    assert "xephang-screen.pam" in installer
    # What the unit needs is what the installer installs for it: cage, Chromium, pam_systemd.
    packages = subprocess.run(["bash", str(SYSTEMD / "install.sh"), "--print-packages",
                               "--enable", "screen@wall"], capture_output=True, text=True,
                              check=True, timeout=60).stdout.split()
    assert {"cage", "chromium", "libpam-systemd", "fonts-dejavu-core"} <= set(packages)


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_units_start_on_a_console_only_box(path: Path) -> None:
    # Raspberry Pi OS Lite boots to multi-user.target; a desktop's graphical.target includes it.
    assert values(parse_unit(path), "Install", "WantedBy") == ["multi-user.target"]


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


# --- what each instance runs, after systemd's expansion ------------------------------------------

def _renderer() -> Any:
    return load_script("render_units")


# Every templated unit, with every kind of instance it is documented for.
INSTANCES = ["xephang-display@wall.service", "xephang-display@3.service",
             "xephang-keypad@2.service", "xephang-ratingpad@3.service",
             "xephang-screen@wall.service", "xephang-screen@counter-3.service",
             "xephang-screen@kiosk.service", "xephang-screen@rate-2.service"]


@pytest.fixture(scope="module")
def installed_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root the installer filled (test mode) with every instance enabled."""
    root = tmp_path_factory.mktemp("box")
    env = {k: v for k, v in os.environ.items() if not k.startswith("XEPHANG_")}
    args = [arg for unit in INSTANCES for arg in ("--enable", unit)]
    subprocess.run(["bash", str(SYSTEMD / "install.sh"), "--destdir", str(root), "--no-venv",
                    *args], check=True, capture_output=True, timeout=120, env=env,
                   stdin=subprocess.DEVNULL)
    return root


def test_every_template_has_its_instances_listed() -> None:
    templates = {path.name for path in UNITS if "@" in path.name}
    assert {re.sub(r"@[^.]*\.", "@.", name) for name in INSTANCES} == templates


def _meaning(argv: list[str], monkeypatch: pytest.MonkeyPatch,
             environment: dict[str, str] | None = None) -> Any:
    """What the command line does, asked of the real command: a counter, or a page."""
    for key, value in (environment or {}).items():
        # A token the technician has yet to paste: any value lets the command line parse.
        monkeypatch.setenv(key, value or ("xph_placeholder" if key.endswith("_TOKEN") else ""))
    assert argv[0] == VENV_XEPHANG
    name, args = argv[1], argv[2:]
    if name == "display":
        shown: dict[str, Any] = {}

        class Screen:
            def __init__(self, core_url: str, **options: Any) -> None:
                shown.update(options)

            def run(self, **_: Any) -> int:
                return 0

        import display.native

        monkeypatch.setattr(display.native, "NativeScreen", Screen)
        result = CliRunner().invoke(main, [name, *args])
        assert result.exit_code == 0, result.output
        return ("counter", shown["counter"])
    command = main.get_command(click.Context(main), name)
    assert command is not None
    params = command.make_context(name, list(args)).params
    if name == "browser":
        from queue_core.cli.browser import page_path

        return ("page", page_path(params["page"]))
    return ("counter", params["counter"])


@pytest.mark.parametrize(("unit", "meaning"), [
    ("xephang-display@wall.service", ("counter", None)),
    ("xephang-display@3.service", ("counter", 3)),
    ("xephang-keypad@2.service", ("counter", 2)),
    ("xephang-ratingpad@3.service", ("counter", 3)),
    ("xephang-screen@wall.service", ("page", "/display/wall")),
    ("xephang-screen@counter-3.service", ("page", "/display/counter/3")),
    ("xephang-screen@kiosk.service", ("page", "/kiosk")),
    ("xephang-screen@rate-2.service", ("page", "/rate/2")),
])
def test_an_instance_means_what_its_name_says(installed_root: Path, unit: str, meaning: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = _renderer().render(unit, installed_root)
    assert rendered["missing_environment_files"] == [], "the installer writes what it reads"
    assert _meaning(rendered["argv"], monkeypatch, rendered["environment"]) == meaning, \
        rendered["argv"]


def test_extra_display_options_come_from_its_env_file(installed_root: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    env = installed_root / "etc/xephang/display-3.env"
    env.write_text('XEPHANG_DISPLAY_ARGS="--recent 4 --notice Nghỉ_trưa"\n')
    try:
        argv = _renderer().render("xephang-display@3.service", installed_root)["argv"]
    finally:
        env.unlink()
    assert argv[1:] == ["display", "--screen", "3", "--recent", "4", "--notice", "Nghỉ_trưa"]
    assert _meaning(argv, monkeypatch) == ("counter", 3)


def test_a_screen_name_that_means_nothing_is_refused() -> None:
    result = CliRunner().invoke(main, ["display", "--screen", "tường"])
    assert result.exit_code == 2 and "--screen" in result.output
    clash = CliRunner().invoke(main, ["display", "--screen", "3", "--counter", "4"])
    assert clash.exit_code == 2 and "disagree" in clash.output


def test_systemd_analyze_verify_in_the_installed_root(installed_root: Path) -> None:
    """The short form of systemd/rehearse.sh: every unit and instance verified offline."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here; the checks above still ran")
    answer = subprocess.run(["bash", str(SYSTEMD / "rehearse.sh"), "--short"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert answer.returncode == 0, answer.stdout[-3000:] + answer.stderr[-3000:]
    for unit in INSTANCES:
        assert f"{unit}: {VENV_XEPHANG}" in answer.stdout, f"{unit} not rendered"
    assert "verify: ok" in answer.stdout
