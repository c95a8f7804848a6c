"""The native screen on a console-only box: the pygame the unit runs has the driver it names.

pip's pygame wheels carry an SDL without KMSDRM (x86_64 and aarch64 alike), so
`xephang-display@` could not open a Pi's console with them. The installer makes the
virtualenv with system site packages and installs no pygame into it: the box runs
Debian's python3-pygame, built on Debian's SDL, which has KMSDRM. These tests build a
virtualenv the same way from Debian's Python and look at the SDL it really loads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.appliance.test_systemd_units import SYSTEMD, one, parse_unit

ROOT = Path(__file__).resolve().parents[2]
DEBIAN_PYTHON = Path("/usr/bin/python3")

# Prints the SDL video drivers compiled into the SDL library this pygame loaded.
SDL_DRIVERS = r"""
import ctypes, json, os, sys
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
import pygame
maps = open("/proc/self/maps").read().split()
library = next(p for p in maps if "libSDL2-2" in os.path.basename(p) and ".so" in p)
sdl = ctypes.CDLL(library)
sdl.SDL_GetVideoDriver.restype = ctypes.c_char_p
drivers = [sdl.SDL_GetVideoDriver(i).decode() for i in range(sdl.SDL_GetNumVideoDrivers())]
print(json.dumps({"pygame": pygame.__file__, "version": pygame.version.ver,
                  "library": library, "drivers": drivers}))
"""


def unit_video_driver() -> str:
    unit = parse_unit(SYSTEMD / "xephang-display@.service")
    settings = dict(value.split("=", 1) for value in
                    [v for k, v in unit["Service"] if k == "Environment"])
    return settings["SDL_VIDEODRIVER"]


def sdl_of(python: Path | str) -> dict[str, object]:
    answer = subprocess.run([str(python), "-c", SDL_DRIVERS], capture_output=True, text=True,
                            timeout=60, check=True, env={**os.environ, "PYTHONPATH": ""})
    return dict(json.loads(answer.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def box_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Python in a virtualenv made as the installer makes it (system site packages)."""
    if not DEBIAN_PYTHON.exists():
        pytest.skip("no Debian Python at /usr/bin/python3: not a Debian machine")
    probe = subprocess.run([str(DEBIAN_PYTHON), "-c", "import pygame"], capture_output=True,
                           timeout=60, check=False)
    if probe.returncode != 0:
        pytest.skip("Debian's python3-pygame is not installed (scripts/test installs it)")
    venv = tmp_path_factory.mktemp("box") / "venv"
    subprocess.run([str(DEBIAN_PYTHON), "-m", "venv", "--system-site-packages", "--without-pip",
                    str(venv)], check=True, timeout=120)
    return venv / "bin/python"


def test_the_unit_names_kmsdrm() -> None:
    # A Pi OS Lite box has no desktop: SDL draws straight on the HDMI output.
    assert unit_video_driver() == "kmsdrm"
    assert one(parse_unit(SYSTEMD / "xephang-display@.service"), "Service", "ExecStart")\
        .startswith("/opt/xephang/venv/bin/xephang display")


def test_the_box_pygame_has_the_units_driver(box_python: Path) -> None:
    sdl = sdl_of(box_python)
    assert str(sdl["pygame"]).startswith("/usr/lib/python3/dist-packages/"), sdl
    drivers = {str(d).lower() for d in sdl["drivers"]}  # type: ignore[attr-defined]
    assert unit_video_driver() in drivers, f"{sdl['library']} has only {sorted(drivers)}"


def test_pips_pygame_is_why_the_box_does_not_use_it() -> None:
    # The wheel a developer's virtualenv has: no KMSDRM in its SDL (the reason for the choice).
    sdl = sdl_of(sys.executable)
    if str(sdl["pygame"]).startswith("/usr/lib/python3/"):
        pytest.skip("this Python uses Debian's pygame already")
    assert "kmsdrm" not in {str(d).lower() for d in sdl["drivers"]}  # type: ignore[attr-defined]


def test_kmsdrm_opens_the_display_where_there_is_one(box_python: Path) -> None:
    cards = sorted(Path("/dev/dri").glob("card*")) if Path("/dev/dri").exists() else []
    if not cards:
        pytest.skip("no DRM device here (/dev/dri/card*): KMSDRM is checked compiled in above")
    answer = subprocess.run(
        [str(box_python), "-c", "import pygame; pygame.display.init(); "
         "print(pygame.display.get_driver())"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "SDL_VIDEODRIVER": "kmsdrm"}, check=False)
    assert answer.returncode == 0 and answer.stdout.strip().lower() == "kmsdrm", answer.stderr


DRAW = r"""
import os, sys
sys.path.append(sys.argv[1])          # the program
sys.path.append(sys.argv[2])          # its other dependencies (after Debian's: pygame stays Debian's)
import pygame
from display.board import LiveBoard
from display.native.render import Renderer, View
pygame.display.init()
assert pygame.display.get_driver() == "offscreen", pygame.display.get_driver()
surface = pygame.display.set_mode((1280, 720))
Renderer().draw(surface, LiveBoard(), View(counter=3, connected=False), now=0.0)
pygame.display.update()
pygame.image.save(surface, sys.argv[3])
print(pygame.__file__, pygame.version.ver)
"""


def test_the_native_screen_draws_with_the_box_pygame(box_python: Path, tmp_path: Path) -> None:
    """A real SDL video driver (not the dummy one) under Debian's pygame draws our frames."""
    site = next(p for p in sys.path if p.endswith("site-packages") and "venv" in p)
    shot = tmp_path / "offscreen.png"
    answer = subprocess.run([str(box_python), "-c", DRAW, str(ROOT), site, str(shot)],
                            capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "SDL_VIDEODRIVER": "offscreen", "PYTHONPATH": "",
                                 "PYGAME_HIDE_SUPPORT_PROMPT": "1"})
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert answer.stdout.split()[0].startswith("/usr/lib/python3/dist-packages/")
    import pygame

    image = pygame.image.load(str(shot))
    assert image.get_size() == (1280, 720)
    colours = {tuple(image.get_at((x, y)))[:3] for x in range(0, 1280, 40) for y in range(0, 720, 40)}
    assert len(colours) > 3, "a frame with text and panels, not a blank surface"
