"""``xephang announcer``: help, the loudspeaker test, and refusing bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from queue_core.cli.announcer import announcer_command

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("XEPHANG_CONFIG", "XEPHANG_AUDIO", "XEPHANG_DATA_DIR",
                 "XEPHANG_ANNOUNCER_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def test_help_explains_every_option(runner: CliRunner) -> None:
    result = runner.invoke(announcer_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--core", "--token", "--data-dir", "--config", "--test", "--counter"):
        assert option in result.output
    assert "chime" in result.output


def test_without_a_token_the_announcer_pairs_and_keeps_its_token_in_the_data_dir(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str | None, str, str | None]] = []

    def pairing(core_url: str, token: str | None, device: str, *, data_dir: str | None,
                name: str | None = None) -> str:
        asked.append((core_url, token, device, data_dir))
        raise click.Abort()   # the real one waits for an admin: the wiring is what is tested

    monkeypatch.setattr("queue_core.cli.announcer.device_token", pairing)
    result = runner.invoke(announcer_command, ["--core", "http://10.0.0.2:8123",
                                               "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert asked == [("http://10.0.0.2:8123", None, "announcer", str(tmp_path))]


def test_bad_config_is_reported_plainly(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "center.toml"
    config.write_text('[speech]\nrepeat = 9\n', encoding="utf-8")
    result = runner.invoke(announcer_command, ["--config", str(config), "--token", "t"])
    assert result.exit_code == 1
    assert "speech.repeat" in result.output


@needs_espeak
def test_speaker_test_plays_a_call_on_the_configured_output(runner: CliRunner,
                                                             tmp_path: Path) -> None:
    result = runner.invoke(announcer_command,
                           ["--data-dir", str(tmp_path), "--test", "B007", "--counter", "2"])
    assert result.exit_code == 0, result.output
    assert "Xin mời công dân có số thứ tự bê không không bảy đến quầy số hai." in result.output
    assert "audio = 'fake'" in result.output  # the fake default is announced, not hidden
    assert list((tmp_path / "speech-cache").glob("*.wav"))


def test_speaker_test_fails_without_a_device(runner: CliRunner, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XEPHANG_AUDIO", "pygame")
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")
    result = runner.invoke(announcer_command, ["--data-dir", str(tmp_path), "--test"])
    assert result.exit_code == 1
    assert "no-such-driver" in result.output
