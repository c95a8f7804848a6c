"""`xephang keypad` and `xephang ratingpad`: options, plain refusals, an emulated run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gpiozero import Device

from queue_core.cli import device_commands as satellite_cli
from queue_core.cli import main

UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    for name in ("XEPHANG_COUNTER", "XEPHANG_CORE_URL", "XEPHANG_KEYPAD_TOKEN",
                 "XEPHANG_RATINGPAD_TOKEN", "XEPHANG_CONFIG", "GPIOZERO_PIN_FACTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XEPHANG_DATA_DIR", str(tmp_path / "var"))

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(main, list(args))

    return invoke


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run a satellite for an instant instead of until a signal; record what it did."""
    seen: list[str] = []

    def once(start: Callable[[], None], stop: Callable[[], None]) -> None:
        start()
        seen.append("started")
        stop()
        seen.append("stopped")

    monkeypatch.setattr(satellite_cli, "run_until_stopped", once)
    yield seen
    Device.pin_factory = None


@pytest.mark.parametrize("command", ["keypad", "ratingpad"])
def test_help_names_every_option_and_its_variable(run: Callable[..., Any], command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    output = " ".join(result.output.split())
    for text in ("--counter", "--core", "--token", "--emulate", "--config", "--data-dir",
                 "XEPHANG_CORE_URL"):
        assert text in output
    assert ("--role keypad" if command == "keypad" else "--role kiosk") in output


def test_keypad_needs_a_token_and_a_known_counter(run: Callable[..., Any]) -> None:
    result = run("keypad", "--counter", "2")
    assert result.exit_code == 2 and "--token" in result.output
    result = run("keypad", "--counter", "9", "--token", "t", "--emulate")
    assert result.exit_code == 2 and "no counter 9" in result.output


def test_keypad_refuses_a_pin_used_twice(run: Callable[..., Any]) -> None:
    result = run("keypad", "--counter", "2", "--token", "t", "--pin-led", "5", "--emulate")
    assert result.exit_code == 2 and "two functions share one pin" in result.output


def test_without_gpio_the_keypad_says_so_plainly(run: Callable[..., Any],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Device, "pin_factory", None)
    monkeypatch.setattr(Device, "_default_pin_factory", staticmethod(_no_gpio))
    result = run("keypad", "--counter", "2", "--token", "t", "--core", UNREACHABLE)
    assert result.exit_code == 1
    assert "no GPIO on this machine" in result.output and "--emulate" in result.output


def _no_gpio() -> Any:
    from gpiozero.exc import BadPinFactory

    raise BadPinFactory("Unable to load any default pin factory!")


def test_keypad_runs_emulated(run: Callable[..., Any], started: list[str]) -> None:
    result = run("keypad", "--counter", "2", "--token", "t", "--core", UNREACHABLE, "--emulate",
                 "--pin-buzzer", "-1")
    assert result.exit_code == 0, result.output
    assert "GIẢ LẬP" in result.output and "quầy 2" in result.output and "buzzer none" in result.output
    assert started == ["started", "stopped"]


def test_ratingpad_takes_levels_and_words_from_the_config(run: Callable[..., Any],
                                                          started: list[str]) -> None:
    result = run("ratingpad", "--counter", "3", "--token", "t", "--core", UNREACHABLE, "--emulate")
    assert result.exit_code == 0, result.output
    assert "Rất hài lòng = nút 17, Hài lòng = nút 27, Không hài lòng = nút 22" in result.output
    assert started == ["started", "stopped"]


def test_ratingpad_needs_one_pin_per_level(run: Callable[..., Any], tmp_path: Path) -> None:
    config = tmp_path / "center.toml"
    config.write_text('[ratings]\nlevels = ["very_satisfied", "satisfied", "neutral", "unsatisfied"]\n'
                      'labels = ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"]\n',
                      encoding="utf-8")
    result = run("ratingpad", "--counter", "3", "--token", "t", "--config", str(config), "--emulate")
    assert result.exit_code == 2 and "give 4 pins, one per rating level" in result.output
    result = run("ratingpad", "--counter", "3", "--token", "t", "--buttons", "1,2,x", "--emulate")
    assert result.exit_code == 2 and "comma-separated list" in result.output
    result = run("ratingpad", "--counter", "3", "--token", "t", "--leds", "17,5,6", "--emulate")
    assert result.exit_code == 2 and "two functions share one pin" in result.output
