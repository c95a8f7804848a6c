"""Audio output: play a WAV through the loudspeaker, or record what would be played.

Backends: `PygameAudio` (pygame.mixer; set ``SDL_AUDIODRIVER=dummy`` to run it
without a sound card), `FakeAudio` (records every sound in ``.played``; tests and
demos) and `NullAudio` (configured "none": no loudspeaker on this box). Pick one
by name with `open_audio`; a failing real device raises `AudioUnavailable`, it
never turns into a fake.

>>> audio = open_audio("fake")
>>> audio.play(silence_wav(0.25))
>>> [round(item.duration, 2) for item in audio.played]
[0.25]
"""

from __future__ import annotations

import abc
import io
import os
import threading
import time
import wave
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, Union

from .errors import AudioUnavailable

__all__ = [
    "AUDIO_BACKENDS",
    "AudioOutput",
    "AudioUnavailable",
    "FakeAudio",
    "NullAudio",
    "PlayedSound",
    "PygameAudio",
    "Sound",
    "open_audio",
    "silence_wav",
    "wav_duration",
]

# A WAV file on disk, or the bytes of a whole WAV file.
Sound = Union[str, "os.PathLike[str]", bytes]


@dataclass(frozen=True)
class PlayedSound:
    """One sound an output was asked to play."""

    path: Path | None
    size: int
    duration: float
    volume: float


def wav_duration(sound: Sound) -> float:
    """Return the length in seconds of a WAV file or WAV bytes."""
    with _open_wav(sound) as wav:
        rate = wav.getframerate()
        return wav.getnframes() / rate if rate else 0.0


def silence_wav(seconds: float, *, rate: int = 22050) -> bytes:
    """Return the bytes of a mono 16-bit WAV holding `seconds` of silence."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\0\0" * round(seconds * rate))
    return buffer.getvalue()


def _open_wav(sound: Sound) -> wave.Wave_read:
    if isinstance(sound, bytes):
        return wave.open(io.BytesIO(sound), "rb")
    return wave.open(os.fspath(sound), "rb")


def _describe(sound: Sound) -> tuple[Path | None, int]:
    if isinstance(sound, bytes):
        return None, len(sound)
    path = Path(os.fspath(sound))
    return path, path.stat().st_size


class AudioOutput(abc.ABC):
    """A loudspeaker: `play` blocks until the sound has been played.

    >>> with open_audio("fake") as audio:
    ...     audio.play(silence_wav(0.1), volume=0.5)
    """

    name = "audio"

    @abc.abstractmethod
    def play(self, sound: Sound, *, volume: float = 1.0) -> None:
        """Play one WAV (a path or the file's bytes) at `volume` (0–1); return when done."""

    def close(self) -> None:
        """Release the device; a closed output must not be used again."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FakeAudio(AudioOutput):
    """Record every sound instead of playing it; can be told to fail like a lost device.

    >>> audio = FakeAudio()
    >>> audio.fail(AudioUnavailable("unplugged"))
    >>> audio.play(silence_wav(0.1))
    Traceback (most recent call last):
    ...
    hardware.errors.AudioUnavailable: unplugged
    >>> audio.recover(); audio.play(silence_wav(0.1)); len(audio.played)
    1
    """

    name = "fake"

    def __init__(self, *, on_play: Callable[[PlayedSound], None] | None = None) -> None:
        self.played: list[PlayedSound] = []
        self.on_play = on_play
        self.closed = False
        self._error: BaseException | None = None
        self._lock = threading.Lock()

    def fail(self, error: BaseException | None = None) -> None:
        """Make every following `play` raise `error` (default: AudioUnavailable) until `recover`."""
        self._error = error or AudioUnavailable("fake audio told to fail")

    def recover(self) -> None:
        """Play normally again."""
        self._error = None

    def play(self, sound: Sound, *, volume: float = 1.0) -> None:
        if self._error is not None:
            raise self._error
        path, size = _describe(sound)
        item = PlayedSound(path=path, size=size, duration=wav_duration(sound), volume=volume)
        with self._lock:
            self.played.append(item)
        if self.on_play is not None:
            self.on_play(item)

    def close(self) -> None:
        self.closed = True


class NullAudio(AudioOutput):
    """No loudspeaker on this box (backend "none"): every sound is discarded at once."""

    name = "none"

    def play(self, sound: Sound, *, volume: float = 1.0) -> None:
        _describe(sound)


class PygameAudio(AudioOutput):
    """Play through pygame.mixer (SDL); raises AudioUnavailable when no device opens.

    >>> with PygameAudio() as audio:  # doctest: +SKIP
    ...     audio.play("announcer/assets/chime.wav", volume=0.8)
    """

    name = "pygame"

    def __init__(
        self,
        *,
        frequency: int = 22050,
        channels: int = 2,
        buffer: int = 1024,
        cache_size: int = 8,
    ) -> None:
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        try:
            import pygame
        except ImportError as exc:
            raise AudioUnavailable(
                "pygame is not installed (pip install 'xephang[speech]')"
            ) from exc
        self._pygame: Any = pygame
        try:
            pygame.mixer.init(frequency=frequency, size=-16, channels=channels, buffer=buffer)
        except pygame.error as exc:
            driver = os.environ.get("SDL_AUDIODRIVER") or "default"
            raise AudioUnavailable(f"no sound device ({driver} driver): {exc}") from exc
        if pygame.mixer.get_init() is None:
            raise AudioUnavailable("pygame.mixer did not open a sound device")
        self._sounds: OrderedDict[tuple[str, float], Any] = OrderedDict()
        self._cache_size = cache_size
        self._closed = threading.Event()
        self._lock = threading.Lock()

    def _load(self, sound: Sound) -> Any:
        mixer = self._pygame.mixer
        if isinstance(sound, bytes):
            return mixer.Sound(file=io.BytesIO(sound))
        path = os.fspath(sound)
        key = (path, os.stat(path).st_mtime)
        cached = self._sounds.get(key)
        if cached is None:
            cached = mixer.Sound(file=path)
            self._sounds[key] = cached
            while len(self._sounds) > self._cache_size:
                self._sounds.popitem(last=False)
        else:
            self._sounds.move_to_end(key)
        return cached

    def play(self, sound: Sound, *, volume: float = 1.0) -> None:
        if self._closed.is_set():
            raise AudioUnavailable("audio output is closed")
        with self._lock:
            try:
                loaded = self._load(sound)
                loaded.set_volume(max(0.0, min(1.0, volume)))
                channel = loaded.play()
            except self._pygame.error as exc:
                raise AudioUnavailable(f"sound device failed: {exc}") from exc
            if channel is None:
                raise AudioUnavailable("the mixer has no free channel")
            # A stuck device must not hold the announcer forever.
            deadline = time.monotonic() + loaded.get_length() + 2.0
            while channel.get_busy():
                if time.monotonic() > deadline:
                    channel.stop()
                    raise AudioUnavailable("the sound device stopped playing")
                if self._closed.wait(0.005):
                    channel.stop()
                    return

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            with self._lock:
                self._sounds.clear()
                self._pygame.mixer.quit()


# The audio outputs by backend name: the one list the configuration checks names against.
BACKENDS: dict[str, Callable[..., AudioOutput]] = {
    "fake": FakeAudio,
    "none": lambda **options: NullAudio(),
    "pygame": PygameAudio,
}


def open_audio(backend: str, **options: Any) -> AudioOutput:
    """Return the audio output named by config: "pygame", "fake" or "none"."""
    opener = BACKENDS.get(backend)
    if opener is None:
        raise ValueError(f"unknown audio backend {backend!r}: expected one of "
                         f"{', '.join(AUDIO_BACKENDS)}")
    return opener(**options)


AUDIO_BACKENDS: tuple[str, ...] = tuple(BACKENDS)
