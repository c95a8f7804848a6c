"""Audio outputs: the recording fake, the discarding "none", and pygame.mixer on SDL's dummy driver."""

from __future__ import annotations

import os
import time
import wave
from pathlib import Path

import pytest

from hardware.audio import (
    FakeAudio,
    NullAudio,
    PlayedSound,
    PygameAudio,
    open_audio,
    silence_wav,
    wav_duration,
)
from hardware.errors import AudioUnavailable, HardwareError


@pytest.fixture
def dummy_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")


@pytest.fixture
def wav_file(tmp_path: Path) -> Path:
    path = tmp_path / "half.wav"
    path.write_bytes(silence_wav(0.5, rate=16000))
    return path


def test_silence_wav_has_the_asked_length() -> None:
    assert wav_duration(silence_wav(0.25)) == pytest.approx(0.25, abs=1e-4)
    assert wav_duration(silence_wav(1.5, rate=8000)) == pytest.approx(1.5, abs=1e-3)


def test_fake_records_path_duration_and_volume(wav_file: Path) -> None:
    audio = FakeAudio()
    audio.play(wav_file, volume=0.4)
    audio.play(silence_wav(0.2))
    assert audio.played == [
        PlayedSound(path=wav_file, size=wav_file.stat().st_size, duration=0.5, volume=0.4),
        PlayedSound(path=None, size=len(silence_wav(0.2)), duration=pytest.approx(0.2), volume=1.0),
    ]


def test_fake_calls_on_play_for_each_sound(wav_file: Path) -> None:
    seen: list[float] = []
    audio = FakeAudio(on_play=lambda item: seen.append(item.duration))
    audio.play(wav_file)
    audio.play(wav_file)
    assert seen == [0.5, 0.5]


def test_fake_can_fail_like_a_lost_device_and_recover(wav_file: Path) -> None:
    audio = FakeAudio()
    audio.fail()
    with pytest.raises(AudioUnavailable):
        audio.play(wav_file)
    audio.fail(OSError("disk"))
    with pytest.raises(OSError, match="disk"):
        audio.play(wav_file)
    assert audio.played == []
    audio.recover()
    audio.play(wav_file)
    assert len(audio.played) == 1


def test_fake_refuses_what_is_not_a_wav(tmp_path: Path) -> None:
    bogus = tmp_path / "x.wav"
    bogus.write_bytes(b"hello")
    with pytest.raises((wave.Error, EOFError)):
        FakeAudio().play(bogus)


def test_null_audio_discards_but_checks_the_file_exists(wav_file: Path, tmp_path: Path) -> None:
    audio = open_audio("none")
    assert isinstance(audio, NullAudio)
    audio.play(wav_file)
    with pytest.raises(FileNotFoundError):
        audio.play(tmp_path / "missing.wav")


def test_audio_unavailable_is_a_hardware_error_and_an_os_error() -> None:
    assert issubclass(AudioUnavailable, HardwareError)
    assert issubclass(AudioUnavailable, OSError)


def test_open_audio_by_name(dummy_driver: None) -> None:
    assert isinstance(open_audio("fake"), FakeAudio)
    with open_audio("pygame") as audio:
        assert isinstance(audio, PygameAudio)
    with pytest.raises(ValueError, match="pygame"):
        open_audio("alsa")


def test_pygame_plays_a_file_and_bytes_to_the_end(dummy_driver: None, wav_file: Path) -> None:
    with PygameAudio() as audio:
        started = time.monotonic()
        audio.play(wav_file, volume=0.3)
        audio.play(silence_wav(0.2))
        elapsed = time.monotonic() - started
    # play() blocks while SDL's dummy driver consumes the samples in real time.
    assert elapsed >= 0.6


def test_pygame_without_a_device_raises_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")
    with pytest.raises(AudioUnavailable, match="no sound device.*no-such-driver"):
        PygameAudio()
    # A real backend never quietly becomes a fake one.
    with pytest.raises(AudioUnavailable):
        open_audio("pygame")


def test_pygame_can_open_again_after_a_failure(monkeypatch: pytest.MonkeyPatch,
                                               wav_file: Path) -> None:
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")
    with pytest.raises(AudioUnavailable):
        PygameAudio()
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    with PygameAudio() as audio:
        audio.play(silence_wav(0.05))


def test_closed_pygame_output_refuses_to_play(dummy_driver: None) -> None:
    audio = PygameAudio()
    audio.close()
    with pytest.raises(AudioUnavailable, match="closed"):
        audio.play(silence_wav(0.05))


def test_environment_is_restored() -> None:
    assert os.environ.get("SDL_AUDIODRIVER") != "no-such-driver"
