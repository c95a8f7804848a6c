"""`xephang doctor`: each broken part gives its own sentence, a fix, and a non-zero exit."""

from __future__ import annotations

import json
import shutil
import urllib.error
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from announcer.checks import Check
from hardware.printer import PrinterOffline, PrinterStatus
from queue_core.service import auth
from queue_core.ops import doctor
from queue_core.cli import main
from queue_core.domain.clock import VIETNAM
from queue_core.config import Settings, load_settings
from queue_core.domain.model import Transition
from queue_core.storage import Store

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM)
GIB = 1024 ** 3


class FakePrinter:
    def __init__(self, status: PrinterStatus | None = None, error: OSError | None = None) -> None:
        self._status = status or PrinterStatus("online")
        self._error = error
        self.closed = False

    def status(self, *, timeout: float | None = None) -> PrinterStatus:
        if self._error is not None:
            raise self._error
        return self._status

    def close(self) -> None:
        self.closed = True


def healthy_speech(settings: Settings) -> list[Check]:
    return [Check("espeak-ng", "ok", "espeak-ng đã cài (is installed)."),
            Check("voice", "ok", "Có giọng 'vi' (voice installed)."),
            Check("audio", "ok", "Mở được thiết bị âm thanh (audio device opens).")]


def healthy_core(url: str, timeout: float) -> tuple[int, bytes]:
    return 200, json.dumps({"status": "ok", "database": "ok", "printer": "online",
                            "audio": "ok"}).encode()


def healthy_probes() -> doctor.Probes:
    return doctor.Probes(
        now=lambda: NOW,
        disk_usage=lambda path: shutil._ntuple_diskusage(32 * GIB, 8 * GIB, 24 * GIB),
        open_printer=lambda settings: FakePrinter(),
        speech_checks=healthy_speech,
        fetch=healthy_core,
        gpio=lambda: "LGPIOFactory",
        ntp_synchronized=lambda: True,
    )


@pytest.fixture
def real_box(tmp_path: Path) -> Settings:
    """A configured core box: network printer, loudspeaker, GPIO, an admin, a fresh backup."""
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "var")}).replace(
        hardware={"printer": "network", "printer_host": "192.0.2.50", "audio": "pygame",
                  "gpio": "lgpio"})
    store = Store.in_data_dir(settings.data_path)
    auth.add_user(store, "quantri", "mat-khau-dai", role="admin", counter=None, now=NOW)
    store.close()
    backups = settings.data_path / "backups"
    backups.mkdir()
    (backups / f"xephang-{(NOW - timedelta(hours=6)):%Y%m%d-%H%M%S}.sqlite3").write_bytes(b"")
    key = settings.data_path / "secret_key"
    key.write_text("k" * 64)
    key.chmod(0o600)
    return settings


def by_name(findings: list[doctor.Finding], name: str) -> doctor.Finding:
    return next(f for f in findings if f.name == name)


def test_a_healthy_box_passes(real_box: Settings) -> None:
    findings = doctor.examine(real_box, probes=healthy_probes())
    assert [f for f in findings if f.status != "ok"] == []
    assert doctor.exit_status(findings) == 0
    names = {f.name.partition(":")[0] for f in findings}
    assert {"database", "disk", "backup", "clock", "secret_key", "admin", "printer", "gpio",
            "core", "audio"} <= names


def _future_transition(settings: Settings) -> None:
    store = Store.in_data_dir(settings.data_path)
    with store.write():
        store.conn.execute("INSERT INTO tickets (id, service, series, day, number, label, state,"
                           " issued_at, queued_at) VALUES ('t1', 'A', 'A', '2026-11-24', 1,"
                           " 'A001', 'waiting', '2026-11-24T09:00:00.000+07:00',"
                           " '2026-11-24T09:00:00.000+07:00')")
        store.add_transition(Transition("t1", "issue", None, "waiting",
                                        NOW + timedelta(days=1, hours=1), "device:kiosk", "A"))
    store.close()


def _damage_database(settings: Settings) -> None:
    path = settings.data_path / "xephang.sqlite3"
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # a page of garbage, as a dying SD card leaves it
    path.write_bytes(bytes(data))


def _unreachable(url: str, timeout: float) -> tuple[int, bytes]:
    raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))


def _no_gpio() -> str:
    raise RuntimeError("Unable to load any default pin factory!")


def _espeak_missing(settings: Settings) -> list[Check]:
    return [Check("espeak-ng", "error", "Chưa cài espeak-ng: không đọc được số. Cài bằng: sudo apt "
                  "install espeak-ng (espeak-ng is missing; calls would be chime only).")]


def _no_sound_card(settings: Settings) -> list[Check]:
    return [Check("audio", "error", "Không mở được loa (no audio device): no ALSA card. Kiểm tra "
                  "dây loa, 'aplay -l'.")]


# (what breaks, how, the finding that reports it, the catalog code, a word of the sentence)
FAILURES: list[tuple[str, Callable[[Settings, doctor.Probes], doctor.Probes], str, str, str]] = [
    ("database damaged", lambda s, p: (_damage_database(s), p)[1], "database", "db_damaged",
     "hỏng"),
    ("disk full", lambda s, p: replace(p, disk_usage=lambda path: shutil._ntuple_diskusage(
        32 * GIB, 32 * GIB - 50 * 1024 ** 2, 50 * 1024 ** 2)), "disk", "disk_full", "50.0 MB"),
    ("clock behind the data", lambda s, p: (_future_transition(s), p)[1], "clock",
     "clock_behind", "chậm"),
    ("clock years off", lambda s, p: replace(p, now=lambda: datetime(2020, 1, 1, tzinfo=VIETNAM)),
     "clock", "clock_implausible", "2020-01-01"),
    ("printer out of paper", lambda s, p: replace(p, open_printer=lambda settings: FakePrinter(
        PrinterStatus("paper_out", "paper end"))), "printer", "printer_problem", "paper_out"),
    ("printer unplugged", lambda s, p: replace(p, open_printer=lambda settings: FakePrinter(
        error=PrinterOffline("no route to 192.0.2.50:9100"))), "printer", "printer_unreachable",
     "192.0.2.50"),
    ("printer setup incomplete", lambda s, p: replace(p, open_printer=lambda settings: (
        _ for _ in ()).throw(ValueError("hardware.printer_host is needed"))), "printer",
     "printer_config", "printer_host"),
    ("no Vietnamese speech", lambda s, p: replace(p, speech_checks=_espeak_missing),
     "speech:espeak-ng", "speech_espeak-ng", "espeak-ng"),
    ("no sound card", lambda s, p: replace(p, speech_checks=_no_sound_card), "audio",
     "speech_audio", "aplay"),
    ("no GPIO", lambda s, p: replace(p, gpio=_no_gpio), "gpio", "gpio_missing", "pin factory"),
]


@pytest.mark.parametrize("case", FAILURES, ids=[case[0] for case in FAILURES])
def test_each_broken_part_is_named_with_a_fix(real_box: Settings, case: Any) -> None:
    _, breaks, name, code, word = case
    probes = breaks(real_box, healthy_probes())
    findings = doctor.examine(real_box, probes=probes)
    broken = by_name(findings, name)
    assert broken.status == "error" and broken.code == code
    assert word in broken.message
    if not code.startswith("speech_"):
        # A Vietnamese sentence, its English, and what to do in both.
        assert "(" in broken.message and broken.fix and "(" in broken.fix
    assert doctor.exit_status(findings) == 1
    others = [f for f in findings if f.status == "error" and f is not broken]
    assert others == [], f"only {name} should fail: {others}"


def test_satellite_box_without_its_core(tmp_path: Path) -> None:
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "var")}).replace(
        hardware={"printer": "none", "audio": "none"})
    probes = replace(healthy_probes(), fetch=_unreachable)
    findings = doctor.examine(settings, core_url="http://192.0.2.10:8000", probes=probes)
    assert "database" not in {f.name for f in findings}, "a satellite keeps no database"
    core = by_name(findings, "core")
    assert core.status == "error" and "192.0.2.10:8000" in core.message and "systemctl" in core.fix
    assert doctor.exit_status(findings) == 1
    healthy = doctor.examine(settings, core_url="http://192.0.2.10:8000", probes=healthy_probes())
    assert doctor.exit_status(healthy) == 0


def test_degraded_core_is_a_warning(real_box: Settings) -> None:
    def degraded(url: str, timeout: float) -> tuple[int, bytes]:
        return 200, json.dumps({"status": "degraded", "database": "ok",
                                "printer": "error", "audio": "ok"}).encode()

    findings = doctor.examine(real_box, core_url="http://127.0.0.1:8000",
                              probes=replace(healthy_probes(), fetch=degraded))
    core = by_name(findings, "core")
    assert core.status == "warning" and "printer=error" in core.message


def test_emulated_devices_are_said_but_not_fatal(tmp_path: Path) -> None:
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "var")})
    Store.in_data_dir(settings.data_path).close()
    probes = replace(healthy_probes(), speech_checks=_espeak_missing, fetch=_unreachable)
    findings = doctor.examine(settings, probes=probes)
    printer = by_name(findings, "printer")
    assert printer.status == "warning" and "GIẢ LẬP" in printer.message
    assert "EMULATED" in printer.message
    # Nothing is heard from an emulated loudspeaker, so missing speech is a warning here.
    assert by_name(findings, "speech:espeak-ng").status == "warning"
    assert by_name(findings, "core").code == "core_stopped"
    assert by_name(findings, "admin").status == "warning"
    assert by_name(findings, "backup").code == "backup_none"
    assert doctor.exit_status(findings) == 0


def test_fresh_box_without_a_database(tmp_path: Path) -> None:
    settings = load_settings(env={"XEPHANG_DATA_DIR": str(tmp_path / "var")})
    findings = doctor.examine(settings, probes=healthy_probes())
    assert by_name(findings, "database").code == "db_missing"
    assert not (tmp_path / "var" / "xephang.sqlite3").exists(), "the doctor creates nothing"


def test_secret_key_readable_by_others(real_box: Settings) -> None:
    (real_box.data_path / "secret_key").chmod(0o644)
    finding = by_name(doctor.examine(real_box, probes=healthy_probes()), "secret_key")
    assert finding.status == "warning" and "chmod 600" in finding.fix


def test_unsynchronised_clock_is_a_warning(real_box: Settings) -> None:
    probes = replace(healthy_probes(), ntp_synchronized=lambda: False)
    finding = by_name(doctor.examine(real_box, probes=probes), "clock")
    assert finding.status == "warning" and "timedatectl" in finding.fix


def test_old_backup_is_a_warning(real_box: Settings) -> None:
    probes = replace(healthy_probes(), now=lambda: NOW + timedelta(days=3))
    assert by_name(doctor.examine(real_box, probes=probes), "backup").code == "backup_old"


def test_command_prints_and_exits_with_the_verdict(real_box: Settings,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    real_examine = doctor.examine

    def examine(settings: Settings, **options: Any) -> list[doctor.Finding]:
        seen.update(options, data_dir=settings.server.data_dir)
        probes = replace(healthy_probes(), gpio=_no_gpio)
        return real_examine(settings, probes=probes, gpio=options["gpio"])

    monkeypatch.setattr(doctor, "examine", examine)
    runner = CliRunner()
    args = ["doctor", "--data-dir", real_box.server.data_dir, "--gpio"]
    result = runner.invoke(main, args, env={"XEPHANG_HARDWARE_GPIO": "none"})
    assert result.exit_code == 1, result.output
    assert "[ LỖI ] GPIO" in result.output and "Cách sửa (fix)" in result.output
    assert seen["gpio"] is True and seen["core_url"] is None
    as_json = runner.invoke(main, [*args, "--json", "--no-gpio"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["status"] == "ok"


@pytest.mark.parametrize(("kind", "wrong_advice"), [("pi_os", None), ("debian_pi", "apt install"),
                                                    ("no_pi", "apt install")])
def test_gpio_advice_fits_the_platform(real_box: Settings, kind: str,
                                       wrong_advice: str | None) -> None:
    from hardware.platform import BoxPlatform, gpio_advice

    model = "" if kind == "no_pi" else "Raspberry Pi 4 Model B Rev 1.4"
    box = BoxPlatform(model=model, os_id="debian", os_codename="bookworm",
                      raspberry_pi_os=kind == "pi_os")
    probes = replace(healthy_probes(), gpio=_no_gpio, gpio_platform=lambda: gpio_advice(box))
    broken = by_name(doctor.examine(real_box, probes=probes), "gpio")
    assert broken.status == "error" and broken.code == "gpio_missing"
    if wrong_advice is None:
        assert "sudo apt install python3-lgpio" in broken.fix
    else:
        # Never advice that cannot work on this platform.
        assert wrong_advice not in broken.fix and "python3-lgpio" not in broken.fix
        assert "Raspberry Pi OS" in broken.fix
    if kind == "debian_pi":
        assert "Debian" in broken.message and "Raspberry Pi 4" in broken.message
