"""Fixtures for the announcer: a pyttsx3-like fake engine, a fake monotonic clock, fake audio."""

from __future__ import annotations

import os

os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from speech_fakes import EngineBox, FakeClock

from announcer.playback import Announcer
from announcer.synthesis import Synthesizer
from hardware.audio import FakeAudio, PlayedSound


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engines() -> Iterator[EngineBox]:
    box = EngineBox()
    yield box
    box.release_all()


@pytest.fixture
def make_synth(tmp_path: Path, fake_clock: FakeClock) -> Iterator[Callable[..., Synthesizer]]:
    made: list[Synthesizer] = []

    def make(engine_factory: Any = None, **options: Any) -> Synthesizer:
        options.setdefault("timeout", 0.5)
        # Short engine timeouts make hangs quick to test; the CLI gets time even on a busy box.
        options.setdefault("cli_timeout", 10.0)
        options.setdefault("clock", fake_clock)
        synth = Synthesizer(tmp_path / "speech-cache", engine_factory=engine_factory, **options)
        synth.start()
        made.append(synth)
        return synth

    yield make
    for synth in made:
        synth.close()


@pytest.fixture
def synth(make_synth: Callable[..., Synthesizer], engines: EngineBox) -> Synthesizer:
    return make_synth(engines)


@pytest.fixture
def fake_audio(fake_clock: FakeClock) -> FakeAudio:
    """A recording output on which every sound takes its duration on the fake clock."""

    def elapse(item: PlayedSound) -> None:
        fake_clock.advance(item.duration)

    return FakeAudio(on_play=elapse)


@pytest.fixture
def make_announcer(
    fake_audio: FakeAudio, fake_clock: FakeClock
) -> Iterator[Callable[..., Announcer]]:
    made: list[Announcer] = []

    def make(synthesizer: Synthesizer, **options: Any) -> Announcer:
        options.setdefault("audio", lambda: fake_audio)
        options.setdefault("clock", fake_clock)
        options.setdefault("audio_retry_seconds", 0.01)
        announcer = Announcer(synthesizer=synthesizer, **options)
        announcer.start()
        made.append(announcer)
        return announcer

    yield make
    for announcer in made:
        announcer.stop()
