"""Which box this is, and the GPIO advice that works on it (a fake root per platform)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hardware.platform import detect, gpio_advice

PLATFORM = Path(__file__).resolve().parents[2] / "hardware" / "platform.py"
DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_CODENAME=bookworm\n'
PI4 = "Raspberry Pi 4 Model B Rev 1.4\x00"


def make_root(tmp_path: Path, *, model: str = "", pi_os: bool = False) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text(DEBIAN)
    if model:
        (root / "proc/device-tree").mkdir(parents=True)
        (root / "proc/device-tree/model").write_text(model)
    if pi_os:
        (root / "etc/apt/sources.list.d").mkdir(parents=True)
        (root / "etc/apt/sources.list.d/raspi.list").write_text("deb http://example.invalid/ bookworm main\n")
    return root


def test_raspberry_pi_os_gets_lgpio(tmp_path: Path) -> None:
    box = detect(make_root(tmp_path, model=PI4, pi_os=True))
    assert box.raspberry_pi and box.raspberry_pi_os and box.os_codename == "bookworm"
    advice = gpio_advice(box)
    assert advice.kind == "pi_os" and advice.possible
    assert advice.packages == ("python3-lgpio",)
    assert "sudo apt install python3-lgpio" in advice.fix_en


def test_plain_debian_on_a_pi_is_told_the_truth(tmp_path: Path) -> None:
    box = detect(make_root(tmp_path, model=PI4))
    assert box.raspberry_pi and not box.raspberry_pi_os
    advice = gpio_advice(box)
    assert advice.kind == "debian_pi" and not advice.possible and advice.packages == ()
    # Advice that cannot work there is never given.
    assert "apt install python3-lgpio" not in advice.fix_vi + advice.fix_en
    assert "Raspberry Pi OS" in advice.fix_en and "Raspberry Pi 4 Model B" in advice.summary_en
    assert "Raspberry Pi OS" in advice.fix_vi and "không" in advice.summary_vi


def test_a_pc_has_no_pins(tmp_path: Path) -> None:
    advice = gpio_advice(detect(make_root(tmp_path)))
    assert advice.kind == "no_pi" and not advice.possible
    assert "--emulate" in advice.fix_en and "apt install" not in advice.fix_en


def test_raspbian_id_alone_means_pi_os(tmp_path: Path) -> None:
    root = make_root(tmp_path, model=PI4)
    (root / "etc/os-release").write_text("ID=raspbian\nVERSION_CODENAME=bookworm\n")
    assert gpio_advice(detect(root)).kind == "pi_os"


@pytest.mark.parametrize(("pi_os", "kind", "packages"),
                         [(True, "pi_os", "python3-lgpio"), (False, "debian_pi", "")])
def test_the_installer_reads_it_as_key_value_lines(tmp_path: Path, pi_os: bool, kind: str,
                                                   packages: str) -> None:
    root = make_root(tmp_path, model=PI4, pi_os=pi_os)
    # The installer runs the file with the system's Python, before the program is installed.
    answer = subprocess.run([sys.executable, "-I", str(PLATFORM), "--root", str(root)],
                            capture_output=True, text=True, check=True, timeout=30)
    lines = dict(line.split("=", 1) for line in answer.stdout.splitlines())
    assert lines["GPIO_KIND"] == kind and lines["GPIO_PACKAGES"] == packages
    assert lines["BOX_MODEL"] == "Raspberry Pi 4 Model B Rev 1.4"
