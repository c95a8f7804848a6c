"""Playback: chime, then the sentence N times, one call at a time, in call order, never silent.

`Announcer.announce` returns at once: it stamps the call, starts its synthesis
(so the sentence is ready while the chime plays) and queues it. One player
thread plays the queue in `seq` order. A call that waited longer than
``max_age_seconds`` is dropped rather than read late. If speech fails the
chime still plays; if the sound device is gone the status says so and the
player keeps retrying until the device is back or the call is too old.

>>> announcer = Announcer(synthesizer=synth, audio=lambda: FakeAudio())   # doctest: +SKIP
>>> announcer.start()                                                     # doctest: +SKIP
>>> announcer.announce("A023", 3, seq=41)                                 # doctest: +SKIP
Call(seq=41, label='A023', counter=3, text='Xin mời công dân có số thứ tự a không hai ba đến quầy số ba.', …)
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from hardware.audio import AudioOutput, Sound, open_audio
from hardware.errors import AudioUnavailable
from queue_core.domain.speech import DEFAULT_TEMPLATE, SpeechTextError, call_sentence

from .chime import CHIME_PATH
from .health import DeviceStatus, Health
from .synthesis import Synthesizer

if TYPE_CHECKING:
    from queue_core.config import Settings, SpeechSettings

__all__ = ["Announcer", "Call", "Outcome"]

log = logging.getLogger(__name__)

# What became of a call: spoken; chime only (speech failed); dropped as too old.
Outcome = str
PLAYED, CHIME_ONLY, STALE, STOPPED = "played", "chime_only", "stale", "stopped"

_NO_SEQ = 1 << 62


@dataclass(frozen=True)
class Call:
    """One announcement to make."""

    seq: int | None
    label: str
    counter: int
    text: str
    recall: bool = False
    received_at: float = 0.0


@dataclass(order=True)
class _Queued:
    sort_key: tuple[int, int]
    call: Call = field(compare=False)
    speech: Future[Sound] = field(compare=False)


class Announcer:
    """Play calls through one audio output, strictly one after another.

    `audio` is a factory, so a lost device can be opened again.
    """

    def __init__(
        self,
        *,
        synthesizer: Synthesizer,
        audio: Callable[[], AudioOutput],
        repeat: int = 2,
        volume: float = 1.0,
        chime: bool = True,
        max_age_seconds: float = 60.0,
        dialect: str = "north",
        template: str = DEFAULT_TEMPLATE,
        recall_template: str | None = None,
        chime_path: Path = CHIME_PATH,
        clock: Callable[[], float] = time.monotonic,
        audio_retry_seconds: float = 2.0,
        health: Health | None = None,
    ) -> None:
        self.synthesizer = synthesizer
        self.health = health or synthesizer.health
        self.repeat = repeat
        self.volume = volume
        self.chime = chime
        self.max_age_seconds = max_age_seconds
        self.dialect = dialect
        self.template = template
        self.recall_template = recall_template
        self.chime_path = chime_path
        self.clock = clock
        self.audio_retry_seconds = audio_retry_seconds
        self.history: deque[tuple[Call, Outcome]] = deque(maxlen=200)
        self._audio_factory = audio
        self._audio: AudioOutput | None = None
        self._heap: list[_Queued] = []
        self._arrivals = itertools.count()
        # (seq, label, counter, recall) of recent calls: the same call delivered twice
        # (two rooms, a resent event) is said once; two calls of one operation both are.
        self._recent: deque[tuple[int, str, int, bool]] = deque(maxlen=512)
        self._current: Call | None = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listeners: list[Callable[[Call, Outcome], None]] = []

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        audio: Callable[[], AudioOutput] | None = None,
        synthesizer: Synthesizer | None = None,
        **options: Any,
    ) -> Announcer:
        """Return an announcer configured by `settings` (speech section, audio backend, data dir)."""
        speech: SpeechSettings = settings.speech
        synthesizer = synthesizer or Synthesizer.from_settings(settings)
        if audio is None:
            backend = settings.hardware.audio
            if backend == "none":
                synthesizer.health.set("audio", "degraded", "audio_disabled")
            elif backend == "fake":
                # Said out loud, so nobody mistakes a demo box for a working loudspeaker.
                synthesizer.health.set("audio", "degraded", "audio_emulated")

            def audio() -> AudioOutput:
                return open_audio(backend)

        configured: dict[str, Any] = {
            "repeat": speech.repeat,
            "volume": speech.volume,
            "chime": speech.chime,
            "max_age_seconds": speech.max_age_seconds,
            "dialect": speech.dialect,
            "template": speech.template,
            "recall_template": speech.recall_template,
        }
        return cls(synthesizer=synthesizer, audio=audio, **{**configured, **options})

    # -- life cycle -------------------------------------------------------------

    @property
    def status(self) -> DeviceStatus:
        """Return the health as a `device_status` (ok / degraded / error, with a message)."""
        return self.health.status()

    def start(self) -> None:
        """Start the synthesizer and the player thread, and try to open the sound device."""
        if self._thread is not None:
            return
        self.synthesizer.start()
        self._open_audio()
        self._stop.clear()
        self._thread = threading.Thread(target=self._play_loop, daemon=True, name="announcer")
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop playing (queued calls are dropped) and release the device."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._close_audio()
        self.synthesizer.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_listener(self, listener: Callable[[Call, Outcome], None]) -> None:
        """Call `listener(call, outcome)` after each call is played or dropped."""
        self._listeners.append(listener)

    def apply_speech(self, speech: Mapping[str, Any]) -> None:
        """Take new speech settings (the admin console saved them): the next call uses them.

        Words, dialect, repeats, volume and chime apply at once; another voice or rate gets a
        synthesizer of its own, started before it replaces the current one.
        """
        for key, kind in (("repeat", int), ("volume", float), ("chime", bool),
                          ("max_age_seconds", float), ("dialect", str), ("template", str),
                          ("recall_template", str)):
            value = speech.get(key)
            if isinstance(value, kind) or (kind is float and isinstance(value, int)):
                setattr(self, key, value)
        voice, rate = speech.get("voice"), speech.get("rate")
        current = self.synthesizer
        if (isinstance(voice, str) and voice and voice != current.requested_voice) or \
                (isinstance(rate, int) and rate != current.rate):
            fresh = current.retuned(voice=voice if isinstance(voice, str) and voice
                                    else current.requested_voice,
                                    rate=rate if isinstance(rate, int) else current.rate)
            started = self._thread is not None
            if started:
                current.close()
                fresh.start()
            self.synthesizer = fresh

    # -- calls ------------------------------------------------------------------

    def sentence(self, label: str, counter: int, *, recall: bool = False) -> str:
        """Return the sentence this announcer says for a call (the core normally sends it)."""
        kwargs: dict[str, Any] = {"template": self.template, "dialect": self.dialect}
        if self.recall_template is not None:
            kwargs["recall_template"] = self.recall_template
        return call_sentence(label, counter, recall=recall, **kwargs)

    def announce(
        self,
        label: str,
        counter: int,
        *,
        text: str | None = None,
        recall: bool = False,
        seq: int | None = None,
    ) -> Call | None:
        """Queue a call and start rendering its sentence; return None for a call already queued."""
        with self._cond:
            if seq is not None:
                identity = (seq, label, counter, recall)
                if identity in self._recent:
                    return None
                self._recent.append(identity)
        call = Call(seq=seq, label=label, counter=counter, recall=recall,
                    text=text or self._local_sentence(label, counter, recall),
                    received_at=self.clock())
        speech = self._speech_for(call)
        with self._cond:
            key = (seq if seq is not None else _NO_SEQ, next(self._arrivals))
            heapq.heappush(self._heap, _Queued(key, call, speech))
            self._cond.notify_all()
        return call

    def forget_seqs(self) -> None:
        """Forget the seqs already seen (the core's counter restarted)."""
        with self._cond:
            self._recent.clear()

    def warm(self, texts: list[str]) -> int:
        """Pre-render sentences likely to be called soon; return how many were queued."""
        return self.synthesizer.warm(texts)

    def pending(self) -> int:
        """Return how many calls wait or play."""
        with self._cond:
            return len(self._heap) + (self._current is not None)

    def wait_idle(self, timeout: float) -> bool:
        """Return True once every queued call has been played or dropped."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._current is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def _local_sentence(self, label: str, counter: int, recall: bool) -> str:
        for template in (None, DEFAULT_TEMPLATE):
            try:
                if template is None:
                    return self.sentence(label, counter, recall=recall)
                return call_sentence(label, counter, template=template, dialect=self.dialect)
            except SpeechTextError:
                continue
        # Unreadable label: the call still gets its chime (see _speech_for).
        return ""

    def _speech_for(self, call: Call) -> Future[Sound]:
        """Start rendering; if the text cannot be said, say the number and counter at least."""
        candidates = [call.text]
        try:
            candidates.append(call_sentence(call.label, call.counter, template=DEFAULT_TEMPLATE,
                                            dialect=self.dialect))
        except SpeechTextError:
            pass
        for text in candidates:
            try:
                return self.synthesizer.request(text)  # type: ignore[return-value]
            except SpeechTextError:
                log.warning("cannot speak %r; trying a plainer sentence", text)
        failed: Future[Sound] = Future()
        failed.set_exception(SpeechTextError(f"nothing speakable for call {call.label}"))
        return failed

    # -- the player thread ------------------------------------------------------

    def _next_call(self) -> _Queued | None:
        with self._cond:
            if not self._heap and not self._stop.is_set():
                # Without a device, wake up now and then to try it again.
                self._cond.wait(self.audio_retry_seconds if self._audio is None else None)
            if not self._heap or self._stop.is_set():
                return None
            item = heapq.heappop(self._heap)
            self._current = item.call
            return item

    def _play_loop(self) -> None:
        while not self._stop.is_set():
            item = self._next_call()
            if item is None:
                if self._audio is None and not self._stop.is_set():
                    self._open_audio()
                continue
            try:
                outcome = self._play(item)
            except Exception:
                log.exception("announcing %s failed", item.call.label)
                outcome = CHIME_ONLY
            if outcome is not None:
                self._finish(item.call, outcome)
            with self._cond:
                self._current = None
                if outcome is None:
                    # The device failed: try the same call again unless it got too old.
                    heapq.heappush(self._heap, item)
                self._cond.notify_all()
            if outcome is None:
                self._stop.wait(self.audio_retry_seconds)

    def _finish(self, call: Call, outcome: Outcome) -> None:
        self.history.append((call, outcome))
        for listener in list(self._listeners):
            try:
                listener(call, outcome)
            except Exception:
                log.exception("announcer listener failed")

    def _play(self, item: _Queued) -> Outcome | None:
        """Play one call; return its outcome, or None when the device failed and it should be retried."""
        call = item.call
        age = self.clock() - call.received_at
        if age > self.max_age_seconds:
            log.warning("dropping call %s to counter %s: %.0f s old", call.label, call.counter, age)
            return STALE
        audio = self._open_audio()
        if audio is None:
            return None
        try:
            chimed = False
            if self.chime:
                audio.play(self.chime_path, volume=self.volume)
                chimed = True
            try:
                speech = item.speech.result(timeout=self.synthesizer.budget_seconds + 1.0)
            except (Exception, FutureTimeout) as exc:  # noqa: BLE001
                log.error("no speech for %s: %s; the chime announces it", call.label, exc)
                if not chimed:
                    # Never silent: the chime is the last resort even when switched off.
                    audio.play(self.chime_path, volume=self.volume)
                return CHIME_ONLY
            for _ in range(self.repeat):
                if self._stop.is_set():
                    return STOPPED
                audio.play(speech, volume=self.volume)
        except AudioUnavailable as exc:
            self._audio_failed(exc)
            return None
        self._audio_works()
        return PLAYED

    def _open_audio(self) -> AudioOutput | None:
        if self._audio is not None:
            return self._audio
        try:
            self._audio = self._audio_factory()
        except AudioUnavailable as exc:
            self._audio_failed(exc)
            return None
        self._audio_works()
        return self._audio

    def _audio_works(self) -> None:
        condition = self.health.get("audio")
        if condition is not None and condition.code == "audio_unavailable":
            self.health.clear("audio")

    def _audio_failed(self, exc: BaseException) -> None:
        known = self.health.get("audio")
        if known is None or known.code != "audio_unavailable":
            log.error("audio device unavailable: %s; retrying every %g s", exc,
                      self.audio_retry_seconds)
        self.health.set("audio", "error", "audio_unavailable", detail=str(exc))
        self._close_audio()

    def _close_audio(self) -> None:
        audio, self._audio = self._audio, None
        if audio is not None:
            try:
                audio.close()
            except Exception:
                log.exception("closing the audio device failed")

