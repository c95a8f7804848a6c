"""The shipped chime is the one our generator makes: two tones, short, not clipped."""

from __future__ import annotations

import array
import math
import sys
import wave
from pathlib import Path

from announcer.chime import CHIME_PATH, CHIME_RATE, chime_samples, write_chime


def read_samples(path: Path) -> array.array[int]:
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def strongest(samples: array.array[int], start: float, end: float, candidates: list[float]) -> float:
    """Return which candidate frequency carries the most energy between start and end seconds."""
    part = samples[round(start * CHIME_RATE):round(end * CHIME_RATE)]

    def power(freq: float) -> float:
        w = 2 * math.pi * freq / CHIME_RATE
        re = sum(s * math.cos(w * i) for i, s in enumerate(part))
        im = sum(s * math.sin(w * i) for i, s in enumerate(part))
        return re * re + im * im

    return max(candidates, key=power)


def test_shipped_chime_matches_the_generator() -> None:
    shipped = read_samples(CHIME_PATH)
    generated = chime_samples()
    assert len(shipped) == len(generated)
    # Allow one step of rounding between math libraries.
    assert max(abs(a - b) for a, b in zip(shipped, generated)) <= 1


def test_written_chime_is_a_short_mono_wav(tmp_path: Path) -> None:
    path = write_chime(tmp_path / "chime.wav")
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == CHIME_RATE
        assert 0.5 <= wav.getnframes() / CHIME_RATE <= 2.0
    samples = read_samples(path)
    peak = max(abs(s) for s in samples)
    assert 8000 < peak < 32767  # loud enough, never clipped
    assert abs(samples[-1]) < 100  # fades out: no click at the end


def test_chime_is_two_falling_tones() -> None:
    samples = read_samples(CHIME_PATH)
    tones = [659.25, 523.25, 440.0, 880.0]
    assert strongest(samples, 0.05, 0.35, tones) == 659.25
    assert strongest(samples, 0.6, 0.9, tones) == 523.25
