"""Fakes shared by the announcer tests: a pyttsx3-like engine, a monotonic clock, WAV helpers."""

from __future__ import annotations

import threading
import wave
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from announcer.chime import CHIME_PATH
from hardware.audio import PlayedSound

SAMPLE = "Xin mời công dân có số thứ tự a không hai ba đến quầy số ba."
VOICES = [
    SimpleNamespace(id="aav/vi", name="Vietnamese (Northern)", languages=["vi"]),
    SimpleNamespace(id="aav/vi-vn-x-south", name="Vietnamese (Southern)",
                    languages=["vi-vn-x-south"]),
    SimpleNamespace(id="gmw/en", name="English (Great Britain)", languages=["en-gb"]),
]


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def write_wav(path: Path | str, seconds: float, *, rate: int = 22050, level: int = 0) -> None:
    """Write a mono 16-bit WAV of `seconds` filled with the sample value `level`."""
    frame = int(level).to_bytes(2, "little", signed=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frame * round(seconds * rate))


class FakeEngine:
    """Enough of pyttsx3's Engine for the synthesizer, with ways to misbehave.

    mode: "ok" writes a WAV and fires finished-utterance; "hang" blocks in
    runAndWait until `release` is set; "silent" returns but never calls back
    nor writes; "crash" raises from runAndWait; "glitch" writes a WAV without
    frames the first time (as pyttsx3's espeak driver does when it cancels its
    own utterance), then works; "late" calls back at once, before the file
    exists, and writes it and calls back again from another thread.
    """

    def __init__(self, mode: str = "ok", *, seconds: float = 1.0,
                 voices: list[Any] | None = None) -> None:
        self.mode = mode
        self.seconds = seconds
        self.voices = VOICES if voices is None else voices
        self.spoken: list[str] = []
        self.properties: dict[str, Any] = {}
        self.release = threading.Event()
        self.entered = threading.Event()
        self.gate: threading.Event | None = None
        self._callbacks: dict[str, list[Callable[..., None]]] = {}
        self._job: tuple[str, str] | None = None

    def connect(self, topic: str, cb: Callable[..., None]) -> dict[str, Any]:
        self._callbacks.setdefault(topic, []).append(cb)
        return {"topic": topic, "cb": cb}

    def setProperty(self, name: str, value: Any) -> None:
        self.properties[name] = value

    def getProperty(self, name: str) -> Any:
        if name == "voices":
            return self.voices
        return self.properties.get(name)

    def save_to_file(self, text: str, filename: str, name: str | None = None) -> None:
        self._job = (text, filename)

    def runAndWait(self) -> None:
        assert self._job is not None
        text, filename = self._job
        self._job = None
        self.spoken.append(text)
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(10)
        if self.mode == "hang":
            self.release.wait(30)
            return
        if self.mode == "crash":
            raise RuntimeError("espeak exploded")
        if self.mode == "silent":
            return
        if self.mode == "glitch" and len(self.spoken) == 1:
            write_wav(filename, 0.0)
            self._finish(completed=True)
            self._finish(completed=False)
            return
        if self.mode == "late":
            self._finish(completed=True)

            def write_later() -> None:
                write_wav(filename, self.seconds)
                self._finish(completed=True)

            threading.Timer(0.05, write_later).start()
            return
        write_wav(filename, self.seconds)
        self._finish(completed=True)

    def _finish(self, *, completed: bool) -> None:
        for cb in self._callbacks.get("finished-utterance", []):
            cb(name=None, completed=completed)


class EngineBox:
    """Makes FakeEngines for a synthesizer and remembers them."""

    def __init__(self, mode: str = "ok", **options: Any) -> None:
        self.mode = mode
        self.options = options
        self.engines: list[FakeEngine] = []
        self.init_error: BaseException | None = None

    def __call__(self) -> FakeEngine:
        if self.init_error is not None:
            raise self.init_error
        engine = FakeEngine(self.mode, **self.options)
        self.engines.append(engine)
        return engine

    @property
    def spoken(self) -> list[str]:
        return [text for engine in self.engines for text in engine.spoken]

    def release_all(self) -> None:
        for engine in self.engines:
            engine.release.set()
            if engine.gate is not None:
                engine.gate.set()



def kinds(played: list[PlayedSound]) -> list[str]:
    """Return "chime" or "speech" for each played sound."""
    return ["chime" if item.path == CHIME_PATH else "speech" for item in played]
