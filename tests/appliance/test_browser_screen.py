"""`xephang browser PAGE`: which address each screen shows and how Chromium is started."""

from __future__ import annotations

import threading
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from queue_core.cli import browser
from queue_core.cli.browser import page_path, wait_for_core
from queue_core.cli import main


@pytest.mark.parametrize(("page", "path"), [
    ("wall", "/display/wall"),
    ("counter-3", "/display/counter/3"),
    ("kiosk", "/kiosk"),
    ("rate-2", "/rate/2"),
    ("/display/wall?notice=1", "/display/wall?notice=1"),
])
def test_pages(page: str, path: str) -> None:
    assert page_path(page) == path


@pytest.mark.parametrize("page", ["counter", "counter-x", "toaster"])
def test_unknown_pages(page: str) -> None:
    with pytest.raises(click.BadParameter):
        page_path(page)


def test_chromium_in_kiosk_mode_with_its_own_profile(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [
        "browser", "kiosk", "--core", "http://192.0.2.10:8000/", "--token", "xph_secret",
        "--chromium", "/usr/bin/chromium", "--data-dir", str(tmp_path), "--dry-run"])
    assert result.exit_code == 0, result.output
    command = result.output.split()
    assert command[0] == "/usr/bin/chromium" and "--kiosk" in command
    assert f"--user-data-dir={tmp_path / 'browser' / 'kiosk'}" in command
    assert command[-1] == "http://192.0.2.10:8000/kiosk#token=xph_secret"


def test_inside_cage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser.shutil, "which",
                        lambda name: "/usr/bin/cage" if name == "cage" else None)
    result = CliRunner().invoke(main, [
        "browser", "wall", "--compositor", "cage", "--data-dir", str(tmp_path), "--dry-run"],
        env={"XEPHANG_SCREEN_TOKEN": "xph_secret"})
    assert result.exit_code == 0, result.output
    command = result.output.split()
    assert command[:4] == ["/usr/bin/cage", "-d", "-s", "--"]
    assert command[command.index("browser") + 1] == "wall"
    assert "--compositor" not in command[4:]
    assert "xph_secret" not in result.output, "the token stays in the environment"


def test_without_cage_or_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    runner = CliRunner()
    no_cage = runner.invoke(main, ["browser", "wall", "--compositor", "cage", "--dry-run"])
    assert no_cage.exit_code != 0 and "apt install cage" in no_cage.output
    no_chromium = runner.invoke(main, ["browser", "wall", "--dry-run"])
    assert no_chromium.exit_code != 0 and "apt install chromium" in no_chromium.output


def test_waiting_for_a_core_that_never_answers_gives_up() -> None:
    stop = threading.Event()
    # Port 9 on loopback: nothing listens, the refusal is immediate.
    assert wait_for_core("http://127.0.0.1:9", deadline=0, stop=stop) is False
    stop.set()
    assert wait_for_core("http://127.0.0.1:9", deadline=None, stop=stop) is False
