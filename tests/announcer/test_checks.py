"""Doctor checks for speech: plain verdicts that can go wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from speech_fakes import write_wav

from announcer.checks import speech_checks
from queue_core.config import Settings

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng missing")


def verdicts(settings: Settings, **options: bool) -> dict[str, str]:
    return {check.name: check.status for check in speech_checks(settings, **options)}


@needs_espeak
def test_default_box_speaks_but_says_the_audio_is_emulated(tmp_path: Path) -> None:
    settings = Settings().replace(server={"data_dir": str(tmp_path)})
    assert verdicts(settings) == {"espeak-ng": "ok", "voice": "ok", "pyttsx3": "ok",
                                  "speech": "ok", "audio": "warning"}


@needs_espeak
def test_unknown_voice_is_a_warning(tmp_path: Path) -> None:
    settings = Settings().replace(speech={"voice": "xx-nope"})
    checks = {c.name: c for c in speech_checks(settings, try_audio=False)}
    assert checks["voice"].status == "warning"
    assert "xx-nope" in checks["voice"].message
    assert checks["speech"].status == "ok"


def test_missing_audio_device_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")
    settings = Settings().replace(hardware={"audio": "pygame"})
    audio = speech_checks(settings)[-1]
    assert (audio.name, audio.status) == ("audio", "error")
    assert "no-such-driver" in audio.message


def test_dummy_audio_device_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    settings = Settings().replace(hardware={"audio": "pygame"})
    assert speech_checks(settings)[-1].status == "ok"


@needs_espeak
def test_incomplete_voice_pack_lists_missing_clips(tmp_path: Path) -> None:
    write_wav(tmp_path / "xin.wav", 0.1)
    settings = Settings().replace(speech={"voice_pack": str(tmp_path)})
    pack = next(c for c in speech_checks(settings, try_audio=False) if c.name == "voice pack")
    assert pack.status == "warning"
    assert "27" in pack.message and "công.wav" in pack.message


@needs_espeak
def test_missing_voice_pack_folder_is_an_error(tmp_path: Path) -> None:
    settings = Settings().replace(speech={"voice_pack": str(tmp_path / "nope")})
    pack = next(c for c in speech_checks(settings, try_audio=False) if c.name == "voice pack")
    assert pack.status == "error"
