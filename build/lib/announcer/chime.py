"""The two-tone chime played before every call, generated here and shipped as a WAV.

The shipped file ``assets/chime.wav`` is what `write_chime` writes; a test checks
that they match, so the sound can be changed only here. Rebuild it with
``python -m announcer.chime``.

>>> import wave
>>> with wave.open(str(CHIME_PATH)) as wav:
...     wav.getnchannels(), wav.getframerate(), round(wav.getnframes() / wav.getframerate(), 2)
(1, 22050, 1.1)
"""

from __future__ import annotations

import array
import math
import sys
import wave
from pathlib import Path

__all__ = ["CHIME_PATH", "CHIME_RATE", "chime_samples", "write_chime"]

CHIME_PATH = Path(__file__).with_name("assets") / "chime.wav"
CHIME_RATE = 22050

# (start s, frequency Hz, length s): a falling major third, "ding-dong", like a station call.
_TONES = ((0.0, 659.25, 0.55), (0.42, 523.25, 0.68))
_LENGTH = 1.1
_PEAK = 0.55


def chime_samples(rate: int = CHIME_RATE) -> array.array[int]:
    """Return the chime as signed 16-bit mono samples at `rate`."""
    total = round(_LENGTH * rate)
    mix = [0.0] * total
    for start, frequency, length in _TONES:
        first = round(start * rate)
        count = min(round(length * rate), total - first)
        attack = 0.004 * rate
        for i in range(count):
            t = i / rate
            # Fast attack, bell-like exponential decay, a soft octave overtone for brightness.
            envelope = min(1.0, i / attack) * math.exp(-4.2 * t / length)
            phase = 2 * math.pi * frequency * t
            mix[first + i] += envelope * (math.sin(phase) + 0.25 * math.sin(2 * phase))
    fade = round(0.03 * rate)
    for i in range(fade):
        mix[total - 1 - i] *= i / fade
    peak = max(abs(v) for v in mix) or 1.0
    scale = _PEAK * 32767 / peak
    return array.array("h", (round(v * scale) for v in mix))


def write_chime(path: Path = CHIME_PATH, rate: int = CHIME_RATE) -> Path:
    """Write the chime as a mono 16-bit WAV at `path` and return the path."""
    samples = chime_samples(rate)
    if sys.byteorder == "big":
        samples.byteswap()
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())
    return path


if __name__ == "__main__":
    print(write_chime())
