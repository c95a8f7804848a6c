"""Which box this is, and what GPIO support it can have: Raspberry Pi OS, Debian, or no Pi.

gpiozero drives the pins through a pin library. On Raspberry Pi OS that is lgpio,
packaged as ``python3-lgpio`` in Raspberry Pi OS's own repository. Plain Debian has no
such package (and the ``lgpio`` on PyPI builds nothing for aarch64), so on Debian a Pi's
pins cannot be driven; a board that is no Raspberry Pi has none of its pins at all.
`gpio_advice` says which case applies, in Vietnamese and English, with a fix that
works there. Pure functions over files; no other part of the program is imported, so
the installer runs this file with the system's Python before anything is installed:

    python3 hardware/platform.py [--root /]     # KEY=value lines for a shell
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BoxPlatform", "GpioAdvice", "detect", "gpio_advice", "parse_os_release"]

# A file only Raspberry Pi OS images carry, and the apt source of its own repository.
PI_OS_MARKERS = ("etc/rpi-issue", "etc/apt/sources.list.d/raspi.list",
                 "etc/apt/sources.list.d/raspi.sources")
MODEL_FILES = ("proc/device-tree/model", "sys/firmware/devicetree/base/model")
LGPIO_PACKAGE = "python3-lgpio"


@dataclass(frozen=True)
class BoxPlatform:
    """What the installer and the doctor need to know about the box."""

    model: str            # "Raspberry Pi 4 Model B Rev 1.4", or "" when not told
    os_id: str            # os-release ID: "debian", "raspbian"
    os_codename: str      # "bookworm"
    raspberry_pi_os: bool

    @property
    def raspberry_pi(self) -> bool:
        return self.model.startswith("Raspberry Pi")


@dataclass(frozen=True)
class GpioAdvice:
    """What GPIO support this platform can have, and how to get it."""

    kind: str                      # "pi_os" | "debian_pi" | "no_pi"
    packages: tuple[str, ...]      # the Debian packages that give it (none when impossible)
    summary_vi: str
    summary_en: str
    fix_vi: str
    fix_en: str

    @property
    def possible(self) -> bool:
        return bool(self.packages)


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value lines of os-release(5), quotes removed."""
    found = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and not key.startswith("#"):
            found[key] = value.strip().strip("'\"")
    return found


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace").rstrip("\x00\n ")
    except OSError:
        return ""


def detect(root: Path = Path("/")) -> BoxPlatform:
    """Look at the box under `root` (the running system by default)."""
    model = next((text for name in MODEL_FILES if (text := _read(root / name))), "")
    release = parse_os_release(_read(root / "etc/os-release"))
    pi_os = release.get("ID") == "raspbian" or any((root / m).exists() for m in PI_OS_MARKERS)
    return BoxPlatform(model=model, os_id=release.get("ID", ""),
                       os_codename=release.get("VERSION_CODENAME", ""), raspberry_pi_os=pi_os)


def gpio_advice(box: BoxPlatform) -> GpioAdvice:
    """Say plainly what GPIO support `box` can have, with advice that works there."""
    group = "sudo usermod -aG gpio xephang"
    if box.raspberry_pi_os:
        return GpioAdvice(
            "pi_os", (LGPIO_PACKAGE,),
            "Raspberry Pi OS: chân GPIO dùng qua thư viện lgpio (gói python3-lgpio).",
            "Raspberry Pi OS: the GPIO pins work through lgpio (package python3-lgpio).",
            f"Cài thư viện chân GPIO: sudo apt install {LGPIO_PACKAGE}; rồi {group}",
            f"Install the pin library: sudo apt install {LGPIO_PACKAGE}; then {group}")
    if box.raspberry_pi:
        return GpioAdvice(
            "debian_pi", (),
            (f"{box.model} chạy Debian (không phải Raspberry Pi OS): Debian không có thư viện "
             "chân GPIO cho gpiozero (python3-lgpio chỉ có trong kho của Raspberry Pi OS), "
             "nên nút bấm và đèn không dùng được trên máy này."),
            (f"{box.model} runs Debian, not Raspberry Pi OS: Debian has no pin library for "
             "gpiozero (python3-lgpio is only in Raspberry Pi OS's repository), so buttons "
             "and lights cannot work on this box."),
            ("Máy có nút bấm (bàn phím quầy, nút đánh giá, máy lấy số bằng nút) cần cài "
             "Raspberry Pi OS; máy chủ, màn hình và loa vẫn chạy tốt trên Debian. Hoặc dùng "
             "trang web thay nút: /counter, /rate/N, /kiosk."),
            ("Boxes with buttons (counter keypad, rating pad, button kiosk) need Raspberry Pi "
             "OS; the core, screens and loudspeaker run fine on Debian. Or use the pages "
             "instead of buttons: /counter, /rate/N, /kiosk."))
    what = box.model or "không rõ loại máy"
    what_en = box.model or "unknown board"
    return GpioAdvice(
        "no_pi", (),
        f"Máy này không phải Raspberry Pi ({what}): không có chân GPIO để nối nút bấm.",
        f"This box is not a Raspberry Pi ({what_en}): it has no GPIO pins for buttons.",
        ("Nối nút bấm vào một Raspberry Pi chạy Raspberry Pi OS; để thử trên máy này: "
         "xephang keypad --emulate hoặc GPIOZERO_PIN_FACTORY=mock."),
        ("Wire the buttons to a Raspberry Pi running Raspberry Pi OS; to try them on this "
         "box: xephang keypad --emulate, or GPIOZERO_PIN_FACTORY=mock."))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="What GPIO support this box can have.")
    parser.add_argument("--root", type=Path, default=Path("/"))
    args = parser.parse_args(argv)
    box = detect(args.root)
    advice = gpio_advice(box)
    for key, value in (("GPIO_KIND", advice.kind), ("GPIO_PACKAGES", " ".join(advice.packages)),
                       ("GPIO_SUMMARY", f"{advice.summary_vi} ({advice.summary_en})"),
                       ("GPIO_FIX", f"{advice.fix_vi} ({advice.fix_en})"),
                       ("BOX_MODEL", box.model), ("BOX_OS", box.os_id)):
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
