"""`xephang display`: the native screen from the command line (SDL dummy video driver)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pygame
from click.testing import CliRunner

from queue_core.cli import main


def test_help_names_every_option() -> None:
    result = CliRunner().invoke(main, ["display", "--help"])
    assert result.exit_code == 0
    for option in ("--core", "--counter", "--token", "--notice", "--window", "--screenshot",
                   "--highlight-seconds", "--recent"):
        assert option in result.output


def test_bad_window_size_is_refused() -> None:
    result = CliRunner().invoke(main, ["display", "--window", "big"])
    assert result.exit_code == 2
    assert "WIDTHxHEIGHT" in result.output


def test_screenshot_of_the_wall_and_of_a_counter(core: Any, shots: Path) -> None:
    center = core.center
    for code in "AABF":
        center.issue(code, actor="t")
    center.call_next(5, actor="t")
    center.call_next(2, actor="t")
    for counter, name in ((None, "cli-wall"), (2, "cli-counter-2")):
        path = shots / f"{name}.png"
        args = ["display", "--core", core.url, "--window", "1280x720", "--screenshot", str(path),
                "--timeout", "30", "--notice", "Xin cảm ơn quý công dân!"]
        if counter:
            args += ["--counter", str(counter)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert pygame.image.load(str(path)).get_size() == (1280, 720)


def test_no_core_gives_up_after_the_timeout(shots: Path) -> None:
    result = CliRunner().invoke(main, ["display", "--core", "http://127.0.0.1:9", "--window",
                                       "320x200", "--screenshot", str(shots / "never.png"),
                                       "--timeout", "1"])
    assert result.exit_code == 1
    assert not (shots / "never.png").exists()
